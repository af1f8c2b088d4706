/**
 * The horizontal pod autoscaler: the replica calculation (tolerance, missing and unready pods, requests, average
 * values), the normalization (downscale stabilization, scale-up limit, behavior policies), the controller over a
 * fake store, kubelet, Metrics API and clock (conditions, events, status, the target's replicas), and the API
 * (autoscaling/v2 stored, autoscaling/v1 converted both ways, defaults, field errors, discovery, the Table).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../../src/api/apps-types.js";
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from "../../../src/api/autoscaling-types.js";
import { ApiError } from "../../../src/api/errors.js";
import type { Event, Pod } from "../../../src/api/types.js";
import { deploymentController } from "../../../src/controllers/deployment/controller.js";
import { horizontalPodAutoscalerController, SYNC_PERIOD_MS } from "../../../src/controllers/hpa/controller.js";
import { DOWNSCALE_STABILIZATION_MS, newHistory, normalizeWithBehavior, normalizeWithoutBehavior, recordScale } from "../../../src/controllers/hpa/normalize.js";
import { resourceReplicas, type PodSample } from "../../../src/controllers/hpa/replicas.js";
import { replicaSetController } from "../../../src/controllers/replicaset/controller.js";
import { startTestServer } from "../apiserver/harness.js";
import { startControllers } from "./workloads-harness.js";
import { rfc3339 } from "../../../src/api/time.js";

const NOW = Date.parse("2026-12-01T01:00:00Z");
const iso = rfc3339;

/** A running pod started an hour ago (past the CPU initialization period), ready unless told, requesting 100m. */
function pod(name: string, o: { phase?: "Pending" | "Running"; ready?: boolean; request?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" } },
    spec: { containers: [{ name: "c", image: "nginx", resources: o.request === "" ? {} : { requests: { cpu: o.request ?? "100m", memory: "100Mi" } } }] },
    status: {
      phase: o.phase ?? "Running",
      startTime: iso(NOW - 3_600_000),
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: iso(NOW - 3_000_000) }],
    },
  };
}

const samples = (values: Record<string, number>): Map<string, PodSample> => new Map(Object.entries(values).map(([k, v]) => [k, { value: v, timestamp: NOW - 5_000, windowMs: 10_000 }]));

