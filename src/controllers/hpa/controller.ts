/**
 * The horizontal pod autoscaler controller (pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler), on
 * OwnerController over HorizontalPodAutoscalers, each looked at every 15 s (the sync period) and on every change:
 * read the target's scale (Deployment, ReplicaSet, StatefulSet), compute a count per metric from the Metrics API's
 * pod usage (replicas.ts; CPU and memory, as utilization of the requests or as an average value), take the
 * highest, normalize it (normalize.ts: stabilization, min/max, scale-up limit or behavior policies), write the
 * target's replicas and the status with the AbleToScale / ScalingActive / ScalingLimited conditions. Events:
 * SuccessfulRescale, FailedRescale, FailedGetScale, FailedGetResourceMetric, FailedComputeMetricsReplicas,
 * SelectorRequired, as upstream words them. Object, Pods and External metrics need a custom metrics API, which no
 * one serves here: they count as invalid metrics with that reason.
 */
import { scaleOf, withScale } from "../../api/apps.js";
import type { Deployment, ReplicaSet, StatefulSet } from "../../api/apps-types.js";
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  HorizontalPodAutoscalerStatus,
  HpaConditionType,
  MetricSpec,
  MetricStatus,
} from "../../api/autoscaling-types.js";
import { deepEqual } from "../../api/json.js";
import { parseLabelSelector } from "../../api/labels.js";
import { parseQuantity, toMilli, formatCPU } from "../../api/quantity.js";
import { resourceForKind } from "../../api/resources.js";
import type { Pod, PodMetrics } from "../../api/types.js";
import { rfc3339 } from "../../store/metadata.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import { objectKey, splitKey, type Informer } from "../foundation/informer.js";
import { OwnerController, type SelectorOwner } from "../foundation/owner-controller.js";
import { newHistory, normalizeWithBehavior, normalizeWithoutBehavior, recordInitial, recordScale, type History } from "./normalize.js";
import { resourceReplicas, samplesFrom, type ResourceTarget } from "./replicas.js";

/** --horizontal-pod-autoscaler-sync-period. */
export const SYNC_PERIOD_MS = 15_000;

type Scalable = Deployment | ReplicaSet | StatefulSet;

/** A metric's proposal, or why there is none (the condition reason of getUnableComputeReplicaCountCondition). */
type MetricResult = { replicas: number; name: string; status: MetricStatus } | { error: string; reason: string };

/** The owner skeleton wants a selector in the spec; an autoscaler has none (its pods come from the target's scale). */
type Hpa = HorizontalPodAutoscaler & SelectorOwner;

class HpaController extends OwnerController<Hpa> {
  private readonly pods: Informer<Pod>;
  private readonly history = new Map<string, History>();

  constructor(ctx: ControllerContext) {
    super(ctx, "horizontal-pod-autoscaler", "HorizontalPodAutoscaler");
    this.pods = ctx.informers.informer<Pod>("Pod");
  }

  // The autoscaler polls (every sync period) rather than following pods.
  protected override watchDependents(): void {}

  protected override ownerDeleted(key: string): void {
    this.history.delete(key);
  }

