/**
 * The PV controller split as in a cluster: the control plane's half binds (every provisioner external to it), each
 * node's half provisions only claims chosen for it and reclaims only volumes made on it. Pure decisions per role,
 * then the whole path over one store with the scheduler: a pod with an unbound WaitForFirstConsumer claim gets a
 * node, the claim that node's selected-node annotation, that node's provisioner the volume (node affinity to itself),
 * the control plane the binding; a pod on that claim pinned elsewhere fails with the volume node affinity conflict,
 * one unpinned follows the volume; a node without the room hands the claim back and the pod is scheduled again;
 * an Immediate claim is taken by exactly one node; deletion reclaims on the node.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { StorageClass } from "../../../src/api/storage-class.js";
import type { KubeObject, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { PvBinder } from "../../../src/controllers/pv-binder/controller.js";
import { FakeProvisioner } from "./fake-provisioner.js";
import { provisionedVolume, reconcile, type BinderChange, type BinderSnapshot } from "../../../src/controllers/pv-binder/reconcile.js";
import { node, pod } from "../scheduler/fixtures.js";
import { schedulerHarness } from "../scheduler/loop-harness.js";

const SELECTED = "volume.kubernetes.io/selected-node";
const LOCAL = "nodelet.io/local";

function cls(mode: StorageClass["volumeBindingMode"], name = "local"): StorageClass {
  return { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name, uid: `uid-${name}` }, provisioner: LOCAL, reclaimPolicy: "Delete", volumeBindingMode: mode };
}

function claim(name: string, o: { cls?: string; selected?: string } = {}): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", ...(o.selected ? { annotations: { [SELECTED]: o.selected } } : {}) },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } }, volumeMode: "Filesystem", storageClassName: o.cls ?? "local" },
    status: { phase: "Pending" },
  };
}

/** A volume the local provisioner made on `nodeName` for a claim since deleted. */
function released(name: string, nodeName: string): PersistentVolume {
  const v = provisionedVolume(claim("gone"), cls("WaitForFirstConsumer"), nodeName, name, `/vols/${name}`);
  return { ...v, metadata: { ...v.metadata, uid: `uid-${name}` }, status: { phase: "Bound" } };
}

function snap(s: Partial<BinderSnapshot>): BinderSnapshot {
  return { claims: [], volumes: [], classes: [cls("WaitForFirstConsumer"), cls("Immediate", "now")], pods: [], nodes: [], provisioner: LOCAL, nodeName: "n2", sharedProvisioner: true, busy: new Set(), now: "2026-01-01T00:00:00Z", ...s };
}

const kinds = (ch: BinderChange[]) => ch.filter((c) => c.kind !== "put" && c.kind !== "event").map((c) => c.kind);
const events = (ch: BinderChange[]) => ch.flatMap((c) => (c.kind === "event" ? [`${c.reason}`] : []));

