/**
 * The replica count one resource metric asks for (pkg/controller/podautoscaler/replica_calculator.go), pure:
 * pods are grouped (ignored: deleted or Failed; unready: Pending, or for CPU not ready / still initialising;
 * missing: no sample), the usage ratio is computed over the ready pods with samples, and when pods are unready or
 * missing the ratio is recomputed the conservative way (missing pods count as at the target on a scale-down and as
 * idle on a scale-up, unready ones as idle on a scale-up) and the change is dropped if it would flip direction.
 * A ratio within the tolerance of 1 keeps the current count. Values are milli-units, as upstream's MilliValue.
 */
import { parseQuantity, toMilli } from "../../api/quantity.js";
import type { Pod, PodMetrics } from "../../api/types.js";
import { readyCondition } from "../workload/pods.js";

/** --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** One pod's usage of a resource, summed over its containers (or the one named), in milli-units. */
export interface PodSample {
  value: number;
  timestamp: number;
  windowMs: number;
}

export type ResourceTarget = { utilization: number } | { averageMilli: number };

export interface ResourceProposal {
  replicas: number;
  /** Percent of the requests (utilization targets only). */
  utilization?: number;
  /** The average usage per pod in milli-units. */
  rawAverage: number;
  timestamp: number;
}

/** The samples of pods from PodMetrics (GetResourceMetric): a pod lacking the resource in a counted container has none. */
export function samplesFrom(metrics: PodMetrics[], resource: string, container?: string): Map<string, PodSample> {
  const out = new Map<string, PodSample>();
  for (const m of metrics) {
    let sum = 0;
    let missing = false;
    for (const c of m.containers) {
      if (container && c.name !== container) continue;
      const q = (c.usage as Record<string, string | undefined>)[resource];
      if (q === undefined) {
        missing = true;
        break;
      }
      sum += toMilli(parseQuantity(q));
    }
    if (missing || (container && !m.containers.some((c) => c.name === container))) continue;
    out.set(m.metadata.name ?? "", { value: sum, timestamp: Date.parse(m.timestamp), windowMs: parseWindow(m.window) });
  }
  return out;
}

function parseWindow(w: string): number {
  const m = /^([0-9.]+)(ms|s|m)$/.exec(w);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "s" ? 1000 : 60_000);
}

interface Groups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods. */
export function groupPods(pods: Pod[], samples: Map<string, PodSample>, resource: string, now: number): Groups {
  const g: Groups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? "";
    if (pod.metadata.deletionTimestamp || pod.status?.phase === "Failed") {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === "Pending") {
      g.unready.add(name);
      continue;
    }
    const sample = samples.get(name);
    if (!sample) {
      g.missing.add(name);
      continue;
    }
    if (resource === "cpu" && cpuUnready(pod, sample, now)) {
      g.unready.add(name);
      continue;
    }
    g.readyCount++;
  }
  return g;
}

function cpuUnready(pod: Pod, sample: PodSample, now: number): boolean {
  const cond = readyCondition(pod);
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
  if (!cond || start === undefined) return true;
  const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
  // Still initialising: a sample taken before a full window since the last readiness change does not count.
  if (start + CPU_INITIALIZATION_PERIOD_MS > now) return cond.status === "False" || sample.timestamp < transition + sample.windowMs;
  // Unready and never ready since start.
  return cond.status === "False" && start + INITIAL_READINESS_DELAY_MS > transition;
}

/** calculatePodRequests: per pod, the sum of the counted containers' requests (restartable init containers too). */
export function podRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
    let sum = 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name ?? ""}`);
      sum += toMilli(parseQuantity(q));
    }
    out.set(pod.metadata.name ?? "", sum);
  }
  return out;
}

/** GetResourceUtilizationRatio: the ratio is taken from the whole-percent utilization, as upstream's integer arithmetic. */
function utilizationRatio(samples: Map<string, number>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let total = 0;
  let requested = 0;
  let n = 0;
  for (const [name, value] of samples) {
    const r = requests.get(name);
    if (r === undefined) continue;
    total += value;
    requested += r;
    n++;
  }
  if (requested === 0) throw new Error("no metrics returned matched known pods");
  const utilization = Math.trunc((total * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(total / n) };
}

/** GetMetricUsageRatio: average usage per pod against an average-value target. */
function usageRatio(samples: Map<string, number>, target: number): { ratio: number; rawAverage: number } {
  let total = 0;
  for (const v of samples.values()) total += v;
  const avg = Math.trunc(total / samples.size);
  return { ratio: avg / target, rawAverage: avg };
}

/**
 * GetResourceReplicas (utilization target) and GetRawResourceReplicas (average value target). Throws with
 * upstream's message when nothing can be computed.
 */
export function resourceReplicas(args: {
  currentReplicas: number;
  target: ResourceTarget;
  resource: string;
  container?: string;
  pods: Pod[];
  samples: Map<string, PodSample>;
  now: number;
}): ResourceProposal {
  const { currentReplicas, target, resource, pods, now } = args;
  if (pods.length === 0) throw new Error("no pods returned by selector while calculating replica count");
  const groups = groupPods(pods, args.samples, resource, now);
  const values = new Map<string, number>();
  let timestamp = 0;
  for (const [name, s] of args.samples) {
    if (groups.ignored.has(name) || groups.unready.has(name)) continue;
    if (!pods.some((p) => p.metadata.name === name)) continue;
    values.set(name, s.value);
    timestamp = Math.max(timestamp, s.timestamp);
  }
  if (values.size === 0) throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  const utilizationTarget = "utilization" in target ? target.utilization : undefined;
  const requests = utilizationTarget !== undefined ? podRequests(pods, resource, args.container) : new Map<string, number>();
  const measure = (v: Map<string, number>): { ratio: number; utilization?: number; rawAverage: number } =>
    utilizationTarget !== undefined ? utilizationRatio(v, requests, utilizationTarget) : usageRatio(v, (target as { averageMilli: number }).averageMilli);
  const first = measure(values);
  const keep = (): ResourceProposal => ({ replicas: currentReplicas, utilization: first.utilization, rawAverage: first.rawAverage, timestamp });
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= TOLERANCE) return keep();
    return { ...keep(), replicas: Math.ceil(first.ratio * groups.readyCount) };
  }
  if (first.ratio < 1) {
    // On a scale-down, a pod without a sample is taken to use its request at the target (at least 100%).
    for (const name of groups.missing) {
      values.set(name, utilizationTarget !== undefined ? Math.trunc(((requests.get(name) ?? 0) * Math.max(100, utilizationTarget)) / 100) : (target as { averageMilli: number }).averageMilli);
    }
  } else if (first.ratio > 1) {
    for (const name of groups.missing) values.set(name, 0);
  }
  if (scaleUpWithUnready) for (const name of groups.unready) values.set(name, 0);
  const next = measure(values).ratio;
  if (Math.abs(1 - next) <= TOLERANCE || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) return keep();
  const replicas = Math.ceil(next * values.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep();
  return { ...keep(), replicas };
}
