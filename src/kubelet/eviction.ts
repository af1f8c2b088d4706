/**
 * The kubelet's eviction decisions (pkg/kubelet/eviction: eviction_manager.go synchronize and Admit, helpers.go),
 * as pure functions over observations, pod stats and a time: which thresholds are met (a met threshold stays met
 * until its minimum reclaim is free again), which node conditions hold (and keep holding for the pressure
 * transition period), which soft thresholds have outlasted their grace period, how pods rank for eviction, the
 * message an evicted pod carries, and which pods admission refuses under pressure. eviction-manager.ts applies them.
 */
import type { Pod } from "../api/types.js";
import { formatBytes, quantityValue, tryParseQuantity } from "../api/quantity.js";
import { podQOSClass } from "../api/qos.js";
import { isMirrorPod, isStaticPod } from "./pod-objects.js";
import { thresholdAmount, type Observations, type Signal, type Threshold } from "./node-pressure.js";
import { specGraceSeconds } from "../api/termination-grace.js";

export type PressureCondition = "MemoryPressure" | "DiskPressure" | "PIDPressure";
/** The resource a signal starves (helpers.go signalToResource). */
export type StarvedResource = "memory" | "ephemeral-storage" | "inodes" | "pids";

export const SIGNAL_CONDITION: Record<Signal, PressureCondition> = {
  "memory.available": "MemoryPressure",
  "nodefs.available": "DiskPressure",
  "nodefs.inodesFree": "DiskPressure",
  "imagefs.available": "DiskPressure",
  "imagefs.inodesFree": "DiskPressure",
  "pid.available": "PIDPressure",
};

export const SIGNAL_RESOURCE: Record<Signal, StarvedResource> = {
  "memory.available": "memory",
  "nodefs.available": "ephemeral-storage",
  "nodefs.inodesFree": "inodes",
  "imagefs.available": "ephemeral-storage",
  "imagefs.inodesFree": "inodes",
  "pid.available": "pids",
};

/** The taint the node lifecycle controller puts on a node with each condition (TaintNodesByCondition). */
export const CONDITION_TAINT: Record<PressureCondition, string> = {
  MemoryPressure: "node.kubernetes.io/memory-pressure",
  DiskPressure: "node.kubernetes.io/disk-pressure",
  PIDPressure: "node.kubernetes.io/pid-pressure",
};

/** Conditions in the order the kubelet lists them in its messages. */
const CONDITION_ORDER: PressureCondition[] = ["MemoryPressure", "DiskPressure", "PIDPressure"];

/** What the manager remembers between two rounds. */
export interface EvictionState {
  /** Thresholds met in the last round (they stay met until their minimum reclaim is free). */
  met: Threshold[];
  /** When each met threshold was first seen met (ms), for soft grace periods. */
  firstObservedAt: Map<Threshold, number>;
  /** When each condition was last seen (ms), for the pressure transition period. */
  conditionSeenAt: Map<PressureCondition, number>;
}

export const emptyEvictionState = (): EvictionState => ({ met: [], firstObservedAt: new Map(), conditionSeenAt: new Map() });

export interface Evaluation {
  state: EvictionState;
  /** The node conditions to report now, in the kubelet's order. */
  conditions: PressureCondition[];
  /** Thresholds met now (whatever their grace period), for reporting. */
  met: Threshold[];
  /** The threshold to act on (past its grace period), memory first; undefined: nothing to reclaim. */
  reclaim?: Threshold;
}

/** Whether a threshold is met by the observation (with `withMinReclaim`, against value + minimum reclaim). */
export function thresholdMet(t: Threshold, obs: Observations, withMinReclaim: boolean): boolean {
  const o = obs[t.signal];
  if (!o) return false;
  let amount = thresholdAmount(t, o.capacity);
  if (withMinReclaim && t.minReclaim) amount += thresholdAmount(t.minReclaim, o.capacity);
  return amount > o.available;
}

