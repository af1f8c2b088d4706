/**
 * The storage lifecycle against one real daemon, through its API: 100 claims of the local provisioner created,
 * bound (three of them used by a pod) and deleted leave no loop device, mount, image or PersistentVolume; volumes
 * are mounted (and attached) again when the daemon starts after a reboot took them down, and a pod sees its earlier
 * data; `local` PersistentVolumes (path + node affinity) bind, mount and show a missing path as the kubelet does.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../src/api/types.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = skipUnless(needsRoot(), needsCommand("mkfs.ext4"), needsCommand("losetup"));

const NS = "/api/v1/namespaces/default";
const IMMEDIATE = "now";

interface List<T> {
  items: T[];
}

const claimOf = (name: string, size: string, spec: Partial<PersistentVolumeClaim["spec"]> = {}): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } }, storageClassName: IMMEDIATE, ...spec },
});

/** A pod that runs `script` once (restartPolicy Never) with the claims mounted at /CLAIM (or as /dev/CLAIM for Block). */
const podOf = (name: string, script: string, claims: string[], devices: string[] = []): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "c",
          image: "busybox",
          command: ["sh", "-c", script],
          volumeMounts: claims.map((c) => ({ name: c, mountPath: `/${c}` })),
          volumeDevices: devices.map((c) => ({ name: c, devicePath: `/dev/${c}` })),
        },
      ],
      volumes: [...claims, ...devices].map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
    },
  }) as unknown as Pod;

