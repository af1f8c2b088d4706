import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "../../../src/api/types.js";
import { HostPathPlugin } from "../../../src/storage/host-path.js";
import { LocalProvisioner } from "../../../src/storage/local-provisioner.js";
import { PersistentVolumeClaimPlugin } from "../../../src/storage/persistent-volume-claim.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "pod-uid" }, spec: { containers: [] } } as unknown as Pod;
const vol = { name: "data", persistentVolumeClaim: { claimName: "c" } };

function claim(o: Partial<PersistentVolumeClaim["spec"]> & { phase?: "Bound" | "Pending"; deleting?: boolean } = {}): PersistentVolumeClaim {
  const { phase, deleting, ...spec } = o;
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "ns", uid: "claim-uid", ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) }, spec, status: { phase: phase ?? "Pending" } };
}

function pv(spec: Partial<PersistentVolume["spec"]>): PersistentVolume {
  return { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "v" }, spec: { claimRef: { uid: "claim-uid" }, ...spec } };
}

function plugin(c: PersistentVolumeClaim | undefined, v: PersistentVolume | undefined): PersistentVolumeClaimPlugin {
  const runner = new ScriptedRunner();
  return new PersistentVolumeClaimPlugin(
    { claim: () => c, volume: () => v, watch: () => () => undefined },
    new LocalProvisioner("/nonexistent/volumes", runner),
    new HostPathPlugin(runner),
    20,
  );
}

test("FailedMount texts: claim missing, not bound (after waiting), being deleted, bound elsewhere", async () => {
  await assert.rejects(plugin(undefined, undefined).setup(pod, vol), { message: 'MountVolume.SetUp failed for volume "data" : error processing PVC ns/c: failed to fetch PVC from API server: persistentvolumeclaims "c" not found' });
  await assert.rejects(plugin(claim(), undefined).setup(pod, vol), { message: 'MountVolume.SetUp failed for volume "data" : error processing PVC ns/c: PVC is not bound' });
  await assert.rejects(plugin(claim({ phase: "Bound", volumeName: "v", deleting: true }), undefined).setup(pod, vol), /PVC is being deleted/);
  const other = pv({ hostPath: { path: "/tmp" }, claimRef: { uid: "someone-else" } });
  await assert.rejects(plugin(claim({ phase: "Bound", volumeName: "v" }), other).setup(pod, vol), /error processing PVC ns\/c: PV v is not bound to this claim/);
});

test("an unbound claim is looked at again when a claim or volume changes, not polled; the watch ends with the wait", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pvc-plugin-"));
  try {
    let c = claim();
    let looks = 0;
    const watchers = new Set<() => void>();
    const runner = new ScriptedRunner();
    const lookup = {
      claim: () => (looks++, c),
      volume: () => pv({ hostPath: { path: dir, type: "Directory" } }),
      watch: (_ns: string, changed: () => void) => {
        watchers.add(changed);
        return () => watchers.delete(changed);
      },
    };
    const p = new PersistentVolumeClaimPlugin(lookup, new LocalProvisioner("/nonexistent/volumes", runner), new HostPathPlugin(runner), 60_000).setup(pod, vol);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(looks, 2, "one look, the watch, one more look: then it waits");
    assert.equal(watchers.size, 1);
    c = claim({ phase: "Bound", volumeName: "v" });
    for (const w of watchers) w();
    assert.deepEqual(await p, { hostPath: dir, readOnly: false });
    assert.equal(looks, 3);
    assert.equal(watchers.size, 0, "the watch ended");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hostPath and local volumes give their path; readOnly from the pod's volume; unsupported sources are named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pvc-plugin-"));
  try {
    const bound = claim({ phase: "Bound", volumeName: "v" });
    assert.deepEqual(await plugin(bound, pv({ hostPath: { path: dir, type: "Directory" } })).setup(pod, vol), { hostPath: dir, readOnly: false });
    const ro = { name: "data", persistentVolumeClaim: { claimName: "c", readOnly: true } };
    assert.deepEqual(await plugin(bound, pv({ local: { path: dir } })).setup(pod, ro), { hostPath: dir, readOnly: true });
    await assert.rejects(plugin(bound, pv({ local: { path: join(dir, "missing") } })).setup(pod, vol), { message: `MountVolume.NewMounter initialization failed for volume "v" : path "${join(dir, "missing")}" does not exist` });
    await assert.rejects(plugin(bound, pv({ hostPath: { path: join(dir, "missing"), type: "Directory" } })).setup(pod, vol), /hostPath type check failed: .*missing does not exist/);
    const nfs = { ...pv({}), spec: { claimRef: { uid: "claim-uid" }, nfs: { server: "x", path: "/" } } } as unknown as PersistentVolume;
    await assert.rejects(plugin(bound, nfs).setup(pod, vol), /volume type nfs of PersistentVolume v is not supported on this node/);
    await assert.rejects(plugin(bound, pv({ volumeMode: "Block", local: { path: dir } })).setup(pod, vol), /volumeMode Block is supported for volumes of nodelet.io\/local only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stray entry in the volumes directory is not taken for a volume (one would make every provisioning fail)", () => {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-volumes-"));
  try {
    writeFileSync(join(dir, "Notes.txt"), "left by a user");
    mkdirSync(join(dir, "pvc-0f1e2d3c"));
    const p = new LocalProvisioner(dir, new ScriptedRunner(), () => 1 << 30);
    assert.deepEqual(p.names(), ["pvc-0f1e2d3c"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
