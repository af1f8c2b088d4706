/**
 * The Eviction subresource over HTTP: a budget that allows a disruption is spent (status.disruptedPods) and the pod
 * is deleted after getting the DisruptionTarget condition; one that allows none answers 429 with the DisruptionBudget
 * cause; a stale budget 429 with Retry-After; two budgets 500; Pending pods go regardless; deleteOptions (grace
 * period, uid precondition, dryRun) are honoured; discovery lists pods/eviction as policy/v1 Eviction.
 */
import assert from "node:assert/strict";
import { after, beforeEach, describe, it } from "node:test";
import type { PodDisruptionBudget } from "../../../src/api/policy-types.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { Pod, Status } from "../../../src/api/types.js";
import { resourcePath } from "../../../src/client/index.js";
import { startTestServer, storePod, testPod, type TestServer } from "./harness.js";

const PODS = resourceForKind("Pod")!;

const readyPod = (name: string): Pod => {
  const p = testPod(name, { labels: { app: "web" }, phase: "Running" });
  p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
  return p;
};

function budget(t: TestServer, name: string, status: Partial<PodDisruptionBudget["status"]> & { disruptionsAllowed: number }, generation = 1): PodDisruptionBudget {
  const created = t.store.create<PodDisruptionBudget>({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace: "default" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } });
  const full = { currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, observedGeneration: generation, ...status };
  return t.store.update<PodDisruptionBudget>({ ...created, status: full }, { subresource: "status" });
}

