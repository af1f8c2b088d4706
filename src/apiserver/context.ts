/** What every handler can reach: the store, the node's PodIO, hooks and settings. Built once by createApiServer. */
import type { AdmissionContext } from "../api/admission.js";
import type { Authorizer } from "../auth/rbac/authorizer.js";
import type { ServiceAccountTokens } from "../auth/service-account-tokens.js";
import type { Store } from "../store/store.js";
import type { StartTraces } from "../sys/start-trace.js";
import type { Registry } from "../metrics/registry.js";
import type { Hooks } from "./hooks.js";
import type { PodIO } from "../api/pod-io.js";
import type { ServerLimits } from "./limits.js";
import type { WatchLimiter } from "./watch-limits.js";

/** CPU and memory of the whole node as quantities ("250m", "1024Ki"), for metrics.k8s.io NodeMetrics. */
export interface NodeUsage {
  cpu: string;
  memory: string;
}

export interface ServerContext {
  store: Store;
  podIO: PodIO;
  nodeName: string;
  admission: AdmissionContext;
  hooks: Hooks;
  /** Milliseconds since the epoch: ages in tables, deletion timestamps. */
  now(): number;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
  /** Timeouts, connection and watch bounds (limits.ts). */
  limits: ServerLimits;
  /** Open watches per client. */
  watches: WatchLimiter;
  /** Decides every request (RBAC behind the system:masters group); also answers the self reviews. */
  authorizer: Authorizer;
  /** Issues (TokenRequest) and verifies ServiceAccount tokens. */
  tokens: ServiceAccountTokens;
  /** `/metrics` (the API server's own series and whatever the daemon adds) and `/metrics/cadvisor` (when given). */
  metrics: { main: Registry; cadvisor?: Registry };
  /** The node's usage; when absent, the sum of its pods' usage. */
  nodeUsage?: () => Promise<NodeUsage>;
  /** Pod start traces (the kubelet opens a pod's trace when the create's watch event reaches it). */
  traces?: StartTraces;
}
