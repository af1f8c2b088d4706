/**
 * Warm sandboxes fail safely (privileged, real bridge network): warm sandboxes whose network namespace lost its veth
 * are discarded and the pod starts the normal way, told by a WarmSandboxDiscarded runtime event (the kubelet turns it
 * into a Warning event); a restarted daemon adopts the intact warm sandboxes it finds (same pause process, claimed by
 * the next pod) and removes a broken one saying why; `nodelet reset`'s runtime (pool off) removes the rest; a pool
 * larger than the free addresses shrinks, and every pod still gets an address.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import type { Pod } from "../../src/api/types.js";
import type { RuntimeEvent, SandboxRecord } from "../../src/runtime/pod-runtime.js";
import { WARM_CGROUP } from "../../src/runtime/warm-sandboxes.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { freeOctets } from "../helpers/subnets.js";
import { needsRoot, needsCommand, skipUnless } from "../helpers/root.js";
import { assertNothingLeft, execIn, makeNetworkHarness, sleeperPod, type NetworkHarness } from "../helpers/network-harness.js";
import { startPod } from "../helpers/runtime-harness.js";
import { poolFull, warmLeft, WarmRuntimes } from "../helpers/warm-runtimes.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("nft"), needsCommand("ip"));

describe("warm sandboxes fail safely (privileged)", { skip }, () => {
  const harnesses: NetworkHarness[] = [];
  const runtimes = new WarmRuntimes();
  /** A runtime over the harness's root, cgroups and network: what a (re)started daemon, or reset, builds. */
  const runtimeOn = (h: NetworkHarness, warmSandboxes: number, reports?: string[]) => runtimes.start(h, warmSandboxes, reports);
  const gone = (h: NetworkHarness, w: SandboxRecord) => warmLeft(h, w).length === 0;

  before(async () => {
    // Each harness's own runtime has no pool: every runtime with one is made by the test (and stopped in after()).
    harnesses.push(await makeNetworkHarness({ tag: "wf", octet: freeOctets(191, 2), warmSandboxes: 0 }));
    // A /29: six pod addresses, fewer than a pool of 4 plus the pods below.
    harnesses.push(await makeNetworkHarness({ tag: "wg", octet: freeOctets(195, 2), warmSandboxes: 0, podPrefix: 29 }));
  });

  after(async () => {
    await runtimes.stopAll();
    for (const h of harnesses) {
      await h.cleanup();
      await assertNothingLeft(h);
    }
  });

  test("broken warm sandboxes are discarded with an event and the pod starts the normal way; a restart adopts the intact ones", async () => {
    const h = harnesses[0];
    const rt1 = await runtimeOn(h, 2);
    await poolFull(rt1, 2);
    const events: RuntimeEvent[] = [];
    rt1.onEvent((ev) => events.push(ev));
    const first = [...rt1.warmSandboxes()];
    // Their network namespaces lose their link (the kernel removes a dead namespace's veth the same way).
    for (const w of first) execFileSync("ip", ["link", "del", w.network!.veth]);
    const pod: Pod = sleeperPod("warmbroken");
    const [{ id }] = await startPod({ runtime: rt1 }, pod);
    const s = rt1.sandbox(pod.metadata.uid!)!;
    assert.ok(!first.some((w) => w.pid === s.pid), "not a broken warm sandbox's pause process");
    assert.ok(isSameProcess(s.pid, s.pidStartTime), "the pod's own pause process runs");
    const told = events.filter((e): e is Extract<RuntimeEvent, { type: "WarmSandboxDiscarded" }> => e.type === "WarmSandboxDiscarded");
    assert.equal(told.length, 1, "one event for the pod");
    assert.equal(told[0].podUid, pod.metadata.uid);
    assert.match(told[0].message, /^Warm pod sandbox discarded \(its veth \S+ is gone .*; its veth \S+ is gone .*\); the pod sandbox is created the normal way$/);
    await waitFor("the broken warm sandboxes to be removed", () => first.every((w) => gone(h, w)), 10_000);
    const ping = await execIn({ runtime: rt1 }, id, ["ip", "-4", "-o", "addr", "show", "eth0"]);
    assert.match(ping.out, new RegExp(`inet ${s.ips[0].replace(/\./g, "\\.")}/`), "the pod has its own address");
    await rt1.removeSandbox(pod.metadata.uid!);

    // The refilled pool; one of its pause processes dies, then the daemon "crashes" (no stop) and a new one starts.
    await poolFull(rt1, 2);
    const [intact, dead] = rt1.warmSandboxes();
    process.kill(dead.pid, "SIGKILL");
    await waitFor("the warm pause process to die", () => !isSameProcess(dead.pid, dead.pidStartTime), 5000);
    const reports: string[] = [];
    const rt2 = await runtimeOn(h, 2, reports);
    assert.equal(rt2.warmSandboxes()[0]?.pid, intact.pid, "the intact warm sandbox is adopted: the same pause process");
    assert.ok(reports.some((r) => r.startsWith(`adopted warm sandbox ${intact.podUid}`)), reports.join("\n"));
    assert.ok(reports.some((r) => r.startsWith(`removed warm sandbox ${dead.podUid}`) && r.includes(`its pause process ${dead.pid} died`)), reports.join("\n"));
    assert.ok(gone(h, dead), "the broken one is gone from the host");
    assert.equal(rt2.sandbox(intact.podUid), undefined, "a warm sandbox is not a pod's");
    await poolFull(rt2, 2);

    const claimer: Pod = sleeperPod("warmadopted");
    const [{ id: cid }] = await startPod({ runtime: rt2 }, claimer);
    assert.equal(rt2.sandbox(claimer.metadata.uid!)?.pid, intact.pid, "the next pod takes the adopted warm sandbox");
    const name = await execIn({ runtime: rt2 }, cid, ["hostname"]);
    assert.equal(name.out.trim(), claimer.metadata.name);

    // `nodelet reset`'s runtime has no pool: it removes the warm sandboxes, saying why, then the pods.
    await poolFull(rt2, 2);
    const left = [...rt2.warmSandboxes()];
    const resetReports: string[] = [];
    const rt3 = await runtimeOn(h, 0, resetReports);
    for (const w of left) {
      assert.ok(gone(h, w), `warm sandbox ${w.podUid} is gone`);
      assert.ok(resetReports.some((r) => r.startsWith(`removed warm sandbox ${w.podUid}`) && r.endsWith("the warm pool is off (--warm-sandboxes 0, or nodelet reset)")), resetReports.join("\n"));
    }
    for (const p of rt3.sandboxes()) await rt3.removeSandbox(p.podUid);
    assert.deepEqual(readdirSync(h.layout.podsDir), [], "no pod or warm directory is left");
    assert.deepEqual(h.network.activeLeases(), [], "no lease is left");
    assert.deepEqual(await h.cgroups.children(WARM_CGROUP).catch(() => []), [], "no warm cgroup is left");
  });

  test("a pool larger than the free addresses shrinks: it never holds the last ones, and every pod gets one", async () => {
    const h = harnesses[1];
    const free = h.network.freeAddresses();
    const rt = await runtimeOn(h, 4);
    // It keeps the last 4 free addresses for pods: free - 4 warm sandboxes at most.
    const room = free - 4;
    assert.ok(room >= 1 && room < 4, `a /29 leaves ${free} addresses`);
    await poolFull(rt, room);
    const pods: Pod[] = [];
    for (let i = 0; i < free; i++) {
      const p = sleeperPod(`warmshort${i}`);
      await startPod({ runtime: rt }, p);
      pods.push(p);
    }
    const ips = pods.map((p) => rt.sandbox(p.metadata.uid!)!.ips[0]);
    assert.equal(new Set(ips).size, free, `every pod has an address of its own: ${ips.join(", ")}`);
    assert.equal(rt.warmSandboxes().length, 0, "the pool gave way");
    assert.equal(h.network.freeAddresses(), 0);
    await rt.removeSandbox(pods[0].metadata.uid!);
    const again = sleeperPod("warmshortagain");
    await startPod({ runtime: rt }, again);
    assert.ok(rt.sandbox(again.metadata.uid!)!.ips[0], "the freed address goes to the next pod, not to the pool");
    assert.equal(rt.warmSandboxes().length, 0);
    for (const p of [...pods.slice(1), again]) await rt.removeSandbox(p.metadata.uid!);
  });
});