  // Upstream's fixed-interval rate limiter: a new or changed autoscaler, like one just looked at, waits a sync period
  // (a key already waiting keeps its earlier time), so each is looked at once per period.
  protected override enqueue(hpa: Hpa): void {
    this.queue.addAfter(objectKey(hpa), SYNC_PERIOD_MS);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.owners.get(namespace, name);
    if (!hpa) return;
    try {
      await this.reconcile(key, structuredClone(hpa));
    } catch (err) {
      // Recorded in the status and events already; the retry is the next period's look, not a back-off.
      this.ctx.log(`${this.name}: ${key}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (this.owners.get(namespace, name)) this.queue.addAfter(key, SYNC_PERIOD_MS);
    }
  }

  private async reconcile(key: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    const original = structuredClone(hpa.status ?? { desiredReplicas: 0 });
    // Conditions are changed in place (setCondition): the copy must not share them with the original compared against.
    const status: HorizontalPodAutoscalerStatus = { ...original, conditions: (original.conditions ?? []).map((c) => ({ ...c })) };
    const now = this.ctx.clock.now();
    const cond = (type: HpaConditionType, ok: boolean, reason: string, message: string): void => setCondition(status, type, ok ? "True" : "False", reason, message, now);
    const ref = hpa.spec.scaleTargetRef;
    const namespace = hpa.metadata.namespace ?? "";
    const target = this.target(namespace, ref.kind, ref.name, ref.apiVersion);
    if (typeof target === "string") {
      this.events.event(hpa, "Warning", "FailedGetScale", target);
      cond("AbleToScale", false, "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${target}`);
      this.writeStatus(hpa, original, status);
      throw new Error(`failed to query scale subresource for ${reference(hpa)}: ${target}`);
    }
    cond("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    const scale = scaleOf(target);
    const current = scale.spec.replicas ?? 0;
    const history = this.historyOf(key);
    recordInitial(history, current, now);
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = 0;
    let rescale = true;
    let reason = "";
    let metricStatuses = status.currentMetrics ?? [];
    if (current === 0 && min !== 0) {
      rescale = false;
      cond("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
    } else if (current > max) {
      reason = "Current number of replicas above Spec.MaxReplicas";
      desired = max;
    } else if (current < min) {
      reason = "Current number of replicas below Spec.MinReplicas";
      desired = min;
    } else {
      const computed = await this.computeForMetrics(hpa, scale.status.selector, current, status, now);
      metricStatuses = computed.statuses;
      if (computed.replicas === undefined) {
        status.currentReplicas = current;
        status.currentMetrics = metricStatuses;
        this.writeStatus(hpa, original, status);
        this.events.event(hpa, "Warning", "FailedComputeMetricsReplicas", computed.error ?? "");
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference(hpa)}: ${computed.error ?? ""}`);
      }
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = "All metrics below target";
      const args = { current, desired, min, max, now };
      const n = hpa.spec.behavior ? normalizeWithBehavior(history, hpa.spec.behavior, args) : normalizeWithoutBehavior(history, args);
      cond("AbleToScale", true, n.ableToScale.reason, n.ableToScale.message);
      cond("ScalingLimited", n.limited.status, n.limited.reason, n.limited.message);
      desired = n.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      try {
        this.ctx.api.update(withScale(target, { ...scale, spec: { replicas: desired } }));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.events.event(hpa, "Warning", "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${message}`);
        cond("AbleToScale", false, "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${message}`);
        status.currentReplicas = current;
        status.currentMetrics = metricStatuses;
        this.writeStatus(hpa, original, status);
        throw new Error(`failed to rescale ${reference(hpa)}: ${message}`, { cause: err });
      }
      cond("AbleToScale", true, "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`);
      this.events.event(hpa, "Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
      recordScale(history, hpa.spec.behavior, current, desired, now);
      status.lastScaleTime = rfc3339(new Date(now));
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    status.currentMetrics = metricStatuses;
    this.writeStatus(hpa, original, status);
  }

  /** The scale target from the cache of its kind, or upstream's error text. */
  private target(namespace: string, kind: string, name: string, apiVersion: string | undefined): Scalable | string {
    const info = resourceForKind(kind);
    const group = apiVersion?.includes("/") ? apiVersion.split("/")[0] : "";
    if (!info || !info.subresources.includes("scale") || (apiVersion !== undefined && group !== info.group)) {
      return `unable to determine resource for scale target reference: no matches for kind "${kind}" in group "${group}"`;
    }
    const obj = this.ctx.api.get<Scalable>(kind, namespace, name);
    return obj ?? `${info.plural}.${info.group} "${name}" not found`;
  }

  /** computeReplicasForMetrics: the highest proposal; an error when every metric failed, or some did and the rest would scale down. */
  private async computeForMetrics(
    hpa: HorizontalPodAutoscaler,
    selector: string | undefined,
    current: number,
    status: HorizontalPodAutoscalerStatus,
    now: number,
  ): Promise<{ replicas?: number; metric?: string; statuses: MetricStatus[]; error?: string }> {
    const specs = hpa.spec.metrics ?? [];
    const cond = (type: HpaConditionType, ok: boolean, reason: string, message: string): void => setCondition(status, type, ok ? "True" : "False", reason, message, now);
    if (!selector) {
      const error = "selector is required";
      this.events.event(hpa, "Warning", "SelectorRequired", error);
      cond("ScalingActive", false, "InvalidSelector", "the HPA target's scale is missing a selector");
      return { statuses: [], error };
    }
    const matcher = parseLabelSelector(selector);
    const pods = this.pods.list(hpa.metadata.namespace ?? "").filter((p) => matcher.matches(p.metadata.labels ?? {}));
    const statuses: MetricStatus[] = [];
    let best: { replicas: number; name: string } | undefined;
    let invalid = 0;
    let first: { error: string; reason: string } | undefined;
    for (const spec of specs) {
      const r = await this.computeForMetric(hpa, spec, current, selector, pods, now);
      if ("error" in r) {
        statuses.push({ type: "" as MetricStatus["type"] });
        this.events.event(hpa, "Warning", r.reason, r.error);
        if (!first) first = r;
        invalid++;
        continue;
      }
      statuses.push(r.status);
      if (!best || r.replicas > best.replicas) best = { replicas: r.replicas, name: r.name };
    }
    const error = first ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}` : undefined;
    if (first && (invalid >= specs.length || (best?.replicas ?? 0) < current)) {
      cond("ScalingActive", false, first.reason, `the HPA was unable to compute the replica count: ${first.error}`);
      return { statuses, error };
    }
    cond("ScalingActive", true, "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${best?.name ?? ""}`);
    return { replicas: best?.replicas ?? current, metric: best?.name, statuses, error };
  }

  private async computeForMetric(hpa: HorizontalPodAutoscaler, spec: MetricSpec, current: number, selector: string, pods: Pod[], now: number): Promise<MetricResult> {
    const container = spec.type === "ContainerResource";
    const src = container ? spec.containerResource : spec.type === "Resource" ? spec.resource : undefined;
    if (!src) {
      const reason = spec.type === "Object" ? "FailedGetObjectMetric" : spec.type === "Pods" ? "FailedGetPodsMetric" : spec.type === "External" ? "FailedGetExternalMetric" : "InvalidMetricSourceType";
      return { reason, error: `unable to get ${String(spec.type).toLowerCase()} metric: no custom or external metrics API is served by this node` };
    }
    const reason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    const containerName = container ? spec.containerResource?.container : undefined;
    const t = src.target;
    const byValue = t.averageValue !== undefined;
    if (!byValue && t.averageUtilization === undefined) {
      return { reason, error: "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set" };
    }
    const what = byValue ? "usage" : "utilization";
    let samples;
    try {
      samples = samplesFrom(await this.podMetrics(hpa.metadata.namespace ?? "", selector, src.name), src.name, containerName);
    } catch (err) {
      return { reason, error: `failed to get ${src.name} ${what}: unable to get metrics for resource ${src.name}: ${(err as Error).message}` };
    }
    const target: ResourceTarget = byValue ? { averageMilli: toMilli(parseQuantity(t.averageValue ?? "0")) } : { utilization: t.averageUtilization ?? 0 };
    try {
      const p = resourceReplicas({ currentReplicas: current, target, resource: src.name, container: containerName, pods, samples, now });
      // formatCPU is NewMilliQuantity(v, DecimalSI).String(): upstream's averageValue for memory too.
      const current_ = { averageValue: formatCPU(p.rawAverage), ...(byValue ? {} : { averageUtilization: p.utilization }) };
      const status: MetricStatus = container
        ? { type: "ContainerResource", containerResource: { name: src.name, container: containerName ?? "", current: current_ } }
        : { type: "Resource", resource: { name: src.name, current: current_ } };
      const label = container ? `${src.name} container resource` : `${src.name} resource`;
      return { replicas: p.replicas, name: byValue ? label : `${label} utilization (percentage of request)`, status };
    } catch (err) {
      return { reason, error: `failed to get ${src.name} ${what}: ${(err as Error).message}` };
    }
  }

  private async podMetrics(namespace: string, selector: string, resource: string): Promise<PodMetrics[]> {
    if (resource !== "cpu" && resource !== "memory") throw new Error(`the resource metrics API reports cpu and memory, not ${resource}`);
    if (!this.ctx.metrics) throw new Error("unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)");
    const items = await this.ctx.metrics.podMetrics(namespace, selector);
    if (items.length === 0) throw new Error("no metrics returned from resource metrics API");
    return items;
  }

  private historyOf(key: string): History {
    let h = this.history.get(key);
    if (!h) this.history.set(key, (h = newHistory()));
    return h;
  }

  private writeStatus(hpa: HorizontalPodAutoscaler, original: HorizontalPodAutoscalerStatus, status: HorizontalPodAutoscalerStatus): void {
    if (deepEqual(original, status)) return;
    const fresh = this.owners.get(hpa.metadata.namespace ?? "", hpa.metadata.name ?? "");
    if (!fresh) return;
    this.ctx.api.updateStatus<HorizontalPodAutoscaler>({ ...fresh, status });
  }
}

function reference(hpa: HorizontalPodAutoscaler): string {
  return `${hpa.spec.scaleTargetRef.kind}/${hpa.metadata.namespace ?? ""}/${hpa.spec.scaleTargetRef.name}`;
}

/** setCondition: a changed status moves lastTransitionTime; reason and message are always the latest. */
export function setCondition(status: HorizontalPodAutoscalerStatus, type: HpaConditionType, value: "True" | "False", reason: string, message: string, now: number): void {
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  if (!existing) {
    const c: HorizontalPodAutoscalerCondition = { type, status: value, lastTransitionTime: rfc3339(new Date(now)), reason, message };
    conditions.push(c);
    return;
  }
  if (existing.status !== value) existing.lastTransitionTime = rfc3339(new Date(now));
  existing.status = value;
  existing.reason = reason;
  existing.message = message;
}

export const horizontalPodAutoscalerController = (ctx: ControllerContext): Controller => new HpaController(ctx);