describe("API server: pods/eviction", () => {
  let t: TestServer;
  beforeEach(async () => {
    await t?.close();
    t = await startTestServer();
  });
  after(() => t?.close());

  const evict = (name: string, body: Record<string, unknown> = {}, query?: Record<string, string>) =>
    t.client.raw("POST", resourcePath(PODS, "default", name, "eviction"), { body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" }, ...body }, query });
  const pod = (name: string) => t.store.get<Pod>("Pod", "default", name);
  const json = (b: Buffer) => JSON.parse(b.toString()) as Status;

  it("spends an allowed disruption, marks the pod DisruptionTarget and deletes it gracefully", async () => {
    storePod(t.store, readyPod("a"));
    budget(t, "web", { disruptionsAllowed: 1 });
    const res = await evict("a");
    assert.equal(res.status, 201, res.body.toString());
    assert.deepEqual({ ...json(res.body) }, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    const p = pod("a")!;
    assert.ok(p.metadata.deletionTimestamp, "marked for graceful deletion");
    const c = p.status?.conditions?.find((x) => x.type === "DisruptionTarget");
    assert.equal(c?.reason, "EvictionByEvictionAPI");
    assert.equal(c?.message, "Eviction API: evicting");
    const b = t.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web")!;
    assert.equal(b.status?.disruptionsAllowed, 0);
    assert.ok(b.status?.disruptedPods?.a, "the eviction is recorded for the controller");
    assert.equal(b.status?.conditions?.find((x) => x.type === "DisruptionAllowed")?.reason, "InsufficientPods");
  });

  it("refuses with 429 and the budget's numbers when no disruption is allowed; the pod stays", async () => {
    storePod(t.store, readyPod("a"));
    budget(t, "web", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    const res = await evict("a");
    assert.equal(res.status, 429);
    const s = json(res.body);
    assert.equal(s.reason, "TooManyRequests");
    assert.equal(s.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(s.details?.causes, [{ reason: "DisruptionBudget", message: "The disruption budget web needs 1 healthy pods and has 1 currently" }]);
    assert.equal(res.headers["retry-after"], undefined);
    assert.ok(!pod("a")!.metadata.deletionTimestamp);
    assert.equal(pod("a")!.status?.conditions?.some((c) => c.type === "DisruptionTarget"), false);
  });

  it("asks to retry in 10 s while the budget's status is older than its spec", async () => {
    storePod(t.store, readyPod("a"));
    budget(t, "web", { disruptionsAllowed: 1 }, 0);
    const res = await evict("a");
    assert.equal(res.status, 429);
    assert.equal(res.headers["retry-after"], "10");
    assert.match(json(res.body).details?.causes?.[0]?.message ?? "", /is still being processed by the server/);
  });

  it("answers 500 when two budgets cover the pod", async () => {
    storePod(t.store, readyPod("a"));
    budget(t, "one", { disruptionsAllowed: 1 });
    budget(t, "two", { disruptionsAllowed: 1 });
    const res = await evict("a");
    assert.equal(res.status, 500);
    assert.equal(json(res.body).message, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    assert.ok(!pod("a")!.metadata.deletionTimestamp);
  });

  it("evicts a Pending pod without consulting the budget, and an unready one when the budget is met", async () => {
    storePod(t.store, testPod("pending", { labels: { app: "web" }, phase: "Pending" }));
    const unready = readyPod("unready");
    unready.status!.conditions = [{ type: "Ready", status: "False" }];
    storePod(t.store, unready);
    budget(t, "web", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    assert.equal((await evict("pending")).status, 201);
    assert.equal((await evict("unready")).status, 201);
    assert.equal(t.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web")!.status?.disruptionsAllowed, 0, "nothing spent");
  });

  it("honours deleteOptions: grace period, uid precondition, dryRun", async () => {
    storePod(t.store, readyPod("a"));
    budget(t, "web", { disruptionsAllowed: 5 });
    const conflict = await evict("a", { deleteOptions: { preconditions: { uid: "not-it" } } });
    assert.equal(conflict.status, 409);
    const dry = await evict("a", { deleteOptions: { dryRun: ["All"] } });
    assert.equal(dry.status, 201);
    assert.ok(!pod("a")!.metadata.deletionTimestamp, "dryRun leaves the pod");
    assert.equal(t.store.get<PodDisruptionBudget>("PodDisruptionBudget", "default", "web")!.status?.disruptionsAllowed, 5, "and the budget");
    const res = await evict("a", { deleteOptions: { gracePeriodSeconds: 0 } });
    assert.equal(res.status, 201);
    assert.equal(pod("a")?.metadata.deletionGracePeriodSeconds ?? 0, 0);
  });

  it("refuses a body naming another pod, and a missing pod is 404", async () => {
    storePod(t.store, readyPod("a"));
    const res = await t.client.raw("POST", resourcePath(PODS, "default", "a", "eviction"), { body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "b" } } });
    assert.equal(res.status, 400);
    assert.equal(json(res.body).message, "name in URL does not match name in Eviction object");
    assert.equal((await evict("nope")).status, 404);
  });

  it("is listed in discovery as policy/v1 Eviction, and PodDisruptionBudgets are served with field errors", async () => {
    const list = await t.client.request<{ resources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[] }>("GET", "/api/v1");
    const sub = list.resources.find((r) => r.name === "pods/eviction");
    assert.deepEqual(sub && { kind: sub.kind, group: sub.group, version: sub.version, verbs: sub.verbs }, { kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] });
    const bad = await t.client.raw("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", {
      body: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "x" }, spec: { minAvailable: 1, maxUnavailable: "120%", unhealthyPodEvictionPolicy: "Sometimes" } },
    });
    assert.equal(bad.status, 422);
    const msg = json(bad.body).message ?? "";
    assert.match(msg, /spec: Invalid value: .*minAvailable and maxUnavailable cannot be both set/);
    assert.match(msg, /spec\.maxUnavailable: Invalid value: .*must not be greater than 100%/);
    assert.match(msg, /spec\.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"/);
    const ok = await t.client.request<PodDisruptionBudget>("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", {
      body: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "x" }, spec: { minAvailable: "50%", selector: { matchLabels: { app: "web" } } } },
    });
    assert.deepEqual(ok.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  });
});