describe("the PV controller's halves (pure)", () => {
  test("control plane: a claim chosen for a node is annotated and left to the external provisioner; no host work", () => {
    const ch = reconcile(snap({ provisioner: "", nodeName: "", sharedProvisioner: false, claims: [claim("c", { selected: "n1" })] }));
    assert.deepEqual(kinds(ch), []);
    assert.deepEqual(events(ch), ["ExternalProvisioning"]);
    const put = ch.find((c) => c.kind === "put" && c.object.kind === "PersistentVolumeClaim");
    assert.ok(put && put.kind === "put");
    assert.equal(put.object.metadata.annotations?.["volume.kubernetes.io/storage-provisioner"], LOCAL);
    assert.equal(put.object.metadata.annotations?.[SELECTED], "n1");
  });

  test("control plane: a pod already on a node (nodeName set by hand) chooses the node of its claim", () => {
    const user: Pod = pod("p", { node: "n3", volumes: [{ name: "d", persistentVolumeClaim: { claimName: "c" } }] });
    const ch = reconcile(snap({ provisioner: "", nodeName: "", sharedProvisioner: false, claims: [claim("c")], pods: [user] }));
    const put = ch.find((c) => c.kind === "put" && c.object.kind === "PersistentVolumeClaim");
    assert.equal(put?.kind === "put" && put.object.metadata.annotations?.[SELECTED], "n3");
  });

  test("control plane: a released volume of an external provisioner is Released and waits for it (not Failed)", () => {
    const ch = reconcile(snap({ provisioner: "", nodeName: "", sharedProvisioner: false, volumes: [released("pvc-1", "n1")] }));
    assert.deepEqual(kinds(ch), []);
    assert.deepEqual(events(ch), []);
    const put = ch.find((c) => c.kind === "put");
    assert.equal(put?.kind === "put" && (put.object as PersistentVolume).status?.phase, "Released");
  });

  test("node: provisions the claims chosen for it only; takes an untaken Immediate claim; leaves one taken by another", () => {
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("c", { selected: "n2" })] }))), ["provision"]);
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("c", { selected: "n1" })] }))), []);
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("c")] }))), [], "WaitForFirstConsumer with no node yet");
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("i", { cls: "now" })] }))), ["selectNode"]);
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("i", { cls: "now", selected: "n2" })] }))), ["provision"]);
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("i", { cls: "now", selected: "n1" })] }))), []);
    assert.deepEqual(kinds(reconcile(snap({ claims: [claim("i", { cls: "now" })], busy: new Set(["uid-i"]) }))), []);
  });

  test("node: reclaims and grows only the volumes made on it", () => {
    assert.deepEqual(kinds(reconcile(snap({ volumes: [released("pvc-1", "n2")] }))), ["reclaim"]);
    assert.deepEqual(kinds(reconcile(snap({ volumes: [released("pvc-1", "n1")] }))), []);
    const grown = (on: string) => {
      const v = released("pvc-g", on);
      const c = { ...claim("gone"), spec: { ...claim("gone").spec, volumeName: "pvc-g", resources: { requests: { storage: "128Mi" } } }, status: { phase: "Bound" as const, capacity: { storage: "64Mi" } } };
      return kinds(reconcile(snap({ volumes: [v], claims: [c] })));
    };
    assert.deepEqual(grown("n2"), ["expand"]);
    assert.deepEqual(grown("n1"), []);
  });
});

