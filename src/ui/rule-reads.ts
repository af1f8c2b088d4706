/**
 * When to re-read the service rules' counters while a topology page is open. Each read is an exec of nft or
 * iptables-save that lists the whole table (at 100 Services ~10-30 ms of the daemon's CPU plus the tool's), so: at
 * most every `minMs`, and only when a packet went to a single pod since the last read — every connection through a
 * Service to or from a pod on this node's bridge sends one (link-movement.ts), while the flooding an idle bridge
 * carries (ARP requests reaching every veth) does not — or when `maxMs` has passed (an endpoint on the host network
 * has no veth). An idle node then reads them once every `maxMs`.
 */
export class RuleCounterReads<T> {
  private last: { at: number; value: Promise<T> } | undefined;
  /** Pods were sent packets since the last read. */
  private moved = false;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly now: () => number,
    private readonly minMs = 5000,
    private readonly maxMs = 60_000,
  ) {}

  /**
   * The counters, read again or as last read (the same value: a caller can tell nothing was read). `moved`: packets
   * went to single pods since the previous call.
   */
  get(moved: boolean): Promise<T> {
    const t = this.now();
    this.moved ||= moved;
    if (this.last) {
      const age = t - this.last.at;
      if (age < this.minMs || (age < this.maxMs && !this.moved)) return this.last.value;
    }
    const value = this.read();
    this.last = { at: t, value };
    this.moved = false;
    return value;
  }
}