describe("HPA replica calculation (replica_calculator.go)", () => {
  const cpu = (pods: Pod[], values: Record<string, number>, current: number, utilization = 50) =>
    resourceReplicas({ currentReplicas: current, target: { utilization }, resource: "cpu", pods, samples: samples(values), now: NOW });

  it("scales by the usage ratio over the ready pods, and not at all within the 0.1 tolerance", () => {
    const pods = [pod("a"), pod("b")];
    assert.deepEqual(cpu(pods, { a: 150, b: 150 }, 2), { replicas: 6, utilization: 150, rawAverage: 150, timestamp: NOW - 5_000 });
    assert.equal(cpu(pods, { a: 54, b: 54 }, 2).replicas, 2, "108% of a 100% target: within tolerance");
    assert.equal(cpu(pods, { a: 56, b: 56 }, 2).replicas, 3, "112%: out of tolerance, rounded up");
    assert.equal(cpu(pods, { a: 10, b: 10 }, 2).replicas, 1);
  });

  it("counts missing pods at the target on a scale-down and idle on a scale-up, and keeps the count when that flips the direction", () => {
    const three = [pod("a"), pod("b"), pod("c")];
    // 10% each of two measured pods would ask for 1; with the third at 100% the ratio is 0.8 over 3 pods.
    assert.equal(cpu(three, { a: 10, b: 10 }, 3).replicas, 3);
    const four = [pod("a"), pod("b"), pod("c"), pod("d")];
    // 60% alone asks for more; with three idle pods the ratio falls under 1: no change rather than the wrong way.
    assert.equal(cpu(four, { a: 60 }, 4).replicas, 4);
  });

  it("leaves Pending, deleted, Failed and (for CPU) unready pods out, counting unready ones idle on a scale-up", () => {
    const neverReady = pod("u", { ready: false });
    neverReady.status!.conditions![0].lastTransitionTime = iso(NOW - 3_590_000);
    const pods = [pod("a"), pod("b"), pod("p", { phase: "Pending" }), neverReady];
    // a and b at 400% of a 50% target; p and u count as idle: 800m over 400m requested is 200%, 4 × 2 pods... → 8.
    assert.equal(cpu(pods, { a: 200, b: 200, u: 500 }, 4).replicas, 8);
    // A pod unready now but ready before (transition long after its start) is measured like a ready one.
    const wasReady = pod("w", { ready: false });
    assert.equal(cpu([pod("a"), wasReady], { a: 50, w: 150 }, 2).replicas, 4);
    assert.throws(() => cpu([pod("p", { phase: "Pending" })], {}, 1), /did not receive metrics for targeted pods \(pods might be unready\)/);
    assert.throws(() => cpu([], {}, 1), /no pods returned by selector while calculating replica count/);
  });

  it("needs every counted container to request the resource", () => {
    assert.throws(() => cpu([pod("a", { request: "" })], { a: 10 }, 1), /^Error: missing request for cpu in container c of Pod a$/);
  });

  it("an average value target needs no request (memory in milli-bytes, as upstream's MilliValue)", () => {
    const mib = 1024 * 1024 * 1000;
    const p = resourceReplicas({ currentReplicas: 2, target: { averageMilli: 100 * mib }, resource: "memory", pods: [pod("a", { request: "" }), pod("b", { request: "" })], samples: samples({ a: 250 * mib, b: 250 * mib }), now: NOW });
    assert.deepEqual([p.replicas, p.utilization], [5, undefined]);
  });

  it("a CPU sample from before a full window after the readiness change, while initialising, does not count", () => {
    const fresh = pod("a");
    fresh.status!.startTime = iso(NOW - 60_000);
    fresh.status!.conditions![0].lastTransitionTime = iso(NOW - 8_000);
    assert.throws(() => cpu([fresh], { a: 100 }, 1), /pods might be unready/);
    fresh.status!.conditions![0].lastTransitionTime = iso(NOW - 20_000);
    assert.equal(cpu([fresh], { a: 100 }, 1).replicas, 2);
  });
});

