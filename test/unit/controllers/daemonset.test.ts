/**
 * The DaemonSet controller: node eligibility (nodeSelector, affinity, taints with the automatic tolerations), the
 * per-node plan (create, failed, misscheduled, maxUnavailable and maxSurge updates), admission defaults and errors,
 * then the loop over a fake store, clock and kubelet.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import type { DaemonSet } from "../../../src/api/apps-types.js";
import { ApiError } from "../../../src/api/errors.js";
import type { Node, Pod } from "../../../src/api/types.js";
import { daemonSetController } from "../../../src/controllers/daemonset/controller.js";
import { daemonSetStatus, ineligibleReason, planDaemonSet } from "../../../src/controllers/daemonset/reconcile.js";
import { startControllers } from "./workloads-harness.js";

const T0 = Date.parse("2026-12-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function ds(extra: Partial<DaemonSet["spec"]> = {}, podSpec: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default", uid: "ds-uid", generation: 1 },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "busybox" }], ...podSpec } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...extra,
    },
  };
}

const node = (labels: Record<string, string> = {}, taints: unknown[] = []): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node1", labels }, spec: { taints } });

function pod(name: string, hash: string, o: { ready?: boolean; phase?: string; created?: number } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: "agent", "controller-revision-hash": hash }, creationTimestamp: iso(o.created ?? T0) },
    spec: { nodeName: "node1", containers: [{ name: "c" }] },
    status: { phase: (o.phase ?? "Running") as "Running", conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: iso(T0) }] },
  };
}

const plan = (set: DaemonSet, pods: Pod[], eligible = true) => planDaemonSet(set, pods, "new", eligible, T0).map((a) => (a.kind === "create" ? "create" : `delete ${a.pod.metadata.name} (${a.why})`));

describe("DaemonSet eligibility and plan", () => {
  it("nodeSelector, required affinity and untolerated NoSchedule/NoExecute taints rule the node out", () => {
    assert.equal(ineligibleReason(ds(), node()), undefined);
    assert.match(ineligibleReason(ds({}, { nodeSelector: { disk: "ssd" } }), node()) ?? "", /didn't match Pod's node affinity\/selector/);
    assert.equal(ineligibleReason(ds({}, { nodeSelector: { disk: "ssd" } }), node({ disk: "ssd" })), undefined);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } };
    assert.ok(ineligibleReason(ds({}, { affinity }), node({ zone: "b" })));
    assert.equal(ineligibleReason(ds({}, { affinity }), node({ zone: "a" })), undefined);
    const gpu = [{ key: "gpu", value: "yes", effect: "NoSchedule" }];
    assert.match(ineligibleReason(ds(), node({}, gpu)) ?? "", /untolerated taint \{gpu: yes\}/);
    assert.equal(ineligibleReason(ds({}, { tolerations: [{ key: "gpu", operator: "Equal", value: "yes", effect: "NoSchedule" }] }), node({}, gpu)), undefined);
    assert.equal(ineligibleReason(ds(), node({}, [{ key: "x", effect: "PreferNoSchedule" }])), undefined, "PreferNoSchedule does not rule out");
    // The automatic daemon tolerations: an unschedulable or memory-pressured node still runs daemon pods.
    assert.equal(ineligibleReason(ds(), node({}, [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }, { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }])), undefined);
  });

  it("one pod per eligible node; failed pods replaced; pods on an ineligible node deleted", () => {
    assert.deepEqual(plan(ds(), []), ["create"]);
    assert.deepEqual(plan(ds(), [pod("a", "new")]), []);
    assert.deepEqual(plan(ds(), [pod("a", "new", { phase: "Failed", ready: false })]), ["delete a (failed)"]);
    assert.deepEqual(plan(ds(), [pod("a", "new")], false), ["delete a (misscheduled)"]);
    assert.deepEqual(plan(ds(), [pod("a", "new", { created: T0 - 1000 }), pod("b", "new")]), ["delete b (excess)"]);
  });

  it("RollingUpdate: maxUnavailable deletes the old pod first; maxSurge creates the new one and deletes the old once available; OnDelete waits", () => {
    assert.deepEqual(plan(ds(), [pod("old", "prev")]), ["delete old (update)"]);
    const surge = ds({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    assert.deepEqual(plan(surge, [pod("old", "prev")]), ["create"]);
    assert.deepEqual(plan(surge, [pod("old", "prev"), pod("new", "new", { ready: false })]), []);
    assert.deepEqual(plan(surge, [pod("old", "prev"), pod("new", "new")]), ["delete old (update)"]);
    assert.deepEqual(plan(ds({ updateStrategy: { type: "OnDelete" } }), [pod("old", "prev")]), []);
  });

  it("status numbers", () => {
    assert.deepEqual(daemonSetStatus(ds(), [pod("a", "prev")], "new", true, 0, T0), {
      currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 1,
      updatedNumberScheduled: 0, numberAvailable: 1, numberUnavailable: 0, collisionCount: 0,
    });
    const mis = daemonSetStatus(ds(), [pod("a", "new")], "new", false, 0, T0);
    assert.equal(mis.numberMisscheduled, 1);
    assert.equal(mis.desiredNumberScheduled, 0);
  });

  it("admission: defaults RollingUpdate 1/0, template generation 1; maxSurge and maxUnavailable both 0 refused", () => {
    const { uid: _u, generation: _g, ...meta } = ds().metadata;
    const spec = { ...ds().spec };
    delete spec.updateStrategy;
    const a = admitCreate({ ...ds(), metadata: meta, spec }, { nodeName: "n" });
    assert.deepEqual(a.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(a.spec.revisionHistoryLimit, 10);
    assert.equal(a.metadata.annotations?.["deprecated.daemonset.template.generation"], "1");
    try {
      admitCreate({ ...ds({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }), metadata: meta }, { nodeName: "n" });
      assert.fail("admitted");
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.match(err.message, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: .*may not be 0 when `maxSurge` is 0/);
    }
  });
});

describe("DaemonSet controller loop", () => {
  const h = startControllers([daemonSetController]);
  after(() => h.close());
  const get = () => h.store.get<DaemonSet>("DaemonSet", "default", "agent")!;
  const pods = () => h.store.list<Pod>("Pod", { namespace: "default" }).items;

  it("runs one pod on the node with the daemon tolerations, and replaces it on a template change", async () => {
    h.store.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name: "node1" }, spec: {} });
    const { uid: _u, generation: _g, ...meta } = ds().metadata;
    h.api.create({ ...ds(), metadata: meta });
    await h.settle();
    assert.equal(pods().length, 1);
    const first = pods()[0];
    assert.equal(first.spec.nodeName, "node1");
    assert.ok(first.spec.tolerations?.some((t) => t.key === "node.kubernetes.io/unschedulable" && t.operator === "Exists"));
    assert.equal(first.metadata.labels?.["pod-template-generation"], "1");
    assert.equal(get().status?.numberReady, 1);
    assert.equal(get().status?.desiredNumberScheduled, 1);
    h.api.update({ ...get(), spec: { ...get().spec, template: { ...get().spec.template, spec: { ...get().spec.template.spec, containers: [{ name: "c", image: "busybox:2" }] } } } });
    await h.settle();
    await h.settle();
    assert.equal(pods().length, 1);
    assert.equal(pods()[0].spec.containers[0].image, "busybox:2");
    assert.equal(pods()[0].metadata.labels?.["pod-template-generation"], "2");
    assert.equal(get().status?.updatedNumberScheduled, 1);
    assert.equal(h.store.list("ControllerRevision", { namespace: "default" }).items.length, 2);
  });

  it("a node selector that no longer matches removes the pod", async () => {
    h.api.update({ ...get(), spec: { ...get().spec, template: { ...get().spec.template, spec: { ...get().spec.template.spec, nodeSelector: { disk: "ssd" } } } } });
    await h.settle();
    assert.equal(pods().length, 0);
    assert.equal(get().status?.desiredNumberScheduled, 0);
  });
});
