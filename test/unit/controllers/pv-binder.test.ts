import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { StorageClass } from "../../../src/api/storage-class.js";
import type { Event, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { findMatchingVolume } from "../../../src/api/pv-matching.js";
import { reconcile, type BinderChange, type BinderSnapshot } from "../../../src/controllers/pv-binder/reconcile.js";
import { PvBinder } from "../../../src/controllers/pv-binder/controller.js";
import { installStorageAdmission } from "../../../src/controllers/pv-binder/admission.js";
import { FakeProvisioner } from "./fake-provisioner.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { Hooks } from "../../../src/apiserver/hooks.js";
import { LOOPBACK_USER } from "../../../src/auth/user.js";
import type { KubeObject } from "../../../src/api/types.js";

function pv(name: string, size: string, o: Partial<PersistentVolume["spec"]> & { labels?: Record<string, string>; phase?: string; annotations?: Record<string, string> } = {}): PersistentVolume {
  const { labels, phase, annotations, ...spec } = o;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, uid: `uid-${name}`, labels, annotations, resourceVersion: "1" },
    spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem", hostPath: { path: `/tmp/${name}` }, ...spec },
    status: { phase: (phase ?? "Available") as "Available" },
  };
}

function pvc(name: string, size: string, spec: Partial<PersistentVolumeClaim["spec"]> = {}, meta: Partial<PersistentVolumeClaim["metadata"]> = {}): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", ...meta },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } }, volumeMode: "Filesystem", storageClassName: "", ...spec },
    status: { phase: "Pending" },
  };
}

function sc(name: string, o: Partial<StorageClass> = {}): StorageClass {
  return { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name, uid: `uid-${name}` }, provisioner: "nodelet.io/local", reclaimPolicy: "Delete", volumeBindingMode: "Immediate", ...o };
}

function pod(name: string, claim: string, o: { node?: string; phase?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { nodeName: o.node, containers: [{ name: "c", image: "busybox" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] },
    status: { phase: (o.phase ?? "Pending") as "Pending" },
  };
}

function snap(s: Partial<BinderSnapshot>): BinderSnapshot {
  return { claims: [], volumes: [], classes: [], pods: [], nodes: [], provisioner: "nodelet.io/local", nodeName: "n1", busy: new Set(), now: "2026-01-01T00:00:00Z", ...s };
}

const puts = (ch: BinderChange[], kind: string) => ch.flatMap((c) => (c.kind === "put" && c.object.kind === kind ? [c.object] : []));
const putClaim = (ch: BinderChange[], name: string) => puts(ch, "PersistentVolumeClaim").find((o) => o.metadata.name === name) as PersistentVolumeClaim | undefined;
const putPV = (ch: BinderChange[], name: string) => puts(ch, "PersistentVolume").find((o) => o.metadata.name === name) as PersistentVolume | undefined;
const events = (ch: BinderChange[]) => ch.flatMap((c) => (c.kind === "event" ? [`${c.type} ${c.reason} ${c.message}`] : []));

describe("PV matching", () => {
  test("the smallest volume with capacity ≥ request wins", () => {
    const vols = [pv("big", "10Gi"), pv("small", "1Gi"), pv("tiny", "500Mi"), pv("mid", "2Gi")];
    assert.equal(findMatchingVolume(pvc("c", "1Gi"), vols, false)?.metadata.name, "small");
    assert.equal(findMatchingVolume(pvc("c", "1.5Gi"), vols, false)?.metadata.name, "mid");
    assert.equal(findMatchingVolume(pvc("c", "20Gi"), vols, false), undefined);
  });

  test("access modes must be a superset, class and volume mode equal, selector satisfied", () => {
    const rwx = pv("rwx", "1Gi", { accessModes: ["ReadWriteOnce", "ReadWriteMany"], labels: { tier: "db" } });
    const fast = pv("fast", "1Gi", { storageClassName: "fast" });
    const block = pv("block", "1Gi", { volumeMode: "Block" });
    const vols = [rwx, fast, block];
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { accessModes: ["ReadWriteMany"] }), vols, false)?.metadata.name, "rwx");
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { accessModes: ["ReadOnlyMany"] }), vols, false), undefined);
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { storageClassName: "fast" }), vols, false)?.metadata.name, "fast");
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { volumeMode: "Block" }), vols, false)?.metadata.name, "block");
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { selector: { matchLabels: { tier: "db" } } }), vols, false)?.metadata.name, "rwx");
    assert.equal(findMatchingVolume(pvc("c", "1Gi", { selector: { matchLabels: { tier: "web" } } }), vols, false), undefined);
  });

  test("a volume pre-bound by claimRef wins over a smaller one, and only for its claim; others skip bound volumes", () => {
    const pre = pv("pre", "5Gi", { claimRef: { namespace: "default", name: "mine" } });
    const vols = [pv("small", "1Gi"), pre];
    assert.equal(findMatchingVolume(pvc("mine", "1Gi"), vols, false)?.metadata.name, "pre");
    assert.equal(findMatchingVolume(pvc("other", "1Gi"), vols, false)?.metadata.name, "small");
    assert.equal(findMatchingVolume(pvc("other", "2Gi"), vols, false), undefined);
    // delayed binding (WaitForFirstConsumer, no node yet): only the pre-bound volume
    assert.equal(findMatchingVolume(pvc("other", "1Gi"), vols, true), undefined);
    assert.equal(findMatchingVolume(pvc("mine", "1Gi"), vols, true)?.metadata.name, "pre");
  });
});

