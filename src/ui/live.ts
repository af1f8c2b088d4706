/**
 * The topology, pushed: while at least one page watches, the store's pods, services and endpoints are watched and a
 * change is sent whole within `debounceMs` (the issue asks for a second); counters are re-read every `counterMs` and
 * the edges whose counters moved are sent. With no page open nothing runs, so a node nobody looks at pays nothing for the view.
 */
import type { Endpoints, Pod, Service } from "../api/types.js";
import type { Store } from "../store/store.js";
import { buildTopology, counterDelta, type CounterDelta, type LinkCounters, type RuleCounters, type Topology } from "./topology.js";

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
  const objects = readObjects(src);
  const veths = src.bridge ? objects.pods.filter((p) => !p.spec.hostNetwork).map((p) => src.vethOf(p)) : [];
  const { links, rules } = await src.counters(veths);
  return buildTopology({ nodeName: src.nodeName, hostIP: src.hostIP(), bridge: src.bridge, ...objects, vethOf: src.vethOf, links, rules });
}

/** What a watching page is sent: the whole topology after a change of the objects, or the counters that moved. */
export type FeedEvent =
  | { kind: "topology"; topology: Topology; json: string }
  | { kind: "counters"; delta: CounterDelta; json: string }
  | { kind: "error"; json: string };

interface Objects {
  pods: Pod[];
  services: Service[];
  endpoints: Endpoints[];
}

/**
 * One topology for every watching page. The store is read only when a watched kind changes (debounced); a counter
 * tick re-reads the counters, rebuilds the graph from the objects already read (pure, well under a millisecond at
 * 100 pods) and sends only the edges whose counters moved.
 */
export class TopologyFeed {
  private readonly subscribers = new Set<(e: FeedEvent) => void>();
  private stopWatches: (() => void)[] = [];
  private ticker: unknown;
  private pending = false;
  private work: Promise<void> = Promise.resolve();
  private objects: Objects | undefined;
  private counters: Awaited<ReturnType<TopologySource["counters"]>> | undefined;
  private current: Topology | undefined;
  private currentJson = "";

  constructor(
    private readonly src: TopologySource,
    private readonly debounceMs = 100,
    private readonly counterMs = 2000,
    private readonly timers: FeedTimers = REAL_TIMERS,
  ) {}

  /** Calls `send` with the topology now and with every change until the returned function is called. */
  subscribe(send: (e: FeedEvent) => void): () => void {
    this.subscribers.add(send);
    if (this.subscribers.size === 1) this.start();
    if (this.current) send({ kind: "topology", topology: this.current, json: this.json() });
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
    this.ticker = this.timers.setInterval(() => this.queue(() => this.tick()), this.counterMs);
  }

  private stop(): void {
    for (const s of this.stopWatches) s();
    this.stopWatches = [];
    this.timers.clearInterval(this.ticker);
    this.objects = undefined;
    this.counters = undefined;
    this.current = undefined;
    this.currentJson = "";
  }

  private json(): string {
    if (!this.currentJson) this.currentJson = JSON.stringify(this.current);
    return this.currentJson;
  }

  /** One re-read of the objects soon; changes that come while one is pending join it. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    this.timers.setTimeout(() => {
      this.pending = false;
      this.queue(() => this.rebuild());
    }, this.debounceMs);
  }

  /** Reads and ticks run one at a time, in order. */
  private queue(fn: () => Promise<void>): void {
    this.work = this.work.then(fn);
  }

  private broadcast(e: FeedEvent): void {
    for (const send of this.subscribers) send(e);
  }

  private build(): Topology {
    const o = this.objects!;
    const c = this.counters ?? { links: new Map(), rules: new Map() };
    return buildTopology({ nodeName: this.src.nodeName, hostIP: this.src.hostIP(), bridge: this.src.bridge, ...o, vethOf: this.src.vethOf, links: c.links, rules: c.rules });
  }

  private async readCounters(): Promise<void> {
    const veths = this.src.bridge ? this.objects!.pods.filter((p) => !p.spec.hostNetwork).map((p) => this.src.vethOf(p)) : [];
    this.counters = await this.src.counters(veths);
  }

  private async rebuild(): Promise<void> {
    if (this.subscribers.size === 0) return;
    try {
      this.objects = readObjects(this.src);
      // The first picture comes with counters; later ones keep the last read until the next tick.
      if (!this.counters) await this.readCounters();
      const next = this.build();
      const json = JSON.stringify(next);
      if (json === this.currentJson) return;
      this.current = next;
      this.currentJson = json;
      this.broadcast({ kind: "topology", topology: next, json });
    } catch (err) {
      this.broadcast({ kind: "error", json: JSON.stringify({ error: `cannot read the topology: ${err instanceof Error ? err.message : String(err)}` }) });
    }
  }

  private async tick(): Promise<void> {
    if (this.subscribers.size === 0 || !this.objects || !this.current) return;
    try {
      await this.readCounters();
    } catch {
      return; // the next tick tries again; the picture keeps its last counters
    }
    const next = this.build();
    const delta = counterDelta(this.current, next);
    if (Object.keys(delta.edges).length === 0) return;
    this.current = next;
    this.currentJson = "";
    this.broadcast({ kind: "counters", delta, json: JSON.stringify(delta) });
  }
}

function readObjects(src: TopologySource): Objects {
  return {
    pods: src.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${src.nodeName}` }).items,
    services: src.store.list<Service>("Service").items,
    endpoints: src.store.list<Endpoints>("Endpoints").items,
  };
}