describe("HPA normalization (horizontal.go)", () => {
  it("without behavior: the highest recommendation of the last 5 minutes, bounds, and a scale-up limit of max(2×, 4)", () => {
    const h = newHistory();
    let n = normalizeWithoutBehavior(h, { current: 2, desired: 10, min: 1, max: 20, now: NOW });
    assert.deepEqual([n.replicas, n.limited.status, n.limited.reason], [4, true, "ScaleUpLimit"]);
    n = normalizeWithoutBehavior(h, { current: 4, desired: 30, min: 1, max: 6, now: NOW + 15_000 });
    assert.deepEqual([n.replicas, n.limited.reason], [6, "TooManyReplicas"]);
    n = normalizeWithoutBehavior(h, { current: 6, desired: 2, min: 1, max: 6, now: NOW + 30_000 });
    assert.deepEqual([n.replicas, n.ableToScale.reason, n.limited.status], [6, "ScaleDownStabilized", true]);
    n = normalizeWithoutBehavior(h, { current: 6, desired: 2, min: 3, max: 6, now: NOW + 30_000 + DOWNSCALE_STABILIZATION_MS });
    assert.deepEqual([n.replicas, n.ableToScale.reason, n.limited.reason], [3, "ReadyForNewScale", "TooFewReplicas"]);
  });

  it("with behavior: stabilization windows per direction and Pods/Percent policies over their periods", () => {
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max" as const, policies: [{ type: "Pods" as const, value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: "Max" as const, policies: [{ type: "Percent" as const, value: 50, periodSeconds: 60 }] },
    };
    const h = newHistory();
    let n = normalizeWithBehavior(h, behavior, { current: 2, desired: 6, min: 1, max: 10, now: NOW });
    assert.deepEqual([n.replicas, n.limited.reason], [3, "ScaleUpLimit"]);
    recordScale(h, behavior, 2, 3, NOW);
    n = normalizeWithBehavior(h, behavior, { current: 3, desired: 6, min: 1, max: 10, now: NOW + 30_000 });
    assert.equal(n.replicas, 3, "one pod per minute: the period's pod is spent");
    n = normalizeWithBehavior(h, behavior, { current: 3, desired: 6, min: 1, max: 10, now: NOW + 61_000 });
    assert.equal(n.replicas, 4);
    n = normalizeWithBehavior(h, behavior, { current: 8, desired: 1, min: 1, max: 10, now: NOW + 120_000 });
    assert.deepEqual([n.replicas, n.limited.reason], [4, "ScaleDownLimit"]);
    const disabled = { ...behavior, scaleDown: { ...behavior.scaleDown, selectPolicy: "Disabled" as const } };
    assert.equal(normalizeWithBehavior(newHistory(), disabled, { current: 8, desired: 1, min: 1, max: 10, now: NOW }).replicas, 8);
    const slow = { ...behavior, scaleUp: { ...behavior.scaleUp, stabilizationWindowSeconds: 120 } };
    const h2 = newHistory();
    normalizeWithBehavior(h2, slow, { current: 2, desired: 2, min: 1, max: 10, now: NOW });
    n = normalizeWithBehavior(h2, slow, { current: 2, desired: 5, min: 1, max: 10, now: NOW + 15_000 });
    assert.deepEqual([n.replicas, n.ableToScale.reason], [2, "ScaleUpStabilized"]);
  });
});

const deployment = (replicas: number): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }] } },
  },
});

const hpa = (spec: Partial<HorizontalPodAutoscaler["spec"]> = {}): HorizontalPodAutoscaler => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: "default" },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
    maxReplicas: 5,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
    ...spec,
  },
});

