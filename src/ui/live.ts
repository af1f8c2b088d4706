/**
 * The topology, pushed: while at least one page watches, the store's pods, services and endpoints are watched and a
 * change is sent whole within `debounceMs` (the issue asks for a second); the veths' counters are re-read every
 * `counterMs` and the edges that carried traffic are sent, the service rules' counters when pods were sent packets
 * (rule-reads.ts). With no page open nothing runs, so a node nobody looks at pays nothing for the view.
 */
import type { Endpoints, Pod, Service } from "../api/types.js";
import type { Store } from "../store/store.js";
import { linkMovement } from "./link-movement.js";
import { buildTopology, counterDelta, type CounterDelta, type LinkCounters, type RuleCounters, type TopoEdge, type Topology } from "./topology.js";

export interface TopologySource {
  store: Store;
  nodeName: string;
  hostIP: () => string;
  bridge: string | undefined;
  vethOf: (pod: Pod) => string;
  /** Interface statistics of these interfaces (one read; an interface that does not exist is left out). */
  links(interfaces: string[]): ReadonlyMap<string, LinkCounters>;
  /**
   * The service rules' counters by endpointRuleKey (empty where the firewall keeps none). `moved`: packets went to
   * single pods since the last call. The source may answer with its last read, the same Map, when nothing needs a new
   * one: the caller then knows nothing changed.
   */
  rules(moved: boolean): Promise<ReadonlyMap<string, RuleCounters>>;
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

/**
 * Every this many ticks all the veths' counters are sent as they are, the flooded packets included (between those
 * ticks an edge is sent when it carried traffic of its own: link-movement.ts).
 */
const FULL_COUNTERS_TICKS = 15;

const podVeths = (src: TopologySource, pods: Pod[]): string[] => (src.bridge ? pods.filter((p) => !p.spec.hostNetwork).map((p) => src.vethOf(p)) : []);

/** The topology of the store as it is now, with fresh counters. */
export async function readTopology(src: TopologySource): Promise<Topology> {
  const objects = readObjects(src);
  const links = src.links(podVeths(src, objects.pods));
  const rules = await src.rules(true);
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
  /** The host ends of the pods' veths. */
  veths: string[];
}

/**
 * One topology for every watching page. The store is read only when a watched kind changes (debounced). A counter
 * tick reads the veths' counters (one read of /proc/net/dev), puts the new counters of the veths that carried traffic
 * on their edges in place and sends those; only when the rules' counters were read again is the graph rebuilt from
 * the objects already read (pure) and compared. A tick on which nothing moved sends nothing and builds nothing.
 */
export class TopologyFeed {
  private readonly subscribers = new Set<(e: FeedEvent) => void>();
  private stopWatches: (() => void)[] = [];
  private ticker: unknown;
  private pending = false;
  private work: Promise<void> = Promise.resolve();
  private objects: Objects | undefined;
  /** The veths' counters as last read (what movement is measured against). */
  private lastRead: ReadonlyMap<string, LinkCounters> | undefined;
  /** The veths' counters as the pages were last sent them. */
  private shown = new Map<string, LinkCounters>();
  private rules: ReadonlyMap<string, RuleCounters> | undefined;
  private current: Topology | undefined;
  /** The current topology's veth edges by interface: a tick updates them in place. */
  private vethEdges = new Map<string, TopoEdge>();
  private currentJson = "";
  private ticks = 0;

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
    this.lastRead = undefined;
    this.shown = new Map();
    this.rules = undefined;
    this.setCurrent(undefined);
    this.ticks = 0;
  }

  private json(): string {
    if (!this.currentJson) this.currentJson = JSON.stringify(this.current);
    return this.currentJson;
  }

  private setCurrent(t: Topology | undefined, json = ""): void {
    this.current = t;
    this.currentJson = json;
    this.vethEdges = new Map((t?.edges ?? []).filter((e) => e.interface).map((e) => [e.interface!, e]));
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
    return buildTopology({ nodeName: this.src.nodeName, hostIP: this.src.hostIP(), bridge: this.src.bridge, ...o, vethOf: this.src.vethOf, links: this.shown, rules: this.rules ?? new Map() });
  }

  private async rebuild(): Promise<void> {
    if (this.subscribers.size === 0) return;
    try {
      const { pods, services, endpoints } = readObjects(this.src);
      this.objects = { pods, services, endpoints, veths: podVeths(this.src, pods) };
      const veths = new Set(this.objects.veths);
      for (const name of this.shown.keys()) if (!veths.has(name)) this.shown.delete(name);
      // The first picture comes with counters; later ones keep the last read until the next tick.
      if (!this.lastRead) {
        this.lastRead = this.src.links(this.objects.veths);
        this.shown = new Map(this.lastRead);
        this.rules = await this.src.rules(true);
      }
      const next = this.build();
      const json = JSON.stringify(next);
      if (json === this.currentJson) return;
      this.setCurrent(next, json);
      this.broadcast({ kind: "topology", topology: next, json });
    } catch (err) {
      this.broadcast({ kind: "error", json: JSON.stringify({ error: `cannot read the topology: ${err instanceof Error ? err.message : String(err)}` }) });
    }
  }

  private async tick(): Promise<void> {
    if (this.subscribers.size === 0 || !this.objects || !this.current) return;
    let links: ReadonlyMap<string, LinkCounters>;
    let rules: ReadonlyMap<string, RuleCounters>;
    const all = ++this.ticks % FULL_COUNTERS_TICKS === 0;
    try {
      links = this.src.links(this.objects.veths);
      const movement = linkMovement(this.lastRead ?? new Map(), links);
      this.lastRead = links;
      for (const name of all ? links.keys() : movement.moved) this.shown.set(name, links.get(name)!);
      rules = await this.src.rules(movement.unicast > 0);
    } catch {
      return; // the next tick tries again; the picture keeps its last counters
    }
    let delta: CounterDelta;
    if (rules !== this.rules) {
      this.rules = rules;
      const next = this.build();
      delta = counterDelta(this.current, next);
      this.setCurrent(next);
    } else {
      delta = { edges: {} };
      for (const [name, e] of this.vethEdges) {
        const l = this.shown.get(name);
        if (!l || (e.link && sameLink(l, e.link))) continue;
        e.link = l;
        delta.edges[e.id] = { link: l };
      }
    }
    if (Object.keys(delta.edges).length === 0) return;
    this.currentJson = "";
    this.broadcast({ kind: "counters", delta, json: JSON.stringify(delta) });
  }
}

function sameLink(a: LinkCounters, b: LinkCounters): boolean {
  return a.rxPackets === b.rxPackets && a.txPackets === b.txPackets && a.rxBytes === b.rxBytes && a.txBytes === b.txBytes;
}

function readObjects(src: TopologySource): Omit<Objects, "veths"> {
  return {
    pods: src.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${src.nodeName}` }).items,
    services: src.store.list<Service>("Service").items,
    endpoints: src.store.list<Endpoints>("Endpoints").items,
  };
}
