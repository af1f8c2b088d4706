/** The Deployment controller: rollout arithmetic as pure functions, then rollouts over a fake store and clock. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "../../../src/api/apps-types.js";
import type { Event, Pod } from "../../../src/api/types.js";
import { deploymentController } from "../../../src/controllers/deployment/controller.js";
import { newRSReplicas, oldRSScaleDown, proportionalScale } from "../../../src/controllers/deployment/rollout.js";
import { maxSurge, maxUnavailable, podTemplateHash, resolveFenceposts } from "../../../src/controllers/deployment/util.js";
import { replicaSetController } from "../../../src/controllers/replicaset/controller.js";
import { startControllers } from "./workloads-harness.js";

function dep(replicas: number, surge: number | string, unavailable: number | string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "v1" }] } }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
  };
}

function set(name: string, replicas: number, available: number, created: string): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", uid: name, creationTimestamp: created },
    spec: { replicas, selector: {}, template: { spec: { containers: [] } } },
    status: { replicas, availableReplicas: available },
  };
}

describe("rollout arithmetic", () => {
  it("percentages: surge rounds up, unavailable down; both 0 makes unavailable 1", () => {
    assert.deepEqual(resolveFenceposts(dep(10, "25%", "25%")), { maxSurge: 3, maxUnavailable: 2 });
    assert.deepEqual(resolveFenceposts(dep(1, "25%", "25%")), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(resolveFenceposts(dep(3, 0, "10%")), { maxSurge: 0, maxUnavailable: 1 });
    assert.equal(maxUnavailable(dep(2, 1, 5)), 2, "at most replicas");
    assert.equal(maxSurge({ ...dep(2, 1, 1), spec: { ...dep(2, 1, 1).spec, strategy: { type: "Recreate" } } }), 0);
  });

  it("the new set grows within replicas + maxSurge", () => {
    const d = dep(10, 3, 0);
    const old = set("old", 10, 10, "2026-01-01T00:00:00Z");
    const fresh = set("new", 0, 0, "2026-01-02T00:00:00Z");
    assert.equal(newRSReplicas(d, [old, fresh], fresh), 3);
    assert.equal(newRSReplicas(d, [{ ...old, spec: { ...old.spec, replicas: 7 } }, { ...fresh, spec: { ...fresh.spec, replicas: 3 } }], fresh), 3, "at the surge limit");
  });

  it("old sets shrink only while replicas - maxUnavailable stay available, unhealthy ones first", () => {
    const d = dep(10, 3, 0);
    const old = set("old", 10, 10, "2026-01-01T00:00:00Z");
    assert.deepEqual(oldRSScaleDown(d, [old], { ...set("new", 3, 0, "2026-01-02T00:00:00Z") }), [], "new pods not available yet");
    const steps = oldRSScaleDown(d, [old], set("new", 3, 3, "2026-01-02T00:00:00Z"));
    assert.deepEqual(steps.map((s) => [s.rs.metadata.name, s.to]), [["old", 7]]);
    const sick = set("sick", 4, 1, "2026-01-01T00:00:00Z");
    const healthy = set("healthy", 6, 6, "2026-01-01T12:00:00Z");
    const d2 = dep(10, 0, 2);
    const s2 = oldRSScaleDown(d2, [sick, healthy], set("new", 0, 0, "2026-01-02T00:00:00Z"));
    assert.deepEqual(s2.map((s) => [s.rs.metadata.name, s.to]), [["sick", 2]], "two unavailable pods of the sick set go first");
  });

  it("a replica change mid-rollout is spread in proportion", () => {
    const d = dep(20, 0, 1);
    const steps = proportionalScale(d, [set("a", 6, 6, "2026-01-01T00:00:00Z"), set("b", 4, 4, "2026-01-02T00:00:00Z")]);
    assert.deepEqual(steps.map((s) => [s.rs.metadata.name, s.to]).sort(), [["a", 12], ["b", 8]]);
  });

  it("the template hash is stable, ignores its own label and changes with the template or collisionCount", () => {
    const t = dep(1, 1, 1).spec.template;
    const h = podTemplateHash(t);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(podTemplateHash({ ...t, metadata: { labels: { app: "web", "pod-template-hash": "zzz" } } }), h);
    assert.notEqual(podTemplateHash({ ...t, spec: { containers: [{ name: "c", image: "v2" }] } }), h);
    assert.notEqual(podTemplateHash(t, 1), h);
  });
});

describe("Deployment controller", () => {
  let unready = new Set<string>();
  const h = startControllers([replicaSetController, deploymentController], { unready: (p) => unready.has(p.spec.containers[0].image ?? "") });
  after(() => h.close());

  const d = () => h.store.get<Deployment>("Deployment", "default", "web")!;
  const sets = () => h.store.list<ReplicaSet>("ReplicaSet", { namespace: "default" }).items;
  const pods = () => h.store.list<Pod>("Pod", { namespace: "default", labelSelector: "app=web" }).items;
  const image = (img: string) => {
    const cur = d();
    const t = structuredClone(cur.spec.template);
    t.spec.containers[0].image = img;
    h.api.update({ ...cur, spec: { ...cur.spec, template: t } });
  };
  /** Settles, advancing the fake clock a little each round so pods' readiness ages past minReadySeconds. */
  const settle = async (rounds = 6) => {
    for (let i = 0; i < rounds; i++) {
      await h.settle();
      h.clock.advance(1000);
    }
    await h.settle();
  };

  it("creates NAME-HASH with the hash label and selector, revision 1, and reports the rollout complete", async () => {
    h.api.create({ ...dep(4, "25%", "25%"), metadata: { name: "web", namespace: "default" } });
    await settle();
    const [rs] = sets();
    const hash = rs.metadata.labels?.["pod-template-hash"];
    assert.ok(hash);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.spec.selector.matchLabels?.["pod-template-hash"], hash);
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.equal(d().metadata.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.equal(pods().length, 4);
    assert.ok(pods().every((p) => p.metadata.labels?.["pod-template-hash"] === hash));
    const s = d().status!;
    assert.deepEqual([s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.observedGeneration], [4, 4, 4, 4, d().metadata.generation]);
    const available = s.conditions?.find((c) => c.type === "Available");
    const progressing = s.conditions?.find((c) => c.type === "Progressing");
    assert.deepEqual([available?.status, available?.reason, available?.message], ["True", "MinimumReplicasAvailable", "Deployment has minimum availability."]);
    assert.deepEqual([progressing?.status, progressing?.reason, progressing?.message], ["True", "NewReplicaSetAvailable", `ReplicaSet "${rs.metadata.name}" has successfully progressed.`]);
  });

  it("rolls to a new template within maxSurge and maxUnavailable, then keeps the old set at 0", async () => {
    let maxTotal = 0;
    let minAvailable = Infinity;
    const stop = h.store.watch("Pod", {}, () => {
      const all = pods().filter((p) => !p.metadata.deletionTimestamp);
      maxTotal = Math.max(maxTotal, all.length);
      minAvailable = Math.min(minAvailable, all.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length);
    });
    image("v2");
    await settle(12);
    stop();
    const list = sets();
    assert.equal(list.length, 2);
    const fresh = list.find((rs) => rs.spec.template.spec.containers[0].image === "v2")!;
    const old = list.find((rs) => rs !== fresh)!;
    assert.equal(fresh.spec.replicas, 4);
    assert.equal(old.spec.replicas, 0);
    assert.equal(fresh.metadata.annotations?.["deployment.kubernetes.io/revision"], "2");
    assert.ok(maxTotal <= 5, `never more than replicas + maxSurge (1) pods: saw ${maxTotal}`);
    assert.ok(minAvailable >= 3, `never fewer than replicas - maxUnavailable (1) ready: saw ${minAvailable}`);
    const events = h.store.list<Event>("Event", { namespace: "default" }).items.filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message);
    assert.ok(events.includes(`Scaled up replica set ${fresh.metadata.name} from 0 to 1`), events.join("\n"));
    assert.ok(events.some((m) => m === `Scaled down replica set ${old.metadata.name} from 4 to 3`), events.join("\n"));
    assert.equal(d().status?.conditions?.find((c) => c.type === "Progressing")?.reason, "NewReplicaSetAvailable");
  });

  it("rolling back to the first template reuses its set as revision 3", async () => {
    image("v1");
    await settle(12);
    const v1 = sets().find((rs) => rs.spec.template.spec.containers[0].image === "v1")!;
    assert.equal(v1.metadata.annotations?.["deployment.kubernetes.io/revision"], "3");
    assert.equal(v1.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(v1.spec.replicas, 4);
    assert.equal(sets().length, 2);
  });

  it("a rollout that cannot become ready stops at the surge and times out after progressDeadlineSeconds", async () => {
    const cur = d();
    h.api.update({ ...cur, spec: { ...cur.spec, progressDeadlineSeconds: 30 } });
    unready = new Set(["broken"]);
    image("broken");
    await settle(4);
    const broken = sets().find((rs) => rs.spec.template.spec.containers[0].image === "broken")!;
    // surge 1 → new 1; one old pod may go (4 - 1 available stay) → old 3, new 2; then 2 unready new pods stop it.
    assert.equal(broken.spec.replicas, 2);
    assert.equal(sets().find((rs) => rs.spec.template.spec.containers[0].image === "v1")!.spec.replicas, 3);
    h.clock.advance(31_000);
    await settle(2);
    const p = d().status?.conditions?.find((c) => c.type === "Progressing");
    assert.deepEqual([p?.status, p?.reason, p?.message], ["False", "ProgressDeadlineExceeded", `ReplicaSet "${broken.metadata.name}" has timed out progressing.`]);
  });

  it("pause keeps the template from rolling; resume rolls it; history beyond revisionHistoryLimit is deleted", async () => {
    unready = new Set();
    h.kubelet.kick();
    let cur = d();
    h.api.update({ ...cur, spec: { ...cur.spec, paused: true, revisionHistoryLimit: 1 } });
    await settle(2);
    image("v3");
    await settle(4);
    assert.ok(!sets().some((rs) => rs.spec.template.spec.containers[0].image === "v3"), "no set for the paused template");
    assert.equal(d().status?.conditions?.find((c) => c.type === "Progressing")?.reason, "DeploymentPaused");
    cur = d();
    h.api.update({ ...cur, spec: { ...cur.spec, paused: false } });
    await settle(14);
    const v3 = sets().find((rs) => rs.spec.template.spec.containers[0].image === "v3");
    assert.equal(v3?.spec.replicas, 4);
    assert.equal(sets().length, 2, "the new set and one old one (revisionHistoryLimit 1)");
  });

  it("Recreate scales the old set to 0 before the new one starts", async () => {
    const cur = d();
    h.api.update({ ...cur, spec: { ...cur.spec, strategy: { type: "Recreate" } } });
    await settle(2);
    let overlap = false;
    const stop = h.store.watch("Pod", {}, () => {
      const images = new Set(pods().map((p) => p.spec.containers[0].image));
      if (images.has("v4") && images.size > 1) overlap = true;
    });
    image("v4");
    await settle(8);
    stop();
    assert.ok(!overlap, "no v4 pod while old pods existed");
    assert.equal(pods().filter((p) => p.spec.containers[0].image === "v4").length, 4);
  });

  it("scaling changes the new set only and is reported", async () => {
    const cur = d();
    h.api.update({ ...cur, spec: { ...cur.spec, replicas: 6 } });
    await settle(4);
    assert.equal(pods().length, 6);
    assert.equal(d().status?.availableReplicas, 6);
  });
});