describe("HPA controller", () => {
  it("scales a Deployment up within its limits, holds a scale-down for the stabilization window, and reports why", async () => {
    let milli = 150;
    const h = startControllers([replicaSetController, deploymentController, horizontalPodAutoscalerController], {}, { usage: () => ({ cpuNanos: milli * 1e6, memoryKi: 1024 }) });
    const get = () => h.store.get<HorizontalPodAutoscaler>("HorizontalPodAutoscaler", "default", "web")!;
    const replicas = () => h.store.get<Deployment>("Deployment", "default", "web")!.spec.replicas;
    const cond = (type: string) => get().status?.conditions?.find((c) => c.type === type);
    const tick = async (ms = SYNC_PERIOD_MS) => {
      h.clock.advance(ms);
      await h.settle();
      await h.settle();
    };
    try {
      h.api.create(deployment(2));
      await h.settle();
      h.api.create(hpa());
      await h.settle();
      // A new autoscaler is first looked at a sync period later, as upstream's.
      assert.deepEqual([get().status, replicas()], [{ desiredReplicas: 0 }, 2]);
      await tick();
      // 150% of a 50% target: 6 wanted, at most max(2 × 2, 4) = 4 in one step.
      assert.equal(replicas(), 4);
      assert.deepEqual(
        get().status?.conditions?.map((c) => [c.type, c.status, c.reason]),
        [
          ["AbleToScale", "True", "SucceededRescale"],
          ["ScalingActive", "True", "ValidMetricFound"],
          ["ScalingLimited", "True", "ScaleUpLimit"],
        ],
      );
      assert.deepEqual(get().status?.currentMetrics, [{ type: "Resource", resource: { name: "cpu", current: { averageValue: "150m", averageUtilization: 150 } } }]);
      assert.deepEqual([get().status?.currentReplicas, get().status?.desiredReplicas, get().status?.lastScaleTime], [2, 4, iso(h.clock.now())]);
      const events = () => h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.involvedObject.kind === "HorizontalPodAutoscaler");
      assert.ok(events().some((e) => e.reason === "SuccessfulRescale" && e.message === "New size: 4; reason: cpu resource utilization (percentage of request) above target" && e.source?.component === "horizontal-pod-autoscaler"));
      await tick();
      assert.equal(replicas(), 5);
      assert.deepEqual([cond("ScalingLimited")?.status, cond("ScalingLimited")?.reason], ["True", "TooManyReplicas"]);
      // Load falls to 20%: 2 wanted, but the last 5 minutes asked for more.
      milli = 20;
      await tick();
      assert.equal(replicas(), 5);
      assert.deepEqual([cond("AbleToScale")?.reason, get().status?.desiredReplicas], ["ScaleDownStabilized", 5]);
      await tick(DOWNSCALE_STABILIZATION_MS + 1000);
      assert.equal(replicas(), 2);
      assert.ok(events().some((e) => e.message === "New size: 2; reason: All metrics below target"));
      // A target that goes away: AbleToScale False, FailedGetScale.
      h.api.delete("Deployment", "default", "web");
      await tick();
      assert.deepEqual([cond("AbleToScale")?.status, cond("AbleToScale")?.reason], ["False", "FailedGetScale"]);
      assert.match(cond("AbleToScale")!.message!, /deployments.apps "web" not found/);
    } finally {
      await h.close();
    }
  });

  it("without requests on the pods: ScalingActive False with the missing request, and the target left alone", async () => {
    const h = startControllers([replicaSetController, deploymentController, horizontalPodAutoscalerController], {}, { usage: () => ({ cpuNanos: 90e6, memoryKi: 1024 }) });
    try {
      const d = deployment(1);
      d.spec.template.spec.containers[0].resources = {};
      h.api.create(d);
      await h.settle();
      h.api.create(hpa({ minReplicas: 1, maxReplicas: 3 }));
      h.clock.advance(SYNC_PERIOD_MS);
      await h.settle();
      await h.settle();
      const s = h.store.get<HorizontalPodAutoscaler>("HorizontalPodAutoscaler", "default", "web")!.status!;
      const active = s.conditions?.find((c) => c.type === "ScalingActive");
      assert.deepEqual([active?.status, active?.reason], ["False", "FailedGetResourceMetric"]);
      assert.match(active!.message!, /the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod web-/);
      assert.equal(h.store.get<Deployment>("Deployment", "default", "web")!.spec.replicas, 1);
    } finally {
      await h.close();
    }
  });
});

