/**
 * Go's time.ParseDuration, the syntax of every duration Kubernetes takes on a command line (--event-ttl,
 * --eviction-soft-grace-period, --ttl, leader election) and of a CronJob's `@every`: one or more decimal numbers each
 * with a unit (ns, us, µs, ms, s, m, h), such as "1m30s", "1.5h" or ".5s", or a bare "0". Signs are not taken: no
 * caller has a use for a negative duration.
 */

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The duration in milliseconds (rounded to a whole one); throws an Error saying what a duration looks like. */
export function parseGoDuration(text: string): number {
  if (text === "0") return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  do {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) throw new Error(`"${text}" is not a duration like 1m30s, 90s or 1.5h`);
    total += Number(m[1]) * UNITS[m[2]];
    at = part.lastIndex;
  } while (at < text.length);
  return Math.round(total);
}