/**
 * One round of synchronize(): thresholds met now, plus the ones met before that have not yet reclaimed their
 * minimum; conditions (held for `transitionMs` after they were last seen); the threshold to reclaim for, if any
 * has outlasted its grace period (hard thresholds have none).
 */
export function evaluate(thresholds: Threshold[], obs: Observations, prev: EvictionState, now: number, transitionMs: number): Evaluation {
  const met = thresholds.filter((t) => thresholdMet(t, obs, false));
  for (const t of prev.met) if (!met.includes(t) && thresholdMet(t, obs, true)) met.push(t);
  const firstObservedAt = new Map<Threshold, number>();
  for (const t of met) firstObservedAt.set(t, prev.firstObservedAt.get(t) ?? now);
  const conditionSeenAt = new Map(prev.conditionSeenAt);
  for (const t of met) conditionSeenAt.set(SIGNAL_CONDITION[t.signal], now);
  const conditions = CONDITION_ORDER.filter((c) => {
    const at = conditionSeenAt.get(c);
    return at !== undefined && now - at < transitionMs;
  });
  for (const c of [...conditionSeenAt.keys()]) if (!conditions.includes(c)) conditionSeenAt.delete(c);
  const due = met.filter((t) => now - firstObservedAt.get(t)! >= (t.gracePeriodMs ?? 0));
  // byEvictionPriority: memory before every other resource.
  const reclaim = due.find((t) => t.signal === "memory.available") ?? due[0];
  return { state: { met, firstObservedAt, conditionSeenAt }, conditions, met, reclaim };
}

/** What a pod uses now, as the stats summary gives it; an absent field was not measured. */
export interface PodUsage {
  memoryBytes?: number;
  /** Writable layers, logs and local volumes (emptyDir), bytes and inodes. */
  diskBytes?: number;
  inodes?: number;
  processes?: number;
  containers: { name: string; memoryBytes?: number; diskBytes?: number }[];
}

/** The pod's priority (spec.priority, 0 without one). */
const priority = (p: Pod): number => p.spec.priority ?? 0;

/** A request's value in whole units; absent (or, in a validated pod, never) unparsable: 0. */
function requestValue(q: string | undefined): number {
  const v = q === undefined ? "0" : tryParseQuantity(q);
  return typeof v === "string" ? 0 : quantityValue(v);
}

/** The pod's request of a resource, summed over its app containers (GetResourceRequestQuantity, init aside). */
export function podRequest(pod: Pod, resource: StarvedResource): number {
  if (resource !== "memory" && resource !== "ephemeral-storage") return 0;
  return pod.spec.containers.reduce((sum, c) => sum + requestValue(c.resources?.requests?.[resource]), 0);
}

function usageOf(u: PodUsage | undefined, resource: StarvedResource): number | undefined {
  if (!u) return undefined;
  if (resource === "memory") return u.memoryBytes;
  if (resource === "ephemeral-storage") return u.diskBytes;
  if (resource === "inodes") return u.inodes;
  return u.processes;
}

/** cmpBool: true first. */
const trueFirst = (a: boolean, b: boolean) => (a === b ? 0 : a ? -1 : 1);

/**
 * Orders pods for eviction under a signal, first to go first (rankMemoryPressure, rankDiskPressureFunc,
 * rankPIDPressure): pods without stats; then pods using more than they request; then lower priority; then the
 * larger use above the request. Under PID pressure: priority, then process count.
 */