describe("PV controller reconcile (pure)", () => {
  test("binds a claim to the smallest fitting volume, both sides, with Kubernetes' annotations", () => {
    const ch = reconcile(snap({ claims: [pvc("c", "1Gi")], volumes: [pv("a", "5Gi"), pv("b", "2Gi")] }));
    const c = putClaim(ch, "c")!;
    const v = putPV(ch, "b")!;
    assert.equal(c.spec.volumeName, "b");
    assert.equal(c.status?.phase, "Bound");
    assert.deepEqual(c.status?.capacity, { storage: "2Gi" });
    assert.deepEqual(c.status?.accessModes, ["ReadWriteOnce"]);
    assert.equal(c.metadata.annotations?.["pv.kubernetes.io/bind-completed"], "yes");
    assert.equal(c.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
    assert.deepEqual(c.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
    assert.equal(v.spec.claimRef?.uid, "uid-c");
    assert.equal(v.status?.phase, "Bound");
    assert.equal(v.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
    assert.deepEqual(v.metadata.finalizers, ["kubernetes.io/pv-protection"]);
    assert.equal(putPV(ch, "a")?.status?.phase ?? "Available", "Available");
  });

  test("two claims in one pass never get the same volume", () => {
    const ch = reconcile(snap({ claims: [pvc("c1", "1Gi"), pvc("c2", "1Gi")], volumes: [pv("only", "1Gi")] }));
    assert.equal(putClaim(ch, "c1")?.spec.volumeName, "only");
    assert.equal(putClaim(ch, "c2")?.spec.volumeName, undefined);
    assert.deepEqual(events(ch), ["Normal FailedBinding no persistent volumes available for this claim and no storage class is set"]);
  });

  test("no match and no class: Pending with FailedBinding; unknown class: ProvisioningFailed", () => {
    let ch = reconcile(snap({ claims: [pvc("c", "1Gi")], volumes: [pv("small", "100Mi")] }));
    assert.deepEqual(events(ch), ["Normal FailedBinding no persistent volumes available for this claim and no storage class is set"]);
    ch = reconcile(snap({ claims: [pvc("c", "1Gi", { storageClassName: "gold" })] }));
    assert.deepEqual(events(ch), ['Warning ProvisioningFailed storageclass.storage.k8s.io "gold" not found']);
  });

  test("a claim pre-bound by volumeName binds when it fits, VolumeMismatch when it does not", () => {
    let ch = reconcile(snap({ claims: [pvc("c", "1Gi", { volumeName: "x" })], volumes: [pv("x", "1Gi")] }));
    assert.equal(putPV(ch, "x")?.spec.claimRef?.name, "c");
    assert.equal(putClaim(ch, "c")?.status?.phase, "Bound");
    assert.equal(putClaim(ch, "c")?.metadata.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined, "the user bound the claim");
    ch = reconcile(snap({ claims: [pvc("c", "2Gi", { volumeName: "x" })], volumes: [pv("x", "1Gi")] }));
    assert.deepEqual(events(ch), ['Warning VolumeMismatch Cannot bind to requested volume "x": requested PV is too small']);
  });

  test("WaitForFirstConsumer: waits for a pod on a node, then provisions with selected-node", () => {
    const local = sc("local", { volumeBindingMode: "WaitForFirstConsumer" });
    const claim = pvc("c", "64Mi", { storageClassName: "local" });
    let ch = reconcile(snap({ claims: [claim], classes: [local] }));
    assert.deepEqual(events(ch), ["Normal WaitForFirstConsumer waiting for first consumer to be created before binding"]);
    assert.equal(ch.some((c) => c.kind === "provision"), false);
    ch = reconcile(snap({ claims: [claim], classes: [local], pods: [pod("p", "c", { node: "n1" })] }));
    const prov = ch.find((c) => c.kind === "provision");
    assert.ok(prov && prov.kind === "provision");
    assert.equal(prov.volumeName, "pvc-uid-c");
    const c = putClaim(ch, "c")!;
    assert.equal(c.metadata.annotations?.["volume.kubernetes.io/selected-node"], "n1");
    assert.equal(c.metadata.annotations?.["volume.kubernetes.io/storage-provisioner"], "nodelet.io/local");
    // another node's pod: not ours to provision
    ch = reconcile(snap({ claims: [claim], classes: [local], pods: [pod("p", "c", { node: "n2" })] }));
    assert.equal(ch.some((c) => c.kind === "provision"), false);
    // already provisioning: nothing new
    ch = reconcile(snap({ claims: [claim], classes: [local], pods: [pod("p", "c", { node: "n1" })], busy: new Set(["uid-c"]) }));
    assert.equal(ch.some((c) => c.kind === "provision"), false);
  });

  test("the default class is assigned to a claim without one (retroactively), never to storageClassName \"\"", () => {
    const def = sc("local", { metadata: { name: "local", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } });
    const unset = pvc("u", "1Gi");
    delete unset.spec.storageClassName;
    const ch = reconcile(snap({ claims: [unset, pvc("e", "1Gi")], classes: [def] }));
    assert.equal(putClaim(ch, "u")?.spec.storageClassName, "local");
    assert.equal(putClaim(ch, "e")?.spec.storageClassName ?? "", "");
  });

  test("selector with a provisioner, or a foreign provisioner: no provisioning, Kubernetes' events", () => {
    let ch = reconcile(snap({ claims: [pvc("c", "1Gi", { storageClassName: "local", selector: { matchLabels: { a: "b" } } })], classes: [sc("local")] }));
    assert.deepEqual(events(ch), ["Warning ProvisioningFailed claim Selector is not supported"]);
    ch = reconcile(snap({ claims: [pvc("c", "1Gi", { storageClassName: "ebs" })], classes: [sc("ebs", { provisioner: "ebs.csi.aws.com" })] }));
    assert.match(events(ch)[0], /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'/);
  });

  test("Retain: the claim's deletion releases the volume and keeps its claimRef", () => {
    const v = pv("v", "1Gi", { claimRef: { namespace: "default", name: "gone", uid: "uid-gone" }, phase: "Bound" });
    const ch = reconcile(snap({ volumes: [v] }));
    const out = putPV(ch, "v")!;
    assert.equal(out.status?.phase, "Released");
    assert.equal(out.spec.claimRef?.uid, "uid-gone");
    assert.equal(ch.some((c) => c.kind === "reclaim"), false);
    // A claim of the same name but another uid is not the one the volume was bound to.
    const again = reconcile(snap({ volumes: [out], claims: [pvc("gone", "1Gi", {}, { uid: "uid-new" })] }));
    assert.equal(putClaim(again, "gone")?.spec.volumeName, undefined);
    // The admin removes claimRef: Available again.
    const freed = { ...out, spec: { ...out.spec, claimRef: undefined } };
    assert.equal(putPV(reconcile(snap({ volumes: [freed] })), "v")?.status?.phase, "Available");
  });

  test("Delete: a provisioned volume is reclaimed; one without a deleter fails with VolumeFailedDelete", () => {
    const ours = pv("pvc-1", "1Gi", { persistentVolumeReclaimPolicy: "Delete", claimRef: { namespace: "default", name: "gone", uid: "u" }, phase: "Bound", annotations: { "pv.kubernetes.io/provisioned-by": "nodelet.io/local" } });
    let ch = reconcile(snap({ volumes: [ours] }));
    assert.ok(ch.some((c) => c.kind === "reclaim" && c.volume.metadata.name === "pvc-1"));
    const manual = pv("m", "1Gi", { persistentVolumeReclaimPolicy: "Delete", claimRef: { namespace: "default", name: "gone", uid: "u" }, phase: "Bound" });
    ch = reconcile(snap({ volumes: [manual] }));
    assert.equal(putPV(ch, "m")?.status?.phase, "Failed");
    assert.deepEqual(events(ch), ['Warning VolumeFailedDelete error getting deleter volume plugin for volume "m": no deletable volume plugin matched']);
  });

  test("finalizers: a claim in use by a pod keeps pvc-protection; a bound volume keeps pv-protection", () => {
    const deleting = { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["kubernetes.io/pvc-protection"] };
    const claim = pvc("c", "1Gi", { volumeName: "v" }, deleting);
    claim.status = { phase: "Bound", capacity: { storage: "1Gi" } };
    const v = pv("v", "1Gi", { claimRef: { namespace: "default", name: "c", uid: "uid-c" }, phase: "Bound" });
    let ch = reconcile(snap({ claims: [claim], volumes: [v], pods: [pod("p", "c", { phase: "Running" })] }));
    assert.deepEqual((putClaim(ch, "c") ?? claim).metadata.finalizers, ["kubernetes.io/pvc-protection"], "in use: kept");
    ch = reconcile(snap({ claims: [claim], volumes: [v], pods: [pod("p", "c", { phase: "Succeeded" })] }));
    assert.deepEqual(putClaim(ch, "c")?.metadata.finalizers, []);
    const pvDeleting = { ...v, metadata: { ...v.metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["kubernetes.io/pv-protection"] } };
    ch = reconcile(snap({ claims: [pvc("c", "1Gi", { volumeName: "v" })], volumes: [pvDeleting] }));
    assert.deepEqual((putPV(ch, "v") ?? pvDeleting).metadata.finalizers, ["kubernetes.io/pv-protection"], "bound: kept");
    ch = reconcile(snap({ volumes: [{ ...pvDeleting, spec: { ...pvDeleting.spec, claimRef: undefined } }] }));
    assert.deepEqual(putPV(ch, "v")?.metadata.finalizers, []);
  });

  test("expansion: a bound provisioned claim asking for more gets an expand; a pending growth waits while in use", () => {
    const v = pv("pvc-c", "1Gi", { claimRef: { namespace: "default", name: "c", uid: "uid-c" }, phase: "Bound", annotations: { "pv.kubernetes.io/provisioned-by": "nodelet.io/local" } });
    const claim = pvc("c", "2Gi", { volumeName: "pvc-c", storageClassName: "local" }, { finalizers: ["kubernetes.io/pvc-protection"] });
    claim.status = { phase: "Bound", capacity: { storage: "1Gi" } };
    let ch = reconcile(snap({ claims: [claim], volumes: [v], classes: [sc("local")] }));
    const ex = ch.find((c) => c.kind === "expand");
    assert.ok(ex && ex.kind === "expand");
    assert.equal(ex.bytes, 2 * 2 ** 30);
    assert.equal(ex.inUse, false);
    claim.status.conditions = [{ type: "FileSystemResizePending", status: "True" }];
    ch = reconcile(snap({ claims: [claim], volumes: [v], classes: [sc("local")], pods: [pod("p", "c", { phase: "Running" })] }));
    assert.equal(ch.some((c) => c.kind === "expand"), false);
  });
});

describe("PV controller loop over a store", () => {
  async function settle(b: PvBinder): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      await b.idle();
    }
  }

  function setup() {
    const store = openStore(":memory:");
    const clock = new FakeClock();
    const recorded: string[] = [];
    const prov = new FakeProvisioner();
    const binder = new PvBinder({ store, provisioner: prov, nodeName: "n1", clock, events: { record: (o: KubeObject, t, r, m) => recorded.push(`${o.kind}/${o.metadata.name} ${t} ${r} ${m}`) } });
    return { store, clock, recorded, prov, binder };
  }

  test("provisions for a consumer, binds, and on claim deletion reclaims storage and the volume", async () => {
    const { store, recorded, prov, binder } = setup();
    store.create(sc("local", { volumeBindingMode: "WaitForFirstConsumer" }));
    const c = store.create(pvc("data", "64Mi", { storageClassName: "local" }));
    binder.start();
    await settle(binder);
    assert.equal(prov.made.size, 0);
    store.create(pod("p", "data", { node: "n1" }));
    await settle(binder);
    const name = `pvc-${c.metadata.uid}`;
    assert.ok(prov.made.has(name));
    const bound = store.get<PersistentVolumeClaim>("PersistentVolumeClaim", "default", "data")!;
    assert.equal(bound.status?.phase, "Bound");
    assert.equal(bound.spec.volumeName, name);
    const vol = store.get<PersistentVolume>("PersistentVolume", "", name)!;
    assert.equal(vol.status?.phase, "Bound");
    assert.equal(vol.metadata.annotations?.["pv.kubernetes.io/provisioned-by"], "nodelet.io/local");
    assert.equal(vol.spec.persistentVolumeReclaimPolicy, "Delete");
    assert.ok(recorded.some((e) => e === `PersistentVolumeClaim/data Normal ProvisioningSucceeded Successfully provisioned volume ${name}`));
    // deletion while the pod runs: held by pvc-protection
    store.update({ ...bound, metadata: { ...bound.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } });
    await settle(binder);
    assert.ok(store.get("PersistentVolumeClaim", "default", "data"), "in use: kept");
    store.delete("Pod", "default", "p");
    await settle(binder);
    assert.equal(store.get("PersistentVolumeClaim", "default", "data"), undefined);
    assert.equal(store.get("PersistentVolume", "", name), undefined);
    assert.equal(prov.made.size, 0);
    binder.stop();
  });

  test("only pods that use claims bring a pass: a burst of other pods costs no pass over every object", async () => {
    const { store, binder } = setup();
    binder.start();
    await settle(binder);
    let passes = 0;
    const flush = binder.flush.bind(binder);
    binder.flush = () => {
      passes++;
      flush();
    };
    for (let i = 0; i < 20; i++) {
      const p = pod(`plain-${i}`, "none");
      store.create({ ...p, spec: { ...p.spec, volumes: [{ name: "scratch", emptyDir: {} }] } });
    }
    await settle(binder);
    assert.equal(passes, 0, "pods without claims");
    store.create(pod("user", "data"));
    await settle(binder);
    assert.equal(passes, 1, "a pod that uses a claim");
    binder.stop();
  });

  test("a provisioning failure is a ProvisioningFailed event, retried after the resync period", async () => {
    const { store, recorded, prov, binder, clock } = setup();
    store.create(sc("local"));
    prov.failWith = "insufficient disk space: the claim needs 1029 MiB";
    store.create(pvc("big", "1Gi", { storageClassName: "local" }));
    binder.start();
    await settle(binder);
    assert.ok(recorded.includes('PersistentVolumeClaim/big Warning ProvisioningFailed failed to provision volume with StorageClass "local": insufficient disk space: the claim needs 1029 MiB'));
    assert.equal(store.list("PersistentVolume").items.length, 0);
    prov.failWith = undefined;
    await settle(binder);
    assert.equal(prov.made.size, 0, "not retried within the period");
    clock.advance(15_000);
    await settle(binder);
    assert.equal(prov.made.size, 1);
    const events = store.list<Event>("Event").items;
    assert.equal(events.length, 0, "the fake sink got them");
    binder.stop();
  });

  test("admission: default class, finalizers, and resize only where the class allows it", () => {
    const store = openStore(":memory:");
    const hooks = new Hooks();
    installStorageAdmission(store, hooks);
    const ctx = { store, nodeName: "n1", user: LOOPBACK_USER, dryRun: false, warn: () => undefined, annotate: () => undefined };
    store.create(sc("local", { metadata: { name: "local", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, allowVolumeExpansion: true }));
    store.create(sc("fixed"));
    const unset = pvc("u", "1Gi");
    delete unset.spec.storageClassName;
    const admitted = hooks.runCreate(unset, ctx) as PersistentVolumeClaim;
    assert.equal(admitted.spec.storageClassName, "local");
    assert.deepEqual(admitted.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
    assert.equal((hooks.runCreate(pvc("e", "1Gi"), ctx) as PersistentVolumeClaim).spec.storageClassName, "");
    assert.deepEqual(hooks.runCreate(pv("v", "1Gi"), ctx).metadata.finalizers, ["kubernetes.io/pv-protection"]);
    const bound = pvc("b", "1Gi", { storageClassName: "local", volumeName: "pvc-b" });
    hooks.runUpdate(pvc("b", "2Gi", { storageClassName: "local", volumeName: "pvc-b" }), bound, ctx);
    const fixed = pvc("f", "1Gi", { storageClassName: "fixed", volumeName: "pvc-f" });
    assert.throws(() => hooks.runUpdate(pvc("f", "2Gi", { storageClassName: "fixed", volumeName: "pvc-f" }), fixed, ctx), /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  });
});
