/**
 * Endpoint choice for the userspace proxy, as kube-proxy's userspace LoadBalancerRR did: round robin over the
 * ready endpoints, and with sessionAffinity ClientIP the endpoint a client used last, until it has been idle for
 * the affinity timeout. Pure apart from the clock it is given.
 */
import type { Endpoint } from "./model.js";

export class RoundRobin {
  private next = 0;
  private endpoints: Endpoint[] = [];
  private readonly affinity = new Map<string, { ep: Endpoint; last: number }>();

  constructor(
    private affinitySeconds: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Replaces the endpoints; clients stuck to an endpoint that is gone are forgotten. */
  update(endpoints: Endpoint[], affinitySeconds: number | undefined): void {
    this.endpoints = endpoints;
    this.affinitySeconds = affinitySeconds;
    const live = new Set(endpoints.map(key));
    for (const [client, a] of this.affinity) if (!live.has(key(a.ep)) || !affinitySeconds) this.affinity.delete(client);
    if (this.next >= endpoints.length) this.next = 0;
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** The endpoint for a new connection from `client`, skipping those in `exclude` (failed just now). */
  pick(client: string, exclude: ReadonlySet<string> = new Set()): Endpoint | undefined {
    const now = this.now();
    if (this.affinitySeconds) {
      const a = this.affinity.get(client);
      if (a && now - a.last <= this.affinitySeconds * 1000 && !exclude.has(key(a.ep))) {
        a.last = now;
        return a.ep;
      }
    }
    for (let i = 0; i < this.endpoints.length; i++) {
      const ep = this.endpoints[this.next];
      this.next = (this.next + 1) % this.endpoints.length;
      if (exclude.has(key(ep))) continue;
      if (this.affinitySeconds) this.affinity.set(client, { ep, last: now });
      return ep;
    }
    return undefined;
  }
}

export function key(e: Endpoint): string {
  return `${e.ip}:${e.port}`;
}
