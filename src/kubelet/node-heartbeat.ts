/**
 * The Node object's lifecycle (the kubelet's node status manager, pkg/kubelet/kubelet_node_status.go): registered at
 * start, then every `nodeStatusUpdateFrequency` (10 s, jittered by up to 4 % as upstream's JitterUntil) the status is
 * computed and compared with the Node the API holds, and written only when it changed — lastHeartbeatTime aside —
 * or when `nodeStatusReportFrequency` (5 min) has passed since the last write (tryUpdateNodeStatus with node leases:
 * the heartbeat is the Lease, kubelet/node-lease.ts, which the node lifecycle controller reads). So the conditions'
 * lastHeartbeatTime moves only when the status is reported. Pressure changes (the eviction manager) ask for a write
 * at once; it happens because the conditions differ. Also answers what the node can give pods (allocatable).
 */
import { isDeepStrictEqual } from "node:util";
import type { Node, NodeCondition, NodeStatus } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";
import type { PressureCondition } from "./eviction.js";
import type { Allocatable } from "./node-admission.js";
import { allocatable, buildNode, type NodeFacts, type NodeSettings } from "./node-status.js";
import { rfc3339 } from "../api/time.js";

/** The kubelet's nodeStatusUpdateFrequency: how often the status is computed and compared. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/** The kubelet's nodeStatusReportFrequency: an unchanged status is still written this often. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** wait.JitterUntil's factor in the kubelet's status loop. */
const JITTER = 0.04;

export interface HeartbeatOptions {
  store: Store;
  facts: NodeFacts;
  settings: NodeSettings;
  /** The pressure conditions of the moment (the eviction manager's). */
  pressure: () => PressureCondition[];
  clock: Clock;
  /** [0, 1): the loop's jitter (default Math.random). */
  random?: () => number;
  updateFrequencyMs?: number;
  reportFrequencyMs?: number;
  log?: (msg: string) => void;
}

export class NodeHeartbeat {
  private timer?: { cancel(): void };
  private stopped = false;
  /** Clock time of the last status write (undefined: none yet from this kubelet). */
  private lastReport: number | undefined;

  constructor(private readonly o: HeartbeatOptions) {}

  /** Writes the Node now (registration, or the first report of a restarted kubelet), then checks every interval. */
  start(): void {
    this.stopped = false;
    this.write();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** write(), with a failure logged rather than thrown (the timer's and the eviction manager's calls). */
  writeSafely(): void {
    try {
      this.write();
    } catch (err) {
      this.o.log?.(`node status: ${String(err)}`);
    }
  }

  /** Creates the Node, or writes its status when it changed or the report is due; true when something was written. */
  write(): boolean {
    const { store, facts, settings, clock } = this.o;
    const now = clock.now();
    const prev = store.get<Node>("Node", "", settings.name);
    const node = buildNode(facts, settings, prev, rfc3339(now), this.o.pressure());
    if (!prev) {
      store.create(node);
      this.lastReport = now;
      return true;
    }
    let wrote = false;
    // Taints live in the spec: written (as the node lifecycle controller does) only when they change.
    if (JSON.stringify(prev.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? [])) {
      store.update({ ...prev, spec: { ...prev.spec, taints: node.spec?.taints } });
      wrote = true;
    }
    const due = this.lastReport === undefined || now >= this.lastReport + (this.o.reportFrequencyMs ?? NODE_STATUS_REPORT_FREQUENCY_MS);
    if (!due && !nodeStatusChanged(prev.status, node.status)) return wrote;
    store.update({ ...node, metadata: prev.metadata }, { subresource: "status" });
    this.lastReport = now;
    return true;
  }

  allocatable(): Allocatable {
    const a = allocatable(this.o.facts, this.o.settings);
    return { cpuMilli: a.cpuMilli, memoryBytes: a.memoryBytes, pods: a.pods };
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.o.updateFrequencyMs ?? NODE_STATUS_UPDATE_FREQUENCY_MS;
    const wait = every + (this.o.random ?? Math.random)() * JITTER * every;
    this.timer = this.o.clock.setTimeout(() => {
      this.writeSafely();
      this.schedule();
    }, wait);
  }
}

/**
 * nodeStatusHasChanged: whether two statuses differ in anything but the conditions' lastHeartbeatTime (conditions
 * compared by type, in any order).
 */
export function nodeStatusChanged(before: NodeStatus | undefined, after: NodeStatus | undefined): boolean {
  if (!before || !after) return before !== after;
  // As JSON carries them (an absent field and an undefined one are the same), keys in any order.
  const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const strip = (cs: NodeCondition[] | undefined) =>
    [...(cs ?? [])].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)).map((c) => ({ ...c, lastHeartbeatTime: undefined }));
  if (!isDeepStrictEqual(plain(strip(before.conditions)), plain(strip(after.conditions)))) return true;
  return !isDeepStrictEqual(plain({ ...before, conditions: undefined }), plain({ ...after, conditions: undefined }));
}
