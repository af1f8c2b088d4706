/** The garbage collector: its plans as pure functions, then Background, Foreground and Orphan deletion end to end. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ReplicaSet } from "../../../src/api/apps-types.js";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { deploymentController } from "../../../src/controllers/deployment/controller.js";
import { garbageCollector } from "../../../src/controllers/gc/controller.js";
import { planDependent, planOwner } from "../../../src/controllers/gc/plan.js";
import { replicaSetController } from "../../../src/controllers/replicaset/controller.js";
import { startControllers } from "./workloads-harness.js";

const obj = (name: string, refs: { uid: string; block?: boolean }[] = [], extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", uid: name, ownerReferences: refs.map((r) => ({ apiVersion: "v1", kind: "ConfigMap", name: r.uid, uid: r.uid, blockOwnerDeletion: r.block })), ...extra },
});

describe("GC plans", () => {
  it("a dependent whose owners are all gone is deleted; one with an owner left loses the dangling reference", () => {
    assert.deepEqual(planDependent(obj("d", [{ uid: "a" }]), () => false), { kind: "deleteDangling" });
    assert.deepEqual(planDependent(obj("d", [{ uid: "a" }, { uid: "b" }]), (r) => r.uid === "b"), { kind: "dropRefs", uids: ["a"] });
    assert.deepEqual(planDependent(obj("d", [{ uid: "a" }]), () => true), { kind: "none" });
    assert.deepEqual(planDependent(obj("d", [{ uid: "a" }]), () => undefined), { kind: "none" }, "an owner kind nobody watches");
  });

  it("orphan and foreground owners; foreground waits only for blocking dependents", () => {
    const deleting = { deletionTimestamp: "2026-01-01T00:00:00Z" };
    const deps = [obj("x", [{ uid: "o", block: true }]), obj("y", [{ uid: "o" }], deleting)];
    assert.equal(planOwner(obj("o", [], { ...deleting, finalizers: ["orphan"] }), deps).kind, "orphan");
    const fg = planOwner(obj("o", [], { ...deleting, finalizers: ["foregroundDeletion"] }), deps);
    assert.ok(fg.kind === "foreground" && !fg.done && fg.deleteDependents.length === 1);
    const fg2 = planOwner(obj("o", [], { ...deleting, finalizers: ["foregroundDeletion"] }), [deps[1]]);
    assert.ok(fg2.kind === "foreground" && fg2.done, "non-blocking dependents do not hold the owner");
    assert.equal(planOwner(obj("o"), deps).kind, "none");
  });
});

describe("garbage collector", () => {
  const h = startControllers([replicaSetController, deploymentController, garbageCollector]);
  after(() => h.close());

  const pods = (app: string) => h.store.list<Pod>("Pod", { namespace: "default", labelSelector: `app=${app}` }).items;
  const sets = (app: string) => h.store.list<ReplicaSet>("ReplicaSet", { namespace: "default", labelSelector: `app=${app}` }).items;
  const deploy = async (name: string) => {
    h.api.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "default" },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "i" }] } } },
    });
    await h.settle();
    assert.equal(pods(name).length, 2);
  };

  it("Background: the Deployment goes at once, then its ReplicaSet and pods", async () => {
    await deploy("bg");
    h.api.delete("Deployment", "default", "bg", { propagationPolicy: "Background" });
    assert.equal(h.store.get("Deployment", "default", "bg"), undefined);
    await h.settle();
    assert.equal(sets("bg").length, 0);
    assert.equal(pods("bg").length, 0);
  });

  it("Foreground: the Deployment waits, marked, until its ReplicaSet and pods are gone", async () => {
    await deploy("fg");
    const order: string[] = [];
    const stop = h.store.watch("Pod", {}, (ev) => ev.type === "DELETED" && order.push("pod"));
    const stop2 = h.store.watch("ReplicaSet", {}, (ev) => ev.type === "DELETED" && order.push("rs"));
    const stop3 = h.store.watch("Deployment", {}, (ev) => ev.type === "DELETED" && order.push("deployment"));
    const marked = h.api.delete("Deployment", "default", "fg", { propagationPolicy: "Foreground" });
    assert.deepEqual(marked.metadata.finalizers, ["foregroundDeletion"]);
    assert.ok(marked.metadata.deletionTimestamp);
    await h.settle();
    stop();
    stop2();
    stop3();
    assert.equal(h.store.get("Deployment", "default", "fg"), undefined);
    assert.deepEqual(order, ["pod", "pod", "rs", "deployment"]);
  });

  it("Orphan: the ReplicaSet goes, its pods stay without an owner", async () => {
    await deploy("or");
    const rs = sets("or")[0];
    h.api.delete("Deployment", "default", "or", { propagationPolicy: "Orphan" });
    await h.settle();
    assert.equal(h.store.get("Deployment", "default", "or"), undefined);
    assert.equal(sets("or").length, 1, "the ReplicaSet stays");
    assert.equal(sets("or")[0].metadata.ownerReferences, undefined, "without its owner");
    h.api.delete("ReplicaSet", "default", rs.metadata.name!, { propagationPolicy: "Orphan" });
    await h.settle();
    assert.equal(pods("or").length, 2, "pods stay");
    assert.ok(pods("or").every((p) => !p.metadata.ownerReferences?.length));
  });
});
