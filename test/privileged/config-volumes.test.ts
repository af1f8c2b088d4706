/**
 * Configuration volumes seen from inside real containers of a real daemon: a ConfigMap volume's content follows an
 * update within the sync period through the atomic writer (a reader looping meanwhile never sees a torn or empty
 * file), the kubelet's layout (`..data`, `key -> ..data/key`), a missing ConfigMap holding the pod in
 * ContainerCreating with FailedMount until it appears, fsGroup on an emptyDir and a Secret volume, and subPath
 * mounts of a ConfigMap and a Secret that keep their content through an update while whole-volume mounts follow it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { needsRoot, skipUnless } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = skipUnless(needsRoot());

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function configMap(name: string, data: Record<string, string>): string {
  return JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
}

describe("configuration volumes (privileged)", { skip }, () => {
  const d = suiteDaemon("config-volumes");
  const apply = async (doc: string) => {
    const r = await d.cli(["apply", "-f", "-"], doc);
    assert.equal(r.code, 0, r.stderr);
  };
  const exec = async (pod: string, script: string) => {
    const r = await d.cli(["exec", pod, "--", "sh", "-c", script]);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };
  const running = (name: string) => eventually(async () => (await d.pod(name))?.status?.phase === "Running", 30_000, `${name} Running`);

  test("a mounted ConfigMap follows an update atomically: new content within the sync period, never a torn file", async () => {
    const v1 = "a".repeat(200_000);
    const v2 = "b".repeat(150_000);
    await apply(configMap("live", { data: v1, other: "x" }));
    // The reader compares every read with the two versions' digests and records anything else.
    const reader = `i=0; while :; do s=$(md5sum < /cfg/data); case "$s" in ${md5(v1)}*|${md5(v2)}*) ;; *) echo "BAD $s" >> /tmp/bad;; esac; i=$((i+1)); echo $i > /tmp/reads; done`;
    await apply(
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "reader" },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "c", image: "busybox", command: ["sh", "-c", reader], volumeMounts: [{ name: "cfg", mountPath: "/cfg" }] }],
          volumes: [{ name: "cfg", configMap: { name: "live" } }],
        },
      }),
    );
    await running("reader");
    const ls = await exec("reader", "ls -la /cfg");
    assert.match(ls, /\.\.data -> \.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+/);
    assert.match(ls, /data -> \.\.data\/data/);
    assert.match(ls, /other -> \.\.data\/other/);
    assert.match(ls, /^drwxrwxrwx /m, "the volume root is 0777 as the kubelet makes it");
    assert.match(await exec("reader", "touch /cfg/new 2>&1; (echo x > /cfg/data) 2>&1; true"), /Read-only file system[\s\S]*Read-only file system/);
    const before = Number(await exec("reader", "cat /tmp/reads"));
    const uid = (await d.pod("reader"))!.metadata.uid!;
    const link = join(d.root, "pods", uid, "volumes", "kubernetes.io~configmap", "cfg", "..data");
    const old = readlinkSync(link);
    await apply(configMap("live", { data: v2 }));
    const t0 = Date.now();
    // The watch wakes the pod: the swap follows the write, not the resync.
    await eventually(async () => readlinkSync(link) !== old, 15_000, "..data swapped on the host");
    console.log(`# ConfigMap update swapped in on the host ${Date.now() - t0} ms after the write returned`);
    await eventually(async () => (await exec("reader", "head -c 1 /cfg/data")) === "b", 15_000, "new content inside the container");
    const seenAfterMs = Date.now() - t0;
    console.log(`# ConfigMap update seen inside the container ${seenAfterMs} ms after the write returned`);
    // Let the reader go on over the new content, then check what it saw.
    await eventually(async () => Number(await exec("reader", "cat /tmp/reads")) > before + 20, 15_000, "reads after the update");
    assert.equal(await exec("reader", "cat /tmp/bad 2>/dev/null || true"), "", "no read saw a torn or empty file");
    const after = await exec("reader", "ls -A /cfg");
    assert.doesNotMatch(after, /^other$/m, "a key removed from the ConfigMap is gone from the volume");
    assert.equal((after.match(/^\.\.\d{4}_/gm) ?? []).length, 1, "the old timestamped directory was removed");
  });

  test("a missing ConfigMap keeps the pod in ContainerCreating with FailedMount; it starts once the ConfigMap exists", async () => {
    await apply(
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "waits" },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], volumeMounts: [{ name: "config-volume", mountPath: "/etc/config" }] }],
          volumes: [{ name: "config-volume", configMap: { name: "late-config" } }],
        },
      }),
    );
    await eventually(async () => {
      const r = await d.cli(["describe", "pod", "waits"]);
      return r.stdout.includes('MountVolume.SetUp failed for volume "config-volume" : configmap "late-config" not found');
    }, 20_000, "FailedMount event");
    const pod = await d.pod("waits");
    assert.equal(pod?.status?.phase, "Pending");
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason, "ContainerCreating");
    await apply(configMap("late-config", { key: "arrived" }));
    await running("waits");
    assert.equal(await exec("waits", "cat /etc/config/key"), "arrived");
  });

  test("fsGroup: the emptyDir is root:2000 with setgid, new files get group 2000; a Secret volume's files are group-readable", async () => {
    await apply(JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "fsg" }, data: { key: Buffer.from("s3cret").toString("base64") } }));
    await apply(
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "fsgroup" },
        spec: {
          terminationGracePeriodSeconds: 0,
          securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 },
          containers: [
            {
              name: "c",
              image: "busybox",
              command: ["sleep", "3600"],
              volumeMounts: [{ name: "vol", mountPath: "/data/demo" }, { name: "sec", mountPath: "/sec" }],
            },
          ],
          volumes: [{ name: "vol", emptyDir: {} }, { name: "sec", secret: { secretName: "fsg", defaultMode: 0o400 } }],
        },
      }),
    );
    await running("fsgroup");
    assert.match(await exec("fsgroup", "ls -ld /data/demo"), /^drwxrwsrwx\s+\d+\s+root\s+2000\s/);
    assert.match(await exec("fsgroup", "echo hello > /data/demo/testfile; ls -ln /data/demo/testfile"), /^-rw-r--r--\s+1\s+1000\s+2000\s/);
    assert.match(await exec("fsgroup", "id"), /uid=1000 gid=3000 groups=.*2000/);
    // defaultMode 0400 plus the group read fsGroup adds: the non-root user reads it through its group.
    assert.match(await exec("fsgroup", "ls -lnL /sec/key"), /^-r--r-----\s+1\s+0\s+2000\s/);
    assert.equal(await exec("fsgroup", "cat /sec/key"), "s3cret");
    assert.match(await exec("fsgroup", "ls -ld /sec"), /^drwxrwsrwt\s+\d+\s+root\s+2000\s/, "tmpfs root: 1777 plus setgid");
  });

  test("subPath mounts of a ConfigMap and a Secret keep what they had after an update; whole-volume mounts follow it; envFrom with a prefix and invalid keys", async () => {
    const secret = (pw: string) => JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "subsec" }, data: { pw: Buffer.from(pw).toString("base64") } });
    await apply(configMap("subcfg", { key: "old-config" }));
    await apply(configMap("envcfg", { GOOD: "one", "1BAD": "two", "dotted.name": "three" }));
    await apply(secret("old-secret"));
    await apply(
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "subpaths" },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: "c",
              image: "busybox",
              command: ["sleep", "3600"],
              envFrom: [{ configMapRef: { name: "envcfg" } }, { prefix: "P_", configMapRef: { name: "envcfg" } }],
              volumeMounts: [
                { name: "cfg", mountPath: "/whole-cfg" },
                { name: "cfg", mountPath: "/one/key", subPath: "key" },
                { name: "sec", mountPath: "/whole-sec" },
                { name: "sec", mountPath: "/one/pw", subPath: "pw" },
              ],
            },
          ],
          volumes: [{ name: "cfg", configMap: { name: "subcfg" } }, { name: "sec", secret: { secretName: "subsec" } }],
        },
      }),
    );
    await running("subpaths");
    // envFrom: the prefix applies before the name check (P_1BAD is valid, 1BAD is not), and the skipped key is reported.
    // The container's own environment (a shell drops names with dots from what it passes on).
    const env = await exec("subpaths", "tr '\\0' '\\n' < /proc/1/environ");
    for (const line of ["GOOD=one", "dotted.name=three", "P_GOOD=one", "P_1BAD=two", "P_dotted.name=three"]) assert.match(env, new RegExp(`^${line.replace(".", "\\.")}$`, "m"));
    assert.doesNotMatch(env, /^1BAD=/m);
    const described = (await d.cli(["describe", "pod", "subpaths"])).stdout;
    assert.match(described, /Warning\s+InvalidEnvironmentVariableNames\s.*Keys \[1BAD\] from the EnvFrom configMap default\/envcfg were skipped since they are considered invalid environment variable names\./);
    const read = () => exec("subpaths", "cat /whole-cfg/key; echo; cat /one/key; echo; cat /whole-sec/pw; echo; cat /one/pw");
    assert.equal(await read(), "old-config\nold-config\nold-secret\nold-secret");
    await apply(configMap("subcfg", { key: "new-config" }));
    await apply(secret("new-secret"));
    // The whole-volume mounts show the update (the watch wakes the pod); the subPath mounts stay as they were bound.
    await eventually(async () => (await read()).startsWith("new-config\nold-config\nnew-secret\n"), 15_000, "whole-volume mounts updated");
    assert.equal(await read(), "new-config\nold-config\nnew-secret\nold-secret");
  });
});
