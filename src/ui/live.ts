/**
 * The topology, pushed: while at least one page watches, the store's pods, services and endpoints are watched and a
 * change is sent within `debounceMs` (the issue asks for a second); counters are re-read every `counterMs` and sent
 * when they moved. With no page open nothing runs, so a node nobody looks at pays nothing for the view.
 */
import type { Endpoints, Pod, Service } from "../api/types.js";
import type { Store } from "../store/store.js";
import { buildTopology, type LinkCounters, type RuleCounters, type Topology } from "./topology.js";

export interface TopologySource {
  store: Store;
  nodeName: string;
  hostIP: () => string;
  bridge: string | undefined;
  vethOf: (pod: Pod) => string;
  /** Interface statistics of these interfaces, and the service rules' counters (empty where the firewall keeps none). */
  counters(interfaces: string[]): Promise<{ links: Map<string, LinkCounters>; rules: Map<string, RuleCounters> }>;
}

export interface FeedTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_TIMERS: FeedTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

const WATCHED = ["Pod", "Service", "Endpoints"];

/** The topology of the store as it is now, with fresh counters. */
export async function readTopology(src: TopologySource): Promise<Topology> {
  const pods = src.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${src.nodeName}` }).items;
  const veths = src.bridge ? pods.filter((p) => !p.spec.hostNetwork).map((p) => src.vethOf(p)) : [];
  const { links, rules } = await src.counters(veths);
  return buildTopology({
    nodeName: src.nodeName,
    hostIP: src.hostIP(),
    bridge: src.bridge,
    pods,
    services: src.store.list<Service>("Service").items,
    endpoints: src.store.list<Endpoints>("Endpoints").items,
    vethOf: src.vethOf,
    links,
    rules,
  });
}

export class TopologyFeed {
  private readonly subscribers = new Set<(json: string) => void>();
  private stopWatches: (() => void)[] = [];
  private ticker: unknown;
  private pending = false;
  private building: Promise<void> | undefined;
  private last = "";

  constructor(
    private readonly src: TopologySource,
    private readonly debounceMs = 100,
    private readonly counterMs = 2000,
    private readonly timers: FeedTimers = REAL_TIMERS,
  ) {}

  /** Calls `send` with the topology (JSON) now and on every change until the returned function is called. */
  subscribe(send: (json: string) => void): () => void {
    this.subscribers.add(send);
    if (this.subscribers.size === 1) this.start();
    if (this.last) send(this.last);
    else this.schedule();
    return () => {
      this.subscribers.delete(send);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  get watching(): number {
    return this.subscribers.size;
  }

  private start(): void {
    this.stopWatches = WATCHED.map((kind) => this.src.store.watch(kind, {}, () => this.schedule()));
    this.ticker = this.timers.setInterval(() => this.schedule(), this.counterMs);
  }

  private stop(): void {
    for (const s of this.stopWatches) s();
    this.stopWatches = [];
    this.timers.clearInterval(this.ticker);
    this.last = "";
  }

  /** One rebuild soon; changes that come while one is pending or running join the next. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    this.timers.setTimeout(() => {
      this.pending = false;
      const prev = this.building ?? Promise.resolve();
      this.building = prev.then(() => this.rebuild());
    }, this.debounceMs);
  }

  private async rebuild(): Promise<void> {
    if (this.subscribers.size === 0) return;
    let json: string;
    try {
      json = JSON.stringify(await readTopology(this.src));
    } catch (err) {
      json = JSON.stringify({ error: `cannot read the topology: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (json === this.last) return;
    this.last = json;
    for (const send of this.subscribers) send(json);
  }
}
