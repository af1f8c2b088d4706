/**
 * Persistent volumes end to end with the real kubectl against a real daemon: the default StorageClass, a claim
 * bound when its first pod comes (WaitForFirstConsumer), a 64 Mi limit that is ENOSPC inside the container, data
 * that survives a container restart and a daemon kill -9, expansion (offline: pending while the pod runs, done when
 * it has gone), Delete reclaim removing image, loop device and mount, Retain keeping the data, and the events of
 * claims that cannot be bound or provisioned.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { eventually } from "../helpers/daemon.js";
import { kubectlDaemon } from "../helpers/kubectl-daemon.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../../src/api/types.js";

const skip = skipUnless(needsRoot(), needsCommand("kubectl"), needsCommand("mkfs.ext4"));

const claim = (name: string, size: string, extra = "") =>
  `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: ${size}\n${extra}`;

const podYaml = (name: string, claimName: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n` +
  `    command: ["sh", "-c", "while [ ! -f /data/stop ]; do sleep 0.1; done; rm /data/stop; exit 1"]\n` +
  `    volumeMounts:\n    - name: data\n      mountPath: /data\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: ${claimName}\n`;

describe("persistent volumes with kubectl (privileged)", { skip }, () => {
  const { d, kubectl: run } = kubectlDaemon("storage", [], {
    afterStop: () => {
      const loops = (spawnSync("losetup", ["-a"], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l.includes(d.root));
      assert.deepEqual(loops, [], "nodelet reset detached every loop device of the daemon's volumes");
    },
  });
  const kubectl = (args: string[], input?: string) => run(args, { input });
  const apply = async (yaml: string) => {
    const r = await kubectl(["apply", "-f", "-"], yaml);
    assert.equal(r.code, 0, r.stderr);
  };
  const jsonpath = async (args: string[], path: string) => (await kubectl([...args, "-o", `jsonpath=${path}`])).stdout;
  // What the tests wait on is read through the API client in this process: a kubectl process a poll (every 100 ms)
  // kept a core busy while waiting. What kubectl shows is checked with kubectl once the wait is over.
  const pvc = (name: string) => d.client.request<PersistentVolumeClaim>("GET", `/api/v1/namespaces/default/persistentvolumeclaims/${name}`).catch(() => undefined);
  const pv = (name: string) => d.client.request<PersistentVolume>("GET", `/api/v1/persistentvolumes/${name}`).catch(() => undefined);
  const running = (pod: string) => eventually(async () => (await d.pod(pod))?.status?.phase === "Running", 60_000, `${pod} Running`);
  /** The claim's events, one `REASON: MESSAGE` a line. */
  const events = async (name: string) => (await d.events(name)).map((e) => `${e.reason}: ${e.message}\n`).join("");
  /** This daemon's loop devices, mounts and volume directories. */
  const footprint = () => ({
    loops: (spawnSync("losetup", ["-a"], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l.includes(d.root)).length,
    mounts: readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(join(d.root, "volumes"))).length,
    dirs: existsSync(join(d.root, "volumes")) ? readdirSync(join(d.root, "volumes")).length : 0,
  });


  test("default class; WaitForFirstConsumer; ENOSPC at 64 Mi; data survives a restart and kill -9; expansion; Delete", async () => {
    const sc = await kubectl(["get", "storageclass"]);
    assert.match(sc.stdout, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/);
    assert.match(sc.stdout, /\nlocal \(default\)\s+nodelet\.io\/local\s+Delete\s+WaitForFirstConsumer\s+true\s+/);

    await apply(claim("data", "64Mi"));
    await eventually(async () => /WaitForFirstConsumer: waiting for first consumer to be created before binding/.test(await events("data")), 20_000, "WaitForFirstConsumer event");
    assert.equal(await jsonpath(["get", "pvc", "data"], "{.status.phase}"), "Pending");
    assert.equal(await jsonpath(["get", "pvc", "data"], "{.spec.storageClassName}"), "local", "the default class was assigned");

    await apply(podYaml("writer", "data"));
    await running("writer");
    const pvName = await jsonpath(["get", "pvc", "data"], "{.spec.volumeName}");
    assert.match(pvName, /^pvc-[0-9a-f-]{36}$/);
    const table = await kubectl(["get", "pv,pvc"]);
    assert.match(table.stdout, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\n/);
    assert.match(table.stdout, new RegExp(`persistentvolume/${pvName}\\s+64Mi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local\\s+<unset>\\s+\\d+s`));
    assert.match(table.stdout, /\nNAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\n/);
    assert.match(table.stdout, new RegExp(`persistentvolumeclaim/data\\s+Bound\\s+${pvName}\\s+64Mi\\s+RWO\\s+local\\s+<unset>\\s+\\d+s`));
    const ann = JSON.parse(await jsonpath(["get", "pvc", "data"], "{.metadata.annotations}")) as Record<string, string>;
    assert.equal(ann["volume.kubernetes.io/selected-node"], await jsonpath(["get", "pod", "writer"], "{.spec.nodeName}"));
    assert.equal(ann["pv.kubernetes.io/bind-completed"], "yes");
    assert.match(await events("data"), /ProvisioningSucceeded: Successfully provisioned volume pvc-/);

    // The limit: dd inside the container stops with ENOSPC a little past 64 MiB.
    const dd = await kubectl(["exec", "writer", "--", "sh", "-c", "dd if=/dev/zero of=/data/fill bs=1048576 count=200 2>&1; ls -l /data/fill"]);
    assert.match(dd.stdout, /No space left on device/);
    const size = Number(/\s(\d+)\s+\w+\s+\d+\s+[\d:]+\s+\/data\/fill/.exec(dd.stdout)?.[1] ?? 0);
    assert.ok(size >= 64 * 1048576 && size <= 70 * 1048576, `filled ${size} bytes`);
    assert.equal((await kubectl(["exec", "writer", "--", "sh", "-c", "rm /data/fill; echo kept > /data/file; sync"])).code, 0);

    // A container restart, then a daemon kill -9 and restart: the data is still there.
    await kubectl(["exec", "writer", "--", "touch", "/data/stop"]);
    await eventually(async () => ((await d.pod("writer"))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, "container restarted");
    await running("writer");
    assert.equal((await kubectl(["exec", "writer", "--", "cat", "/data/file"])).stdout, "kept\n");
    await d.kill9();
    await d.start();
    await running("writer");
    assert.equal((await kubectl(["exec", "writer", "--", "cat", "/data/file"])).stdout, "kept\n");

    // Expansion: offline on this kernel, so pending while the pod runs and done once it has gone.
    assert.equal((await kubectl(["patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"128Mi"}}}}'])).code, 0);
    await eventually(async () => (await pvc("data"))?.status?.conditions?.[0]?.type === "FileSystemResizePending", 20_000, "FileSystemResizePending");
    assert.equal(await jsonpath(["get", "pv", pvName], "{.spec.capacity.storage}"), "128Mi");
    assert.equal((await kubectl(["delete", "pod", "writer"])).code, 0);
    await eventually(async () => (await pvc("data"))?.status?.capacity?.storage === "128Mi", 30_000, "claim grown");
    assert.match(await events("data"), new RegExp(`FileSystemResizeSuccessful: MountVolume.NodeExpandVolume succeeded for volume "${pvName}"`));
    await apply(podYaml("reader", "data"));
    await running("reader");
    const df = await kubectl(["exec", "reader", "--", "sh", "-c", "cat /data/file; df -k /data | tail -1"]);
    assert.match(df.stdout, /^kept\n/);
    assert.ok(Number(df.stdout.split("\n")[1].trim().split(/\s+/)[1]) >= 128 * 1024, df.stdout);

    // Deleting the claim waits for its pod (pvc-protection); then Delete removes volume, image, loop and mount.
    assert.equal((await kubectl(["delete", "pvc", "data", "--wait=false"])).code, 0);
    assert.equal(await jsonpath(["get", "pvc", "data"], "{.metadata.finalizers[0]}"), "kubernetes.io/pvc-protection");
    assert.match((await kubectl(["get", "pvc", "data"])).stdout, /data\s+Terminating/);
    assert.equal((await kubectl(["delete", "pod", "reader"])).code, 0);
    await eventually(async () => (await pv(pvName)) === undefined, 30_000, "volume deleted");
    await eventually(async () => JSON.stringify(footprint()) === JSON.stringify({ loops: 0, mounts: 0, dirs: 0 }) || undefined, 10_000, "no image, loop device or mount left");
  });

  test("Retain keeps the data after the claim is gone; the volume is Released with its claimRef", async () => {
    await apply(`apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: keep\nprovisioner: nodelet.io/local\nreclaimPolicy: Retain\nvolumeBindingMode: Immediate\n`);
    await apply(claim("kept", "16Mi", "  storageClassName: keep\n"));
    await eventually(async () => (await pvc("kept"))?.status?.phase === "Bound", 20_000, "Immediate binding");
    const pvName = await jsonpath(["get", "pvc", "kept"], "{.spec.volumeName}");
    await apply(podYaml("keeper", "kept"));
    await running("keeper");
    await kubectl(["exec", "keeper", "--", "sh", "-c", "echo retained > /data/file; sync"]);
    await kubectl(["delete", "pod", "keeper"]);
    await kubectl(["delete", "pvc", "kept"]);
    await eventually(async () => (await pv(pvName))?.status?.phase === "Released", 20_000, "Released");
    assert.equal(await jsonpath(["get", "pv", pvName], "{.spec.claimRef.name}"), "kept");
    const path = await jsonpath(["get", "pv", pvName], "{.spec.local.path}");
    assert.equal(readFileSync(join(path, "file"), "utf8"), "retained\n");
    await kubectl(["delete", "pv", pvName]);
    await eventually(async () => !readFileSync("/proc/self/mountinfo", "utf8").includes(path), 10_000, "unmounted when its volume object went");
    assert.ok(existsSync(join(d.root, "volumes", pvName, "disk.img")), "the image stays for the administrator (reset removes it)");
  });

  test("emptyDir sizeLimit: ENOSPC at the limit on disk (a loop-mounted image) and in memory (tmpfs size=)", async () => {
    await apply(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: scratch\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n` +
        `    volumeMounts:\n    - {name: disk, mountPath: /disk}\n    - {name: mem, mountPath: /mem}\n  volumes:\n  - name: disk\n    emptyDir:\n      sizeLimit: 16Mi\n  - name: mem\n    emptyDir:\n      medium: Memory\n      sizeLimit: 8Mi\n`,
    );
    await running("scratch");
    for (const [dir, limit] of [["/disk", 16], ["/mem", 8]] as const) {
      const r = await kubectl(["exec", "scratch", "--", "sh", "-c", `dd if=/dev/zero of=${dir}/fill bs=1048576 count=100 2>&1; wc -c < ${dir}/fill`]);
      assert.match(r.stdout, /No space left on device/, dir);
      const bytes = Number(r.stdout.trim().split("\n").pop());
      assert.ok(bytes >= limit * 1048576 && bytes <= (limit + 2) * 1048576, `${dir}: ${bytes} bytes`);
    }
    const uid = await jsonpath(["get", "pod", "scratch"], "{.metadata.uid}");
    assert.equal((await kubectl(["delete", "pod", "scratch"])).code, 0);
    await eventually(async () => !readFileSync("/proc/self/mountinfo", "utf8").includes(uid) && !existsSync(join(d.root, "pods", uid)), 20_000, "emptyDir image unmounted and removed with its pod");
  });

  test("volumeMode Block: the container gets the loop device at devicePath, and no other block device", async () => {
    await apply(`apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: raw\nprovisioner: nodelet.io/local\nvolumeBindingMode: Immediate\n`);
    await apply(claim("blk", "16Mi", "  storageClassName: raw\n  volumeMode: Block\n"));
    await eventually(async () => (await pvc("blk"))?.status?.phase === "Bound", 20_000, "block claim bound");
    const pvName = await jsonpath(["get", "pvc", "blk"], "{.spec.volumeName}");
    assert.equal(await jsonpath(["get", "pv", pvName], "{.spec.volumeMode}"), "Block");
    await apply(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: blockuser\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n` +
        `    volumeDevices:\n    - {name: blk, devicePath: /dev/xvda}\n  volumes:\n  - name: blk\n    persistentVolumeClaim:\n      claimName: blk\n`,
    );
    await running("blockuser");
    const io = await kubectl(["exec", "blockuser", "--", "sh", "-c", "dd if=/dev/zero of=/dev/xvda bs=1048576 count=17 2>&1; echo read; dd if=/dev/xvda of=/dev/null bs=1048576 2>&1 | tail -1; ls -l /dev/xvda"]);
    assert.match(io.stdout, /No space left on device/);
    assert.match(io.stdout, /read\n16\+0 records out\n/, "16 MiB, exactly the claim");
    const [, major, minor] = /brw\S*\s+\d+\s+\S+\s+\S+\s+(\d+),\s+(\d+)/.exec(io.stdout) ?? [];
    assert.equal(major, "7", io.stdout);
    // Another block device, made in the container: the device cgroup refuses to open it.
    // The same device made again opens (the place allows device nodes); another loop device is refused.
    const same = await kubectl(["exec", "blockuser", "--", "sh", "-c", `mknod /dev/same b 7 ${minor} && dd if=/dev/same of=/dev/null count=1 2>&1`]);
    assert.match(same.stdout, /1\+0 records in/, same.stdout + same.stderr);
    const other = await kubectl(["exec", "blockuser", "--", "sh", "-c", `mknod /dev/other b 7 ${Number(minor) + 1} && dd if=/dev/other of=/dev/null count=1 2>&1`]);
    assert.match(other.stdout, /Operation not permitted/, other.stdout + other.stderr);
    const loops = () => (spawnSync("losetup", ["-a"], { encoding: "utf8" }).stdout ?? "").split("\n").filter((l) => l.includes(join(d.root, "volumes", pvName))).length;
    assert.equal(loops(), 1);
    await kubectl(["delete", "pod", "blockuser"]);
    await kubectl(["delete", "pvc", "blk"]);
    await eventually(async () => (await pv(pvName)) === undefined, 30_000, "block volume deleted");
    assert.equal(loops(), 0, "its loop device detached");
  });

  test("claims that cannot be served: FailedBinding, unknown class, larger than the disk; a hostPath volume binds", async () => {
    await apply(claim("noclass", "1Gi", '  storageClassName: ""\n'));
    await apply(claim("gold", "1Gi", "  storageClassName: gold\n"));
    await apply(claim("huge", "100Ti", "  storageClassName: keep\n"));
    await eventually(async () => /FailedBinding: no persistent volumes available for this claim and no storage class is set/.test(await events("noclass")), 20_000, "FailedBinding");
    await eventually(async () => /ProvisioningFailed: storageclass.storage.k8s.io "gold" not found/.test(await events("gold")), 20_000, "unknown class");
    await eventually(async () => /ProvisioningFailed: failed to provision volume with StorageClass "keep": insufficient disk space: the claim needs \d+ MiB \(104857600 MiB requested/.test(await events("huge")), 20_000, "too large");
    assert.equal(await jsonpath(["get", "pvc", "huge"], "{.status.phase}"), "Pending");
    const hostDir = join(d.root, "host-pv");
    writeFileSync(join(d.root, "marker"), "");
    await apply(`apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: host\nspec:\n  capacity:\n    storage: 2Gi\n  accessModes: [ReadWriteOnce]\n  hostPath:\n    path: ${hostDir}\n    type: DirectoryOrCreate\n`);
    await eventually(async () => (await pvc("noclass"))?.spec.volumeName === "host", 20_000, "bound to the hostPath volume");
    assert.equal(await jsonpath(["get", "pv", "host"], "{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}"), "yes");
    await apply(podYaml("hostuser", "noclass"));
    await running("hostuser");
    await kubectl(["exec", "hostuser", "--", "sh", "-c", "echo via-pv > /data/f"]);
    assert.equal(readFileSync(join(hostDir, "f"), "utf8"), "via-pv\n");
    await kubectl(["delete", "pod", "hostuser"]);
    // Left for `nodelet reset` (the suite's cleanup) to remove: a mounted volume and an attached block device.
    await apply(claim("left", "8Mi", "  storageClassName: raw\n"));
    await apply(claim("leftblk", "8Mi", "  storageClassName: raw\n  volumeMode: Block\n"));
    await eventually(async () => (await pvc("left"))?.status?.phase === "Bound" && (await pvc("leftblk"))?.status?.phase === "Bound", 20_000, "left claims bound");
    await kubectl(["delete", "pvc", "noclass", "gold", "huge"]);
    await eventually(async () => (await pv("host"))?.status?.phase === "Released", 20_000, "hostPath volume Released (Retain is the default)");
  });
});
