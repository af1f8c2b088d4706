/**
 * NodePorts from the node port range (30000-32767 by default), as the API server's portallocator does: a requested
 * port must be in range and free; one service may use the same number for the TCP and the UDP side of a port;
 * allocated ports are random. A Service holds its ports' nodePorts and its healthCheckNodePort, and releases them
 * when it no longer names them (the index follows the stored Services).
 */
import { invalid } from "../api/field.js";
import type { Service } from "../api/types.js";
import type { Store } from "../store/store.js";
import { ObjectIndex } from "./object-index.js";

export class NodePortAllocator {
  private readonly index = new ObjectIndex<Service>((svc) => nodePortsOf(svc).map(String));

  constructor(
    readonly range: readonly [number, number],
    private readonly random: () => number = Math.random,
  ) {}

  follow(store: Store): () => void {
    return this.index.follow(store, "Service");
  }

  holder(port: number): string | undefined {
    return this.index.holder(String(port));
  }

  /** Throws a FieldError at `field` when `port` is out of range or held by a service other than `owner`. */
  checkRequested(port: number, owner: string, field: string): void {
    const [lo, hi] = this.range;
    if (port < lo || port > hi) {
      throw invalid(field, port, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
    }
    const holder = this.holder(port);
    if (holder && holder !== owner) throw invalid(field, port, `provided port is already allocated (to service ${holder})`);
  }

  /** Why `port` cannot be given to `owner`, in the portallocator's words (undefined: it can). */
  problem(port: number, owner: string): string | undefined {
    const [lo, hi] = this.range;
    if (port < lo || port > hi) return `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`;
    const holder = this.holder(port);
    return holder && holder !== owner ? "provided port is already allocated" : undefined;
  }

  /** A free port not in `exclude` (ports picked earlier in the same request); undefined when the range is full. */
  allocate(exclude: Set<number>): number | undefined {
    const [lo, hi] = this.range;
    const count = hi - lo + 1;
    const start = Math.floor(this.random() * count);
    for (let i = 0; i < count; i++) {
      const port = lo + ((start + i) % count);
      if (!this.holder(port) && !exclude.has(port)) return port;
    }
    return undefined;
  }
}

export function nodePortsOf(svc: Service): number[] {
  const ports = (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0);
  return [...new Set([...ports, svc.spec?.healthCheckNodePort ?? 0].filter((p) => p > 0))];
}