describe("a cluster over one store: scheduler, the control plane's binder, two nodes' provisioners", () => {
  function cluster() {
    const h = schedulerHarness();
    const { store, clock } = h;
    store.create(node("n1"));
    store.create(node("n2"));
    const recorded: string[] = [];
    const sink = (who: string) => ({ record: (o: KubeObject, _t: string, reason: string) => recorded.push(`${who} ${o.metadata.name} ${reason}`) });
    const provs: Record<string, FakeProvisioner> = { n1: new FakeProvisioner(), n2: new FakeProvisioner() };
    const binders = [
      new PvBinder({ store, events: sink("cp"), role: "control-plane", nodeName: "", clock }),
      ...["n1", "n2"].map((n) => new PvBinder({ store, events: sink(n), provisioner: provs[n], role: "node", nodeName: n, clock })),
    ];
    for (const b of binders) b.start();
    h.scheduler.start();
    const settle = async () => {
      for (let i = 0; i < 20; i++) {
        h.clock.advance(1);
        await new Promise((r) => setImmediate(r));
        await Promise.all(binders.map((b) => b.idle()));
      }
    };
    const stop = async () => {
      for (const b of binders) b.stop();
      await h.close();
    };
    const getClaim = (name: string) => store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", name)!;
    return { h, store, recorded, provs, settle, stop, getClaim };
  }

  const using = (claimName: string) => [{ name: "d", persistentVolumeClaim: { claimName } }];

  test("WaitForFirstConsumer: provisioned on the scheduler's node, bound, pods follow it; reclaimed there", async () => {
    const { h, store, recorded, provs, settle, stop, getClaim } = cluster();
    try {
      store.create(cls("WaitForFirstConsumer"));
      const { uid: _uid, ...meta } = claim("data").metadata;
      const made = store.create<PersistentVolumeClaim>({ ...claim("data"), metadata: meta });
      await settle();
      assert.equal(getClaim("data").status?.phase, "Pending");
      assert.equal(provs.n1.made.size + provs.n2.made.size, 0, "no consumer yet");
      h.create(pod("writer", { volumes: using("data") }));
      await settle();
      const chosen = h.get("writer").spec.nodeName!;
      const other = chosen === "n1" ? "n2" : "n1";
      const c = getClaim("data");
      assert.equal(c.metadata.annotations?.[SELECTED], chosen);
      assert.equal(c.status?.phase, "Bound");
      const volumeName = `pvc-${made.metadata.uid}`;
      assert.equal(c.spec.volumeName, volumeName);
      assert.deepEqual([...provs[chosen].made], [volumeName]);
      assert.equal(provs[other].made.size, 0);
      const pv = store.get<PersistentVolume>("PersistentVolume", "", volumeName)!;
      assert.equal(pv.status?.phase, "Bound");
      assert.deepEqual((pv.spec.nodeAffinity as { required: { nodeSelectorTerms: NodeSelectorTerm[] } }).required.nodeSelectorTerms[0].matchExpressions, [{ key: "kubernetes.io/hostname", operator: "In", values: [chosen] }]);
      assert.ok(recorded.includes(`cp data ExternalProvisioning`));
      assert.ok(recorded.includes(`${chosen} data ProvisioningSucceeded`));
      assert.ok(!recorded.some((e) => e.startsWith(`${other} `)), "the other node said nothing");

      h.create(pod("stray", { nodeSelector: { "kubernetes.io/hostname": other }, volumes: using("data") }));
      h.create(pod("reader", { volumes: using("data") }));
      await settle();
      assert.equal(h.get("stray").spec.nodeName, undefined);
      assert.equal(
        h.events.find((e) => e.name === "stray" && e.reason === "FailedScheduling")?.message,
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      );
      assert.equal(h.get("reader").spec.nodeName, chosen);

      for (const p of ["writer", "stray", "reader"]) store.delete("Pod", "default", p);
      store.delete("PersistentVolumeClaim", "default", "data");
      await settle();
      assert.equal(store.get("PersistentVolumeClaim", "default", "data"), undefined);
      assert.equal(store.get("PersistentVolume", "", volumeName), undefined, "reclaimed");
      assert.equal(provs[chosen].made.size, 0);
    } finally {
      await stop();
    }
  });

  test("WaitForFirstConsumer on a node without the room: ProvisioningFailed, selected-node removed, the pod scheduled again", async () => {
    const { h, store, recorded, provs, settle, stop, getClaim } = cluster();
    try {
      store.create(cls("WaitForFirstConsumer"));
      const { uid: _uid, ...meta } = claim("data").metadata;
      store.create<PersistentVolumeClaim>({ ...claim("data"), metadata: meta });
      provs.n1.full = provs.n2.full = 1;
      h.create(pod("writer", { volumes: using("data") }));
      await settle();
      const failed = recorded.find((e) => e.endsWith("data ProvisioningFailed"))?.split(" ")[0];
      assert.ok(failed === "n1" || failed === "n2", recorded.join("\n"));
      assert.equal(getClaim("data").metadata.annotations?.[SELECTED], undefined, "handed back to the scheduler");
      assert.equal(h.get("writer").spec.nodeName, undefined);
      assert.deepEqual(
        h.events.filter((e) => e.name === "writer").map((e) => e.message),
        ['running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data"'],
      );
      // After its backoff the scheduler chooses again; that node now makes it.
      h.clock.advance(1000);
      await settle();
      const node = h.get("writer").spec.nodeName;
      assert.ok(node, "bound");
      assert.equal(getClaim("data").metadata.annotations?.[SELECTED], node);
      assert.equal(getClaim("data").status?.phase, "Bound");
      assert.equal(provs[node].made.size, 1);
    } finally {
      await stop();
    }
  });

  test("Immediate: exactly one node takes the claim and provisions it", async () => {
    const { store, provs, settle, stop, getClaim } = cluster();
    try {
      store.create(cls("Immediate", "now"));
      const { uid: _uid, ...meta } = claim("now").metadata;
      store.create<PersistentVolumeClaim>({ ...claim("now", { cls: "now" }), metadata: meta });
      await settle();
      const c = getClaim("now");
      const taker = c.metadata.annotations?.[SELECTED];
      assert.ok(taker === "n1" || taker === "n2", `taken: ${taker}`);
      assert.equal(c.status?.phase, "Bound");
      assert.equal(provs.n1.made.size + provs.n2.made.size, 1);
      assert.equal(provs[taker].made.size, 1);
    } finally {
      await stop();
    }
  });
});
