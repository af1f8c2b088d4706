/**
 * Pods with `hostUsers: false`: their own user namespace with a 65,536-ID range no other pod holds, seen from
 * inside (/proc/self/uid_map) and from the host (the process's IDs, files written); idmapped image layers and
 * volumes; `procMount: Unmasked` that still cannot write the host's sysctls; exec joins the namespace; a volume on a
 * file system that cannot be idmapped refuses the container rather than running it on host IDs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Container, Pod } from "../../src/api/types.js";
import { ContainerStartError } from "../../src/runtime/pod-runtime.js";
import { httpServerPod, makeNetworkHarness, type NetworkHarness } from "../helpers/network-harness.js";
import { waitForTcp } from "../helpers/netns.js";
import { needsCommand, needsRoot, skipUnless } from "../helpers/root.js";
import { freeOctets } from "../helpers/subnets.js";
import { containerOutput, makeRuntime, runToExit, startPod, testPod, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { waitFor } from "../helpers/wait.js";

const skip = needsRoot();

async function run(h: RuntimeHarness, c: Partial<Container>, spec: Partial<Pod["spec"]> = {}) {
  const pod = testPod([c], { hostUsers: false, ...spec });
  const { record: rec, out } = await runToExit(h, pod, { keep: true });
  const range = h.runtime.sandbox(pod.metadata.uid!)!.userns!;
  return { pod, rec, exitCode: rec.exitCode, out, range };
}

describe("user namespaces: hostUsers: false (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  let hostDir: string;
  before(async () => {
    h = await makeRuntime({ name: "userns" });
    hostDir = mkdtempSync(join(tmpdir(), "nodelet-userns-"));
  });
  after(async () => {
    await h?.cleanup();
    rmSync(hostDir, { recursive: true, force: true });
  });

  test("procMount: Unmasked in a user namespace still cannot write core_pattern or drop_caches; the host's values stay", async () => {
    const corePattern = readFileSync("/proc/sys/kernel/core_pattern", "utf8");
    const r = await run(h, {
      command: ["sh", "-c", "grep -c ' /proc/sys ' /proc/self/mountinfo; echo '|/tmp/pwn' > /proc/sys/kernel/core_pattern; echo core=$?; echo 3 > /proc/sys/vm/drop_caches; echo drop=$?"],
      securityContext: { procMount: "Unmasked" },
    });
    assert.match(r.out, /^0\n/, "Unmasked: /proc/sys is not made read-only (no mount over it)");
    assert.match(r.out, /core=1/);
    assert.match(r.out, /drop=1/);
    assert.match(r.out, /Permission denied/);
    assert.equal(readFileSync("/proc/sys/kernel/core_pattern", "utf8"), corePattern);
    await h.runtime.removeSandbox(r.pod.metadata.uid!);
  });

  test("the ID mapping: 0 HOST 65536 inside; the process and the files it writes are HOST+uid on the host; image files and volumes owned as in the pod", async () => {
    const pod = testPod([{
      command: ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -ln /bin/busybox; ls -lnd /data; touch /data/v /written; grep ' /data ' /proc/self/mountinfo; sleep 60"],
      volumeMounts: [{ name: "data", mountPath: "/data" }],
    }], { hostUsers: false, volumes: [{ name: "data", hostPath: { path: hostDir, type: "Directory" } }] });
    const [rec] = await startPod(h, pod);
    const range = h.runtime.sandbox(pod.metadata.uid!)!.userns!;
    assert.equal(range.size, 65536);
    assert.ok(range.hostId >= 65536 && range.hostId % 65536 === 0, `range ${range.hostId}`);
    await waitFor("the container's mountinfo line", async () => (await containerOutput(h, rec.id)).includes(" /data "), 20_000, 20).catch(() => undefined);
    const out = await containerOutput(h, rec.id);
    const map = `0 ${range.hostId} 65536`;
    const lines = out.split("\n").map((l) => l.trim().replace(/\s+/g, " "));
    assert.deepEqual(lines.slice(0, 3), [map, map, "0"], out);
    assert.match(lines[3], /^-rwxr-xr-x 1 0 0 /, "the image's root-owned files are the pod's root's");
    assert.match(lines[4], /^d\S+ \d+ 0 0 /, "the volume's root-owned directory is the pod's root's");
    assert.match(out, / \/data .*idmapped/, "the volume is an idmapped mount");
    // On the host: the process runs as the range's first ID, and what it wrote is owned by host IDs.
    const status = readFileSync(`/proc/${rec.pid}/status`, "utf8");
    assert.match(status, new RegExp(`^Uid:\\s+${range.hostId}\\s+${range.hostId}\\s+${range.hostId}\\s+${range.hostId}$`, "m"));
    assert.match(status, new RegExp(`^Gid:\\s+${range.hostId}\\s`, "m"));
    assert.equal(statSync(join(hostDir, "v")).uid, 0, "through the idmapped volume the pod's root writes as the on-disk 0");
    const upper = join(h.layout.containerDir(pod.metadata.uid!, rec.id), "upper", "written");
    assert.equal(statSync(upper).uid, range.hostId, "the writable layer keeps the host ID the pod's root is");

    // exec joins the pod's user namespace too.
    const s = await h.runtime.exec(rec.id, { command: ["sh", "-c", "cat /proc/self/uid_map; id -u"], stdin: false, stdout: true, stderr: true, tty: false });
    let execOut = "";
    s.stdout!.on("data", (d: Buffer) => (execOut += d.toString()));
    assert.equal(await s.exit, 0);
    assert.deepEqual(execOut.split("\n").map((l) => l.trim().replace(/\s+/g, " ")).filter(Boolean), [map, "0"]);
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("two pods get disjoint ranges; a removed pod's range is free again", async () => {
    const a = testPod([{ command: ["sleep", "60"] }], { hostUsers: false });
    const b = testPod([{ command: ["sleep", "60"] }], { hostUsers: false });
    const [ca] = await startPod(h, a);
    const [cb] = await startPod(h, b);
    const ra = h.runtime.sandbox(a.metadata.uid!)!.userns!;
    const rb = h.runtime.sandbox(b.metadata.uid!)!.userns!;
    assert.ok(ra.hostId + ra.size <= rb.hostId || rb.hostId + rb.size <= ra.hostId, `${JSON.stringify(ra)} and ${JSON.stringify(rb)} overlap`);
    const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
    assert.equal(uidOf(ca.pid!), ra.hostId);
    assert.equal(uidOf(cb.pid!), rb.hostId);
    await h.runtime.removeSandbox(a.metadata.uid!);
    const c = testPod([{ command: ["sleep", "60"] }], { hostUsers: false });
    await startPod(h, c);
    assert.deepEqual(h.runtime.sandbox(c.metadata.uid!)!.userns, ra, "the lowest free range: the removed pod's");
    await h.runtime.removeSandbox(b.metadata.uid!);
    await h.runtime.removeSandbox(c.metadata.uid!);
  });

  test("a volume on a file system that cannot be idmapped refuses the container (never host IDs)", async () => {
    const pod = testPod([{ command: ["true"], volumeMounts: [{ name: "sys", mountPath: "/hostsys" }] }], {
      hostUsers: false,
      volumes: [{ name: "sys", hostPath: { path: "/sys/kernel", type: "Directory" } }],
    });
    await assert.rejects(
      startPod(h, pod),
      (err: unknown) => err instanceof ContainerStartError && /mount \/hostsys: idmapped mount of \/sys\/kernel: its file system cannot map the pod's user namespace/.test(err.message),
    );
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });
});

describe("user namespaces: the pod network (privileged)", { skip: skipUnless(needsRoot(), needsCommand("nft")) }, () => {
  let h: NetworkHarness;
  before(async () => {
    h = await makeNetworkHarness({ tag: "u", octet: freeOctets(223, 2) });
  });
  after(async () => {
    await h?.cleanup();
  });

  test("a hostUsers: false pod gets its veth and address, and its root binds port 80 in a network namespace that belongs to the pod", async () => {
    const web = httpServerPod("userns-web");
    web.spec.hostUsers = false;
    await startPod(h, web);
    const ip = h.podIP(web);
    await waitForTcp(ip, 80);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: ip, port: 80, path: "/", timeout: 5000 }, (res) => {
        let b = "";
        res.on("data", (d: Buffer) => (b += d.toString()));
        res.on("end", () => resolve(b));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end();
    });
    assert.equal(body, "hello from userns-web\n");
    const sandbox = h.runtime.sandbox(web.metadata.uid!)!;
    const ns = (pid: number, t: string) => readlinkSync(`/proc/${pid}/ns/${t}`);
    assert.notEqual(ns(sandbox.pid, "user"), ns(process.pid, "user"), "the pause process is in the pod's user namespace");
    await h.runtime.removeSandbox(web.metadata.uid!);
  });
});
