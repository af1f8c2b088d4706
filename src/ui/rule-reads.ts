/**
 * When to re-read the service rules' counters while a topology page is open. Each read is an exec of nft or
 * iptables-save that lists the whole table (at 100 Services ~10-30 ms of the daemon's CPU plus the tool's), so: at
 * most every `minMs`, and only when some veth's counters moved since the last read — every connection to an endpoint
 * the topology draws (a pod on this node's bridge) passes that pod's veth, so still veths mean still rule counters —
 * or when `maxMs` has passed (an endpoint on the host network has no veth). An idle node then runs no exec at all.
 */
export class RuleCounterReads<T> {
  private last: { at: number; links: string; value: Promise<T> } | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly now: () => number,
    private readonly minMs = 5000,
    private readonly maxMs = 60_000,
  ) {}

  /** The counters, read again or as last read; `links` fingerprints the veths' counters (linksFingerprint). */
  get(links: string): Promise<T> {
    const t = this.now();
    if (this.last) {
      const age = t - this.last.at;
      if (age < this.minMs || (age < this.maxMs && links === this.last.links)) return this.last.value;
    }
    const value = this.read();
    this.last = { at: t, links, value };
    return value;
  }
}

/**
 * Which interfaces, and how many packets the pods sent through them in all (the host end's received packets): it
 * changes when any pod sent a packet. Not what the host end transmits: a broadcast on the bridge (an ARP request)
 * reaches every veth and would move them all, while an endpoint that serves a connection always answers.
 */
export function linksFingerprint(links: ReadonlyMap<string, { rxPackets: number }>): string {
  let packets = 0;
  for (const l of links.values()) packets += l.rxPackets;
  return `${links.size}:${packets}`;
}
