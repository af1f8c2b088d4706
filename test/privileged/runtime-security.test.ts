/**
 * securityContext, volumes and limits, proven from inside real containers: users and groups, read-only root,
 * capabilities added and dropped, privileged, the pids limit against a fork bomb, emptyDir on disk and in memory,
 * hostPath types and read-only mounts, subPath that cannot escape through a symlink, and a shared PID namespace.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Container, Pod } from "../../src/api/types.js";
import { ContainerStartError } from "../../src/runtime/pod-runtime.js";
import { needsRoot } from "../helpers/root.js";
import { containerOutput, makeRuntime, runSandbox, runToExit, startPod, testPod, waitExited, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { waitFor } from "../helpers/wait.js";

const skip = needsRoot();

async function run(h: RuntimeHarness, c: Partial<Container>, spec: Partial<Pod["spec"]> = {}) {
  const { record, out } = await runToExit(h, testPod([c], spec));
  return { exitCode: record.exitCode, out };
}

describe("securityContext, volumes and limits (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  let hostDir: string;
  before(async () => {
    h = await makeRuntime({ name: "sec", podPidsLimit: 64 });
    hostDir = mkdtempSync(join(tmpdir(), "nodelet-hostpath-"));
  });
  after(async () => {
    await h?.cleanup();
    rmSync(hostDir, { recursive: true, force: true });
  });

  test("runAsUser/runAsGroup/supplementalGroups set the process identity", async () => {
    const r = await run(h, { command: ["sh", "-c", "id -u; id -g; id -G"], securityContext: { runAsUser: 1000, runAsGroup: 2000 } }, { securityContext: { supplementalGroups: [3000] } });
    assert.equal(r.exitCode, 0, r.out);
    assert.deepEqual(r.out.trim().split("\n"), ["1000", "2000", "2000 3000"]);
  });

  test("readOnlyRootFilesystem: / cannot be written, a volume can", async () => {
    const r = await run(
      h,
      { command: ["sh", "-c", "touch /x 2>/dev/null && echo ROOT-WRITABLE; touch /scratch/y && echo volume-ok"], securityContext: { readOnlyRootFilesystem: true }, volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] },
      { volumes: [{ name: "scratch", emptyDir: {} }] },
    );
    assert.equal(r.out.trim(), "volume-ok");
  });

  test("capabilities: drop ALL takes chown away; add SYS_ADMIN allows mount; privileged has everything", async () => {
    const dropped = await run(h, { command: ["sh", "-c", "touch /f; chown 1:1 /f && echo CHOWNED; grep CapEff /proc/self/status"], securityContext: { capabilities: { drop: ["ALL"] } } });
    assert.doesNotMatch(dropped.out, /CHOWNED/);
    assert.match(dropped.out, /CapEff:\s+0000000000000000/);
    const added = await run(h, { command: ["sh", "-c", "mkdir -p /m && mount -t tmpfs x /m && echo MOUNTED"], securityContext: { capabilities: { add: ["SYS_ADMIN"] } } });
    assert.match(added.out, /MOUNTED/);
    const priv = await run(h, { command: ["sh", "-c", "grep -E 'CapBnd|NoNewPrivs' /proc/self/status"], securityContext: { privileged: true } });
    assert.match(priv.out, /NoNewPrivs:\s+0/);
    const bnd = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(priv.out)![1]}`);
    assert.ok(((bnd >> 21n) & 1n) === 1n, "CAP_SYS_ADMIN in the bounding set");
  });

  test("a fork bomb is stopped by the pod's pids limit, and the pod is removed cleanly", async () => {
    const pod = testPod([{ command: ["sh", "-c", "while true; do sleep 60 & done"] }]);
    const [rec] = await startPod(h, pod);
    const sandbox = h.runtime.sandbox(pod.metadata.uid!)!;
    const pidsDir = h.cgroups.dirs(sandbox.cgroupPath).find((d) => d.includes("/pids/"))!;
    const failed = /can't fork|Resource temporarily unavailable/;
    await waitFor("a refused fork in the output", async () => failed.test(await containerOutput(h, rec.id)), 20_000, 50).catch(() => undefined);
    assert.match(await containerOutput(h, rec.id), /can't fork|Resource temporarily unavailable/, "forks failed at the limit");
    // pids.events counts the refused forks in the cgroup of the task that forked (the container's, on this kernel)
    // or in the one holding the limit (the pod's): read both.
    const ctrDir = h.cgroups.dirs(rec.cgroupPath).find((d) => d.includes("/pids/"))!;
    const events = (dir: string) => Number(/max (\d+)/.exec(readFileSync(join(dir, "pids.events"), "utf8"))?.[1] ?? 0);
    const refused = events(pidsDir) + events(ctrDir);
    assert.ok(refused > 0, `pids.events max = ${refused}`);
    assert.equal(readFileSync(join(pidsDir, "pids.max"), "utf8").trim(), "64");
    await h.runtime.removeSandbox(pod.metadata.uid!);
    assert.equal(existsSync(pidsDir), false);
  });

  test("emptyDir: shared by the pod's containers; medium Memory is a tmpfs bounded by sizeLimit", async () => {
    const r = await run(
      h,
      { command: ["sh", "-c", "grep ' /cache ' /proc/mounts | cut -d' ' -f3; dd if=/dev/zero of=/cache/big bs=1k count=3000 2>&1 | grep -q 'No space' && echo FULL"], volumeMounts: [{ name: "cache", mountPath: "/cache" }] },
      { volumes: [{ name: "cache", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }] },
    );
    assert.equal(r.out.trim(), "tmpfs\nFULL");
  });

  test("hostPath: DirectoryOrCreate creates it; readOnly mounts refuse writes; a type mismatch fails the mount", async () => {
    const created = join(hostDir, "made");
    const r = await run(
      h,
      { command: ["sh", "-c", "echo from-pod > /rw/file; touch /ro/x 2>/dev/null && echo RO-WRITABLE; cat /ro/file"], volumeMounts: [{ name: "rw", mountPath: "/rw" }, { name: "ro", mountPath: "/ro", readOnly: true }] },
      { volumes: [{ name: "rw", hostPath: { path: created, type: "DirectoryOrCreate" } }, { name: "ro", hostPath: { path: created, type: "Directory" } }] },
    );
    assert.equal(readFileSync(join(created, "file"), "utf8"), "from-pod\n");
    assert.equal(r.out, "from-pod\n");
    writeFileSync(join(hostDir, "plain-file"), "");
    const pod = testPod([{ command: ["true"] }], { volumes: [{ name: "v", hostPath: { path: join(hostDir, "plain-file"), type: "Directory" } }] });
    await assert.rejects(runSandbox(h, pod), /hostPath type check failed: .*plain-file is not a directory/);
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("hostPath: File mounts one file; FileOrCreate creates an empty one; File on a directory fails the mount", async () => {
    const file = join(hostDir, "config.txt");
    writeFileSync(file, "from-host\n");
    const made = join(hostDir, "made.log");
    const r = await run(
      h,
      { command: ["sh", "-c", "cat /etc/config.txt; echo appended >> /var/made.log"], volumeMounts: [{ name: "f", mountPath: "/etc/config.txt", readOnly: true }, { name: "c", mountPath: "/var/made.log" }] },
      { volumes: [{ name: "f", hostPath: { path: file, type: "File" } }, { name: "c", hostPath: { path: made, type: "FileOrCreate" } }] },
    );
    assert.equal(r.out, "from-host\n");
    assert.equal(readFileSync(made, "utf8"), "appended\n", "created as a file, and the pod's write reached it");
    const pod = testPod([{ command: ["true"] }], { volumes: [{ name: "v", hostPath: { path: hostDir, type: "File" } }] });
    await assert.rejects(runSandbox(h, pod), /hostPath type check failed: .* is not a file/);
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("subPath cannot escape its volume through a symlink made inside it", async () => {
    const pod = testPod(
      [
        { name: "maker", command: ["sh", "-c", "ln -s /etc /data/link; mkdir -p /data/ok; echo fine > /data/ok/f"], volumeMounts: [{ name: "data", mountPath: "/data" }] },
        { name: "user", command: ["cat", "/mnt/f"], volumeMounts: [{ name: "data", mountPath: "/mnt", subPath: "ok" }] },
        { name: "escaper", command: ["ls", "/mnt"], volumeMounts: [{ name: "data", mountPath: "/mnt", subPath: "link" }] },
      ],
      { volumes: [{ name: "data", emptyDir: {} }] },
    );
    await runSandbox(h, pod);
    const env = { configMaps: {}, secrets: {}, hostname: "" };
    const maker = await h.runtime.startContainer(pod, pod.spec.containers[0], { attempt: 0, init: false, env, specHash: "test" });
    await waitExited(h, maker.id);
    const user = await h.runtime.startContainer(pod, pod.spec.containers[1], { attempt: 0, init: false, env, specHash: "test" });
    await waitExited(h, user.id);
    assert.equal(await containerOutput(h, user.id), "fine\n");
    await assert.rejects(h.runtime.startContainer(pod, pod.spec.containers[2], { attempt: 0, init: false, env, specHash: "test" }), (err: unknown) => {
      assert.ok(err instanceof ContainerStartError);
      assert.match(err.message, /subPath "link" escapes the volume/);
      return true;
    });
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("shareProcessNamespace: the pause process is PID 1 and containers see each other", async () => {
    const pod = testPod(
      [
        { name: "sleeper", command: ["sleep", "300"] },
        { name: "looker", command: ["sh", "-c", "sleep 0.5; ps -o pid,comm"] },
      ],
      { shareProcessNamespace: true },
    );
    const [, looker] = await startPod(h, pod);
    await waitExited(h, looker.id);
    const ps = await containerOutput(h, looker.id);
    assert.match(ps, /^\s*1 nodelet-pause$/m);
    assert.match(ps, /sleep$/m);
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });
});
