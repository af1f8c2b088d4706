/**
 * Warm sandboxes in the daemon (--warm-sandboxes, default 2): a pod created through the API takes one (its pause
 * process, its hostname set to the pod's, `explain --timing` shows the claim), the pool refills, a daemon killed
 * with -9 is followed by one that adopts the pool it left and keeps the pod, warm sandboxes whose veth is gone are
 * discarded with a Warning event (WarmSandboxDiscarded) on the pod that then starts the normal way, and `nodelet
 * reset` after another crash leaves nothing of the daemon on the host.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SandboxRecord } from "../../src/runtime/pod-runtime.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, NODELET, TestDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

/** The warm sandboxes' records on disk (pods/ID/sandbox.json with `warm`). */
function warmRecords(d: TestDaemon): SandboxRecord[] {
  const dir = join(d.root, "pods");
  return readdirSync(dir).flatMap((uid) => {
    try {
      const s = JSON.parse(readFileSync(join(dir, uid, "sandbox.json"), "utf8")) as SandboxRecord;
      return s.warm && s.pid > 0 && s.podUid === uid && s.ips.length ? [s] : [];
    } catch {
      return [];
    }
  });
}

describe("warm sandboxes in the daemon (privileged)", { skip }, () => {
  const d = new TestDaemon("warm");
  before(() => d.start());
  after(async () => {
    await d.cleanup();
    assert.deepEqual(d.leftovers(), []);
  });

  test("a pod takes a warm sandbox; a crashed daemon's pool is adopted by the next one; broken ones are discarded with an event; reset removes all", async () => {
    const pool = await eventually(async () => warmRecords(d).length === 2 && warmRecords(d), 60_000, "two warm sandboxes (the default)");
    const r = await d.cli(["run", "warm", "--image", "busybox", "--", "sleep", "3600"]);
    assert.equal(r.code, 0, r.stderr);
    const pod = await eventually(async () => {
      const p = await d.pod("warm");
      return p?.status?.phase === "Running" && p;
    }, 30_000, "pod Running");
    const uid = pod.metadata.uid!;
    const sandbox = JSON.parse(readFileSync(join(d.root, "pods", uid, "sandbox.json"), "utf8")) as SandboxRecord;
    assert.ok(pool.some((w) => w.pid === sandbox.pid && w.ips[0] === sandbox.ips[0]), "the pod runs in a warm sandbox, with its address");
    assert.equal(pod.status?.podIP, sandbox.ips[0]);
    assert.equal((await d.cli(["exec", "warm", "--", "hostname"])).stdout, "warm\n");
    const timing = await d.cli(["explain", "pod", "warm", "--timing"]);
    assert.match(timing.stdout, /warm sandbox: claim/);
    assert.match(timing.stdout, /network: the warm sandbox's address, re-keyed to the pod/);

    const refilled = await eventually(async () => {
      const w = warmRecords(d);
      return w.length === 2 && !w.some((x) => x.pid === sandbox.pid) && w;
    }, 30_000, "the pool refilled");
    await d.kill9();
    await d.start();
    for (const w of refilled) {
      assert.ok(isSameProcess(w.pid, w.pidStartTime), "the crashed daemon's warm pause processes are adopted, not remade");
      assert.ok(existsSync(join(d.root, "pods", w.podUid)));
    }
    assert.deepEqual(warmRecords(d).map((w) => w.pid).sort(), refilled.map((w) => w.pid).sort(), "the pool is the adopted sandboxes");
    assert.ok(isSameProcess(sandbox.pid, sandbox.pidStartTime), "the pod's pause process was kept");
    assert.equal((await d.pod("warm"))?.status?.phase, "Running");

    // Both warm sandboxes' network namespaces lose their link: the next pod starts the normal way and is told.
    for (const w of refilled) execFileSync("ip", ["link", "del", w.network!.veth]);
    assert.equal((await d.cli(["run", "warm2", "--image", "busybox", "--", "sleep", "3600"])).code, 0);
    const ev = await eventually(async () => {
      const list = await d.client.request<{ items: { reason: string; type: string; message: string; involvedObject: { name: string } }[] }>("GET", "/api/v1/namespaces/default/events");
      return list.items.find((e) => e.involvedObject.name === "warm2" && e.reason === "WarmSandboxDiscarded");
    }, 30_000, "the WarmSandboxDiscarded event");
    assert.equal(ev.type, "Warning");
    assert.match(ev.message, /^Warm pod sandbox discarded \(its veth \S+ is gone/);
    const p2 = await eventually(async () => {
      const p = await d.pod("warm2");
      return p?.status?.phase === "Running" && p;
    }, 30_000, "warm2 Running");
    assert.ok(!refilled.some((w) => w.ips[0] === p2.status?.podIP), "warm2 has an address of its own");

    const kept = await eventually(async () => {
      const w = warmRecords(d);
      return w.length === 2 && w;
    }, 60_000, "the restarted daemon's pool");
    // A graceful stop leaves the pool, as it leaves the pods: the next daemon adopts it.
    await d.terminate();
    for (const w of kept) assert.ok(isSameProcess(w.pid, w.pidStartTime), `warm sandbox ${w.podUid} outlives a clean stop`);
    await d.start();
    assert.deepEqual(warmRecords(d).map((w) => w.pid).sort(), kept.map((w) => w.pid).sort(), "the pool is adopted after a clean restart");
    for (const w of kept) assert.ok(isSameProcess(w.pid, w.pidStartTime), `warm sandbox ${w.podUid} adopted, not remade`);
    await d.kill9();
    const reset = await new Promise<number>((resolve) => execFile(process.execPath, [NODELET, "reset", ...d.args], { timeout: 300_000 }, (err) => resolve(err ? 1 : 0)));
    assert.equal(reset, 0);
    assert.deepEqual(d.leftovers(), [], "reset after a crash leaves nothing: no pause process, mount, cgroup, bridge or rule");
  });
});
