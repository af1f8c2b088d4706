/**
 * The web view (src/ui/) on the daemon's listeners: its sessions, the topology's sources (the store, each veth's
 * interface statistics) and the 15-minute usage series fed from the pod metrics the node already serves.
 */
import { parseQuantity } from "../api/quantity.js";
import type { Pod, PodMetrics } from "../api/types.js";
import type { ApiServer } from "../apiserver/index.js";
import { vethName } from "../network/names.js";
import type { Store } from "../store/store.js";
import { readLinkStats } from "../sys/link-stats.js";
import { findAssetsDir, loadAssets } from "../ui/assets.js";
import { TopologyFeed, type TopologySource } from "../ui/live.js";
import { UsageSeries, type PodUsage } from "../ui/series.js";
import { SessionStore } from "../ui/session.js";
import { UiServer } from "../ui/ui-server.js";

export interface UiWiring {
  store: Store;
  nodeName: string;
  hostIP: () => string;
  /** The pod bridge; undefined with --no-network. */
  bridge: string | undefined;
  /** The uid the runtime knows a pod by (a mirror pod's is its static pod's). */
  runtimeUid: (pod: Pod) => string;
  /** How often the usage series takes a point (default 5 s: 180 points a pod over 15 minutes). */
  sampleMs?: number;
}

/** Serves /ui/ on every listener of `api`; returns the function that stops the sampling. */
export function installUi(api: ApiServer, w: UiWiring, log: (m: string) => void): () => void {
  const topology: TopologySource = {
    store: w.store,
    nodeName: w.nodeName,
    hostIP: w.hostIP,
    bridge: w.bridge,
    vethOf: (pod) => vethName(w.runtimeUid(pod)),
    counters: async (interfaces) => ({ links: await readLinkStats(interfaces), rules: new Map() }),
  };
  const dir = findAssetsDir();
  const assets = loadAssets(dir);
  if (!assets.has("index.html")) log("web view: no built page found (dist/ui): /ui/ answers 503 until `make build` writes it");
  const usage = new UsageSeries(Date.now);
  const ui = new UiServer({ sessions: new SessionStore(Date.now), assets, topology, feed: new TopologyFeed(topology), usage });
  api.registerPublicHandler("/ui", (req, res, url, access) => ui.handle(req, res, url, access));
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    try {
      usage.record((await api.podMetrics("", "")).map(podUsage));
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

function podUsage(m: PodMetrics): PodUsage {
  let cpu = 0;
  let mem = 0;
  for (const c of m.containers) {
    cpu += Number(parseQuantity(c.usage.cpu).nanos);
    mem += Number(parseQuantity(c.usage.memory).nanos / 1_000_000_000n);
  }
  return { namespace: m.metadata.namespace ?? "default", name: m.metadata.name ?? "", cpuNanoCores: cpu, memoryBytes: mem };
}