describe("storage lifecycle through the API (privileged)", { skip }, () => {
  const d = suiteDaemon("storage-life");
  const api = <T>(method: string, path: string, body?: unknown) => d.client.request<T>(method, path, body === undefined ? {} : { body });
  const claims = async () => (await api<List<PersistentVolumeClaim>>("GET", `${NS}/persistentvolumeclaims`)).items;
  const volumes = async () => (await api<List<PersistentVolume>>("GET", "/api/v1/persistentvolumes")).items;
  const pod = (name: string) => api<Pod>("GET", `${NS}/pods/${name}`);
  const events = async (name: string) =>
    (await api<List<Event>>("GET", `${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`)).items.map((e) => `${e.reason}: ${e.message}`);
  const phase = async (name: string) => (await pod(name)).status?.phase;
  const succeeded = (name: string, ms = 60_000) => eventually(async () => (await phase(name)) === "Succeeded" || (await phase(name)) === "Failed", ms, `${name} finished`);
  const logs = (name: string) => api<string>("GET", `${NS}/pods/${name}/log`);
  const deletePod = async (name: string) => {
    await api("DELETE", `${NS}/pods/${name}`);
    await eventually(async () => (await d.client.raw("GET", `${NS}/pods/${name}`)).status === 404, 30_000, `${name} gone`);
  };
  const loops = () => (spawnSync("losetup", ["-a"], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l.includes(d.root));
  const mounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(join(d.root, "volumes")));
  const volumeDirs = () => (existsSync(join(d.root, "volumes")) ? readdirSync(join(d.root, "volumes")) : []);

  before(async () => {
    await api("POST", "/apis/storage.k8s.io/v1/storageclasses", {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: IMMEDIATE },
      provisioner: "nodelet.io/local",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    });
  });

  test("100 claims created, bound and deleted leave no loop device, mount, image or PersistentVolume", async () => {
    const started = Date.now();
    const names = Array.from({ length: 100 }, (_, i) => `churn-${i}`);
    await Promise.all(names.map((n) => api("POST", `${NS}/persistentvolumeclaims`, claimOf(n, "1Mi"))));
    await eventually(async () => (await claims()).filter((c) => names.includes(c.metadata.name!) && c.status?.phase === "Bound").length === 100, 120_000, "100 claims bound");
    const bound = Date.now();
    const mine = (await volumes()).filter((v) => names.includes(v.spec.claimRef?.name ?? ""));
    assert.equal(mine.length, 100);
    assert.equal(loops().length, 100, "one loop device per volume");
    assert.equal(volumeDirs().length, 100);

    // Three of them used by one pod: each holds what the container wrote, seen at the volume's host path.
    const used = names.slice(0, 3);
    await api("POST", `${NS}/pods`, podOf("churn-user", used.map((c) => `echo ${c} > /${c}/f`).join(" && "), used));
    await succeeded("churn-user");
    assert.equal(await phase("churn-user"), "Succeeded", await logs("churn-user"));
    for (const c of used) {
      const pv = mine.find((v) => v.spec.claimRef?.name === c)!;
      assert.equal(readFileSync(join(pv.spec.local!.path, "f"), "utf8"), `${c}\n`);
    }
    await deletePod("churn-user");

    const deleting = Date.now();
    await Promise.all(names.map((n) => api("DELETE", `${NS}/persistentvolumeclaims/${n}`)));
    const pvNames = new Set(mine.map((v) => v.metadata.name!));
    await eventually(async () => (await volumes()).every((v) => !pvNames.has(v.metadata.name!)), 120_000, "every PersistentVolume deleted");
    assert.deepEqual(
      (await claims()).filter((c) => names.includes(c.metadata.name!)),
      [],
    );
    await eventually(async () => loops().length === 0, 10_000, "no loop device left");
    assert.deepEqual(mounts(), [], "no mount left");
    assert.deepEqual(volumeDirs(), [], "no image or volume directory left");
    const done = Date.now();
    console.log(`100 claims: created and bound in ${((bound - started) / 1000).toFixed(1)} s, deleted and cleaned in ${((done - deleting) / 1000).toFixed(1)} s; whole ${((done - started) / 1000).toFixed(1)} s`);
  });

  test("after a reboot (daemon stopped, volumes unmounted, loop devices detached) the daemon mounts them again; a pod sees its data", async () => {
    await api("POST", `${NS}/persistentvolumeclaims`, claimOf("survivor", "8Mi"));
    await api("POST", `${NS}/persistentvolumeclaims`, claimOf("survivor-blk", "4Mi", { volumeMode: "Block" }));
    await eventually(async () => (await claims()).filter((c) => c.metadata.name!.startsWith("survivor") && c.status?.phase === "Bound").length === 2, 30_000, "claims bound");
    const fsVolume = (await claims()).find((c) => c.metadata.name === "survivor")!.spec.volumeName!;
    const blkVolume = (await claims()).find((c) => c.metadata.name === "survivor-blk")!.spec.volumeName!;
    await api("POST", `${NS}/pods`, podOf("before", "echo kept > /survivor/file && printf blockdata > /dev/survivor-blk && sync", ["survivor"], ["survivor-blk"]));
    await succeeded("before");
    assert.equal(await phase("before"), "Succeeded", await logs("before"));
    await deletePod("before");

    // The reboot: the daemon goes, then what a reboot takes with it: every mount and loop device of the volumes.
    await d.terminate();
    const target = join(d.root, "volumes", fsVolume, "mount");
    assert.equal(mounts().length, 1, "the filesystem volume stays mounted while the daemon is stopped");
    assert.equal(spawnSync("umount", [target]).status, 0);
    for (const line of loops()) {
      const dev = line.split(":")[0];
      spawnSync("losetup", ["-d", dev]);
    }
    await eventually(async () => loops().length === 0, 10_000, "loop devices detached");
    assert.deepEqual(mounts(), []);

    await d.start();
    // Mounted and attached at start, before any pod asks for them.
    assert.equal(mounts().length, 1, "the filesystem volume is mounted again");
    assert.ok(mounts()[0].includes(target));
    const attached = loops();
    assert.equal(attached.length, 2, attached.join("\n"));
    assert.ok(attached.some((l) => l.includes(join(blkVolume, "disk.img"))), "the block volume is attached again");

    await api("POST", `${NS}/pods`, podOf("after", "cat /survivor/file && head -c 9 /dev/survivor-blk", ["survivor"], ["survivor-blk"]));
    await succeeded("after");
    assert.equal(await logs("after"), "kept\nblockdata");
    await deletePod("after");
    await Promise.all(["survivor", "survivor-blk"].map((n) => api("DELETE", `${NS}/persistentvolumeclaims/${n}`)));
    await eventually(async () => (await volumes()).every((v) => v.metadata.name !== fsVolume && v.metadata.name !== blkVolume), 30_000, "volumes deleted");
    await eventually(async () => loops().length === 0 && mounts().length === 0, 10_000, "no loop device or mount left");
  });

  test("local PersistentVolumes: node affinity chooses the volume, a pod writes to its path; a missing path is FailedMount", async () => {
    const node = (await api<List<Node>>("GET", "/api/v1/nodes")).items[0];
    const hostname = node.metadata.labels?.["kubernetes.io/hostname"] ?? node.metadata.name!;
    await api("POST", "/apis/storage.k8s.io/v1/storageclasses", {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "local-storage" },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    const localPv = (name: string, path: string, size: string, host: string): PersistentVolume => ({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name },
      spec: {
        capacity: { storage: size },
        volumeMode: "Filesystem",
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "local-storage",
        local: { path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [host] }] }] } },
      },
    });
    const disk = join(d.root, "disk1");
    mkdirSync(disk);
    const missing = join(d.root, "disk2");
    // The smaller volume would be chosen first, but it is on another node.
    await api("POST", "/api/v1/persistentvolumes", localPv("local-elsewhere", join(d.root, "elsewhere"), "64Mi", "another-node"));
    await api("POST", "/api/v1/persistentvolumes", localPv("local-here", disk, "1Gi", hostname));
    await api("POST", "/api/v1/persistentvolumes", localPv("local-missing", missing, "1Gi", hostname));

    await api("POST", `${NS}/persistentvolumeclaims`, claimOf("local-claim", "32Mi", { storageClassName: "local-storage" }));
    await eventually(async () => (await events("local-claim")).some((e) => e === "WaitForFirstConsumer: waiting for first consumer to be created before binding"), 20_000, "WaitForFirstConsumer");
    await api("POST", `${NS}/pods`, podOf("local-user", "echo via-local > /local-claim/f", ["local-claim"]));
    await succeeded("local-user");
    assert.equal(await phase("local-user"), "Succeeded", await logs("local-user"));
    const bound = (await claims()).find((c) => c.metadata.name === "local-claim")!;
    assert.equal(bound.spec.volumeName, "local-here", "bound to the volume of this node");
    assert.equal(readFileSync(join(disk, "f"), "utf8"), "via-local\n");

    // A claim pre-bound to the other node's volume: the pod stays unscheduled, as the scheduler leaves it.
    await api("POST", `${NS}/persistentvolumeclaims`, claimOf("away-claim", "32Mi", { storageClassName: "local-storage", volumeName: "local-elsewhere" }));
    await api("POST", `${NS}/pods`, podOf("away-user", "true", ["away-claim"]));
    const conflict = "FailedScheduling: 0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    await eventually(async () => (await events("away-user")).includes(conflict), 30_000, conflict);
    assert.equal((await pod("away-user")).status?.conditions?.find((c) => c.type === "PodScheduled")?.status, "False");
    await deletePod("away-user");

    // A volume whose path is not there: the pod waits in ContainerCreating with the kubelet's FailedMount, and
    // starts once the path appears.
    await api("POST", `${NS}/persistentvolumeclaims`, claimOf("missing-claim", "32Mi", { storageClassName: "local-storage", volumeName: "local-missing" }));
    await api("POST", `${NS}/pods`, podOf("missing-user", "cat /missing-claim/f", ["missing-claim"]));
    const message = `FailedMount: MountVolume.NewMounter initialization failed for volume "local-missing" : path "${missing}" does not exist`;
    await eventually(async () => (await events("missing-user")).includes(message), 30_000, message);
    const waiting = await pod("missing-user");
    assert.equal(waiting.status?.phase, "Pending");
    assert.equal(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason, "ContainerCreating");
    mkdirSync(missing);
    spawnSync("sh", ["-c", `echo appeared > ${join(missing, "f")}`]);
    await succeeded("missing-user", 90_000);
    assert.equal(await logs("missing-user"), "appeared\n");

    for (const p of ["local-user", "missing-user"]) await deletePod(p);
    for (const c of ["local-claim", "missing-claim", "away-claim"]) await api("DELETE", `${NS}/persistentvolumeclaims/${c}`);
    await eventually(async () => (await volumes()).filter((v) => v.metadata.name!.startsWith("local-") && v.status?.phase === "Released").length === 3, 30_000, "Retain: Released");
    assert.equal(readFileSync(join(disk, "f"), "utf8"), "via-local\n", "Retain keeps the files at the path");
  });
});
