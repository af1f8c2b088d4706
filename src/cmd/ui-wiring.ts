/**
 * The web view (src/ui/) on the daemon's listeners: its sessions, the topology's sources (the store, each veth's
 * interface statistics) and the 15-minute usage series fed from the pod metrics the node already serves.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Pod } from "../api/types.js";
import type { ApiServer } from "../apiserver/index.js";
import { vethName } from "../network/names.js";
import type { EndpointCount } from "../proxy/proxier.js";
import type { Store } from "../store/store.js";
import { readLinkStats } from "../sys/link-stats.js";
import { findAssetsDir, loadAssets } from "../ui/assets.js";
import { TopologyFeed, type TopologySource } from "../ui/live.js";
import { endpointRuleKey, type RuleCounters } from "../ui/topology.js";
import { UsageSeries } from "../ui/series.js";
import type { ProgrammedRoutes } from "../ui/cluster.js";
import { RuleCounterReads } from "../ui/rule-reads.js";
import { SessionStore } from "../ui/session.js";
import { SessionFile } from "../ui/session-file.js";
import { UiServer } from "../ui/ui-server.js";

/** How often the Service edges' rule counters are re-read while a topology page is open. */
const RULE_COUNTERS_MS = 5000;

export interface UiWiring {
  store: Store;
  nodeName: string;
  hostIP: () => string;
  /** The pod bridge; undefined with --no-network. */
  bridge: string | undefined;
  /** The uid the runtime knows a pod by (a mirror pod's is its static pod's). */
  runtimeUid: (pod: Pod) => string;
  /** The host end of the pod's veth by its runtime uid (the network's lease); else the name its uid would give. */
  podVeth?: (runtimeUid: string) => string | undefined;
  /** The pod cgroup's counters (runtime.podUsage of its runtime uid); without it the pod pages chart nothing. */
  podUsage?: (pod: Pod) => Promise<{ cpuNanos: number; memoryWorkingSetBytes: number }>;
  /** The service proxy's per-endpoint rule counters (late: the proxy starts after the view); none in userspace mode. */
  endpointCounters?: () => Promise<EndpointCount[]> | undefined;
  /** How often the usage series takes a point (default 5 s: 180 points a pod over 15 minutes). */
  sampleMs?: number;
  /** What this node programmed to reach other nodes' pods (CrossNodeRoutes.last), for the cluster view. */
  crossNode?: () => ProgrammedRoutes | undefined;
  /** The file the sessions are kept in across restarts (ROOT/ui-sessions.json); in memory only without it. */
  sessionFile?: string;
}

/** Serves /ui/ on every listener of `api`; returns the function that stops the sampling. */
export function installUi(api: ApiServer, w: UiWiring, log: (m: string) => void): () => void {
  // The rules' counters cost an exec of nft or iptables-save: read at most every RULE_COUNTERS_MS, and only when pods
  // were sent packets (ui/rule-reads.ts), while the veths' counters (one read of /proc/net/dev) are re-read on every
  // tick of the feed.
  const ruleReads = new RuleCounterReads<ReadonlyMap<string, RuleCounters>>(
    async () => {
      const counts = await (w.endpointCounters?.() ?? Promise.resolve([])).catch((err: unknown) => {
        log(`web view: cannot read the service rules' counters: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      });
      return new Map(counts.map((c) => [endpointRuleKey(c.clusterIP, c.port, c.protocol, c.endpointIP, c.endpointPort), { connections: c.packets, ...(c.traffic ? { packets: c.traffic.packets, bytes: c.traffic.bytes } : {}) }]));
    },
    Date.now,
    RULE_COUNTERS_MS,
  );
  const topology: TopologySource = {
    store: w.store,
    nodeName: w.nodeName,
    hostIP: w.hostIP,
    bridge: w.bridge,
    vethOf: (pod) => {
      const uid = w.runtimeUid(pod);
      return w.podVeth?.(uid) ?? vethName(uid);
    },
    links: (interfaces) => readLinkStats(interfaces),
    rules: (moved) => ruleReads.get(moved),
  };
  const dir = findAssetsDir();
  const assets = loadAssets(dir);
  if (!assets.has("index.html")) log("web view: no built page found (dist/ui): /ui/ answers 503 until `make build` writes it");
  const series = new UsageSeries(Date.now);
  const ui = new UiServer({ sessions: new SessionStore(Date.now, {}, w.sessionFile ? new SessionFile(w.sessionFile, log) : undefined), assets, topology, feed: new TopologyFeed(topology), usage: series, crossNode: w.crossNode });
  api.registerPublicHandler("/ui", (req, res, url, access) => ui.handle(req, res, url, access));
  let sampling = false;
  const read = w.podUsage;
  const sample = async () => {
    if (sampling || !read) return;
    sampling = true;
    try {
      const running = w.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${w.nodeName}` }).items.filter((p) => p.status?.phase === "Running");
      // One pod at a time: the counters are read synchronously (sys/cgroups/files.ts), so the loop is held per pod.
      const usage: { namespace: string; name: string; cpuNanos: number; memoryBytes: number }[] = [];
      for (const p of running) {
        await yieldToLoop();
        const u = await read(p).catch(() => undefined);
        if (u) usage.push({ namespace: p.metadata.namespace ?? "default", name: p.metadata.name ?? "", cpuNanos: u.cpuNanos, memoryBytes: u.memoryWorkingSetBytes });
      }
      series.record(usage);
    } catch (err) {
      log(`web view: cannot sample pod usage: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      sampling = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), w.sampleMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}