export function rankForEviction(signal: Signal, pods: Pod[], stats: (pod: Pod) => PodUsage | undefined): Pod[] {
  const resource = SIGNAL_RESOURCE[signal];
  const use = (p: Pod) => usageOf(stats(p), resource);
  const missing = (a: Pod, b: Pod) => trueFirst(use(a) === undefined, use(b) === undefined);
  const exceeds = (p: Pod) => (use(p) ?? 0) > podRequest(p, resource);
  const byPriority = (a: Pod, b: Pod) => priority(a) - priority(b);
  const aboveRequest = (p: Pod) => (use(p) ?? 0) - podRequest(p, resource);
  const order: ((a: Pod, b: Pod) => number)[] =
    resource === "pids"
      ? [byPriority, missing, (a, b) => (use(b) ?? 0) - (use(a) ?? 0)]
      : [missing, (a, b) => trueFirst(exceeds(a), exceeds(b)), byPriority, (a, b) => aboveRequest(b) - aboveRequest(a)];
  return [...pods].sort((a, b) => {
    for (const cmp of order) {
      const r = cmp(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });
}

/** scheduling.SystemCriticalPriority: pods at or above it are never evicted. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** kubelettypes.IsCriticalPod: static pods, mirror pods and system-critical priorities are never evicted or refused. */
export function isCriticalPod(pod: Pod): boolean {
  if (isStaticPod(pod) || isMirrorPod(pod)) return true;
  return priority(pod) >= SYSTEM_CRITICAL_PRIORITY;
}

/** A byte count as resource.Quantity prints a BinarySI value ("170Mi", "0", "1536"). */
const quantityText = (resource: StarvedResource, n: number) => (resource === "memory" || resource === "ephemeral-storage" ? formatBytes(n) : String(n));

/**
 * The status message and event of an evicted pod (evictionMessage): the starved resource, the threshold and what
 * was available, and each container using more than it requests.
 */
export function evictionMessage(t: Threshold, obs: Observations, pod: Pod, usage: PodUsage | undefined): string {
  const resource = SIGNAL_RESOURCE[t.signal];
  let msg = `The node was low on resource: ${resource}. `;
  const o = obs[t.signal];
  if (o) msg += `Threshold quantity: ${quantityText(resource, thresholdAmount(t, o.capacity))}, available: ${quantityText(resource, o.available)}. `;
  if (resource !== "memory" && resource !== "ephemeral-storage") return msg;
  for (const c of pod.spec.containers) {
    const s = usage?.containers.find((x) => x.name === c.name);
    const used = resource === "memory" ? s?.memoryBytes : s?.diskBytes;
    const q = c.resources?.requests?.[resource];
    const request = requestValue(q);
    if (used !== undefined && used > request) {
      msg += `Container ${c.name} was using ${quantityText(resource, used)}, request is ${q ?? "0"}, has larger consumption of ${resource}. `;
    }
  }
  return msg;
}

/** The grace period an eviction kills with: none for a hard threshold; min(--eviction-max-pod-grace-period, the pod's) for a soft one. */
export function evictionGracePeriod(t: Threshold, pod: Pod, maxPodGraceSeconds: number): number {
  if (!t.gracePeriodMs) return 0;
  return Math.min(maxPodGraceSeconds, specGraceSeconds(pod.spec));
}

/** Tolerates a NoSchedule taint with this key (Exists, or Equal with no value). */
function tolerates(pod: Pod, key: string): boolean {
  return (pod.spec.tolerations ?? []).some(
    (t) => (t.key === key || (t.key === undefined && t.operator === "Exists")) && (!t.effect || t.effect === "NoSchedule") && (t.operator === "Exists" || !t.value),
  );
}

/**
 * The eviction manager's admission (managerImpl.Admit): under any condition but memory pressure alone, every pod
 * but a critical one is refused; under memory pressure alone, BestEffort pods that do not tolerate the
 * memory-pressure taint. The reason is Evicted and the message names the conditions as Go prints a slice.
 */
export function admitUnderPressure(pod: Pod, conditions: PressureCondition[]): { reason: string; message: string } | undefined {
  if (conditions.length === 0 || isCriticalPod(pod)) return undefined;
  if (conditions.length === 1 && conditions[0] === "MemoryPressure") {
    if (podQOSClass(pod) !== "BestEffort") return undefined;
    if (tolerates(pod, CONDITION_TAINT.MemoryPressure)) return undefined;
  }
  return { reason: "Evicted", message: `The node had condition: [${conditions.join(" ")}]. ` };
}
