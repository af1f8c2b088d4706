/**
 * metav1.Time on the wire: RFC 3339 at second precision in UTC (`2026-11-27T04:19:27Z`), as Go's apimachinery
 * marshals it — timestamps, conditions' lastTransitionTime, events, status times. One formatter and one parser, so
 * no writer emits milliseconds that kubectl's Go client would not round-trip.
 */

/** The instant (ms since the epoch, or a Date) as metav1.Time; fractional seconds are dropped, not rounded. */
export function rfc3339(at: number | Date): string {
  return (typeof at === "number" ? new Date(at) : at).toISOString().replace(/\.\d+Z$/, "Z");
}

/** A metav1.Time field as ms since the epoch; undefined when it is absent or not a time. */
export function parseTime(ts: string | undefined): number | undefined {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isFinite(t) ? t : undefined;
}