describe("HorizontalPodAutoscaler API (autoscaling/v2 stored, v1 converted)", () => {
  async function rejects(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
    await assert.rejects(p, (err: unknown) => err instanceof ApiError && err.code === code && message.test(err.message));
  }

  it("serves v2 as preferred beside v1, converts v1 writes and reads, defaults, and lists kubectl's columns", async () => {
    const t = await startTestServer();
    try {
      const group = await t.client.request<{ preferredVersion: { version: string }; versions: { version: string }[] }>("GET", "/apis/autoscaling");
      assert.deepEqual([group.preferredVersion.version, group.versions.map((v) => v.version)], ["v2", ["v2", "v1"]]);
      const v1: HorizontalPodAutoscalerV1 = {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web", namespace: "default" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 4, targetCPUUtilizationPercentage: 60 },
      };
      const created = await t.client.request<HorizontalPodAutoscalerV1>("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", { body: v1 });
      assert.deepEqual([created.apiVersion, created.spec.targetCPUUtilizationPercentage, created.spec.minReplicas, created.status], ["autoscaling/v1", 60, 1, { currentReplicas: 0, desiredReplicas: 0 }]);
      assert.equal(created.metadata.annotations, undefined);
      const v2 = await t.client.request<HorizontalPodAutoscaler>("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web");
      assert.deepEqual(v2.spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
      // What v1 cannot say travels in annotations and comes back on a v1 read-modify-write.
      v2.spec.metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "200Mi" } } });
      v2.spec.behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
      await t.client.request("PUT", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web", { body: v2 });
      const asV1 = await t.client.request<HorizontalPodAutoscalerV1>("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web");
      assert.ok(asV1.metadata.annotations?.["autoscaling.alpha.kubernetes.io/metrics"]?.includes("200Mi"));
      asV1.spec.maxReplicas = 7;
      await t.client.request("PUT", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web", { body: asV1 });
      const after = await t.client.request<HorizontalPodAutoscaler>("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web");
      assert.deepEqual([after.spec.maxReplicas, after.spec.metrics?.length, after.spec.behavior?.scaleDown?.stabilizationWindowSeconds, after.metadata.annotations], [7, 2, 60, undefined]);
      assert.deepEqual(after.spec.behavior?.scaleUp?.policies, [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }]);
      // A merge patch through v1 patches v1 fields.
      await t.client.request("PATCH", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web", { body: { spec: { targetCPUUtilizationPercentage: 70 } }, contentType: "application/merge-patch+json" });
      const patched = await t.client.request<HorizontalPodAutoscaler>("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web");
      assert.equal(patched.spec.metrics?.[0].resource?.target.averageUtilization, 70);
      const list = await t.client.request<{ apiVersion: string; items: HorizontalPodAutoscalerV1[] }>("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers");
      assert.deepEqual([list.apiVersion, list.items[0].apiVersion, list.items[0].spec.targetCPUUtilizationPercentage], ["autoscaling/v1", "autoscaling/v1", 70]);
      const table = await t.client.table("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers");
      assert.deepEqual(table.columnDefinitions?.map((c) => c.name), ["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
      assert.deepEqual(table.rows[0].cells.slice(0, 6), ["web", "Deployment/web", "cpu: <unknown>/70%, memory: <unknown>/200Mi", "1", 7, 0]);
    } finally {
      await t.close();
    }
  });

  it("refuses bad specs with Kubernetes' field errors, nothing stored", async () => {
    const t = await startTestServer();
    const post = (o: HorizontalPodAutoscaler) => t.client.request("POST", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", { body: o });
    try {
      await rejects(post(hpa({ minReplicas: 3, maxReplicas: 2 })), 422, /spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
      await rejects(post(hpa({ minReplicas: 0 })), 422, /spec.minReplicas: Invalid value: 0: must be greater than or equal to 1/);
      await rejects(post(hpa({ scaleTargetRef: { kind: "", name: "web" } })), 422, /spec.scaleTargetRef.kind: Required value/);
      await rejects(post(hpa({ metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 0 } } }] })), 422, /spec.metrics\[0\].resource.target.averageUtilization: Invalid value: 0: must be greater than 0/);
      await rejects(post(hpa({ metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } }] })), 422, /must set either a target raw value or a target utilization/);
      await rejects(post(hpa({ behavior: { scaleUp: { policies: [{ type: "Pods", value: 0, periodSeconds: 1801 }] } } })), 422, /spec.behavior.scaleUp.policies\[0\].value: Invalid value: 0: must be greater than zero.*periodSeconds: Invalid value: 1801: must be less than or equal to 1800/s);
      await rejects(post(hpa({ behavior: { scaleDown: { selectPolicy: "Sometimes" as "Max" } } })), 422, /spec.behavior.scaleDown.selectPolicy: Unsupported value: "Sometimes"/);
      assert.equal(t.store.list("HorizontalPodAutoscaler").items.length, 0);
    } finally {
      await t.close();
    }
  });
});

