/**
 * Warm sandboxes on a real bridge network (privileged): pods that fit take a warm sandbox (its pause process) and
 * have their own hostname, address, /etc files and a working network; a pod that does not fit starts the normal
 * way; a restarted runtime (a crashed daemon's successor) adopts the warm sandboxes left behind up to its pool's
 * size and removes the rest, `nodelet reset`'s removes them all — pause processes, directories, leases, cgroups —
 * and both adopt the pods that claimed theirs; nothing stays.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import type { Pod } from "../../src/api/types.js";
import type { SandboxRecord } from "../../src/runtime/pod-runtime.js";
import { WARM_CGROUP } from "../../src/runtime/warm-sandboxes.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { freeOctets } from "../helpers/subnets.js";
import { needsRoot, needsCommand, skipUnless } from "../helpers/root.js";
import { assertNothingLeft, execIn, httpServerPod, makeNetworkHarness, sleeperPod, type NetworkHarness } from "../helpers/network-harness.js";
import { startPod, testPod } from "../helpers/runtime-harness.js";
import { waitForTcp } from "../helpers/netns.js";
import { poolFull, warmLeft, WarmRuntimes } from "../helpers/warm-runtimes.js";
import { waitFor } from "../helpers/wait.js";

const skip = skipUnless(needsRoot(), needsCommand("nft"));

describe("warm sandboxes (privileged)", { skip }, () => {
  let h: NetworkHarness;
  const O = freeOctets(181, 2); // the harness uses O + 1 for services
  const runtimes = new WarmRuntimes();
  /** What the first runtime reported (a warm sandbox removed says why: the first test fails with it). */
  const reports: string[] = [];
  /** Another runtime over the same root, cgroups and network: what a restarted daemon (or reset) builds. */
  const restarted = (warmSandboxes: number) => runtimes.start(h, warmSandboxes);

  /** Everything of these warm sandboxes is gone from the host. */
  function assertGone(warm: SandboxRecord[]): void {
    for (const w of warm) assert.deepEqual(warmLeft(h, w), [], `warm sandbox ${w.podUid} is gone`);
  }

  before(async () => {
    h = await makeNetworkHarness({ tag: "w", octet: O, warmSandboxes: 2, report: (m) => reports.push(m) });
  });

  after(async () => {
    await runtimes.stopAll();
    await h?.cleanup();
    if (h) await assertNothingLeft(h);
  });

  test("pods that fit take a warm sandbox and have their own hostname, address and network; a restart adopts the pool's up to its size", async () => {
    await poolFull(h.runtime, 2);
    const pool = [...h.runtime.warmSandboxes()];
    const web = httpServerPod("warmweb");
    const client = sleeperPod("warmclient");
    await startPod(h, web);
    const [{ id: clientId }] = await startPod(h, client);
    const sw = h.runtime.sandbox(web.metadata.uid!)!;
    const sc = h.runtime.sandbox(client.metadata.uid!)!;
    assert.deepEqual([sw.pid, sc.pid].sort(), pool.map((w) => w.pid).sort(), `both pods run in the warm sandboxes' pause processes (the runtime reported: ${JSON.stringify(reports)})`);
    assert.deepEqual([sw.ips[0], sc.ips[0]].sort(), pool.map((w) => w.ips[0]).sort(), "with their addresses");
    assert.notEqual(sw.ips[0], sc.ips[0]);
    for (const [pod, s] of [[web, sw], [client, sc]] as const) {
      const lease = h.network.activeLeases().find((l) => l.podUid === pod.metadata.uid);
      assert.equal(lease?.ip, s.ips[0], "the lease is the pod's");
      assert.equal(lease?.pod, `default/${pod.metadata.name}`);
      assert.equal(existsSync(h.layout.podDir(pool.find((w) => w.pid === s.pid)!.podUid)), false, "the warm directory became the pod's");
      assert.ok(h.cgroups.dirs(`${s.cgroupPath}/pause`).every((d) => existsSync(d)), "the pod's cgroup exists");
    }

    const inClient = await execIn(h, clientId, ["sh", "-c", "hostname; cat /etc/hostname; ip -4 -o addr show eth0; grep warmclient /etc/hosts"]);
    assert.equal(inClient.code, 0, inClient.err);
    const [name, etcName, addr, hostsLine] = inClient.out.trim().split("\n");
    assert.equal(name, client.metadata.name, "the hostname of the claimed UTS namespace is the pod's");
    assert.equal(etcName, client.metadata.name);
    assert.match(addr, new RegExp(`inet ${sc.ips[0].replace(/\./g, "\\.")}/24`), "eth0 has the pod's address");
    assert.match(hostsLine, new RegExp(`^${sc.ips[0].replace(/\./g, "\\.")}\\s+${client.metadata.name}`));
    await waitForTcp(sw.ips[0], 80);
    const got = await execIn(h, clientId, ["timeout", "5", "wget", "-qO-", `http://${sw.ips[0]}/`]);
    assert.equal(got.out.trim(), "hello from warmweb", `pod to pod over the bridge: ${got.code} ${got.err}`);

    // A pod the pool cannot serve starts the normal way, and the pool is left alone.
    await poolFull(h.runtime, 2);
    const refilled = [...h.runtime.warmSandboxes()];
    const shared = testPod([{ name: "c", command: ["sleep", "3600"] }], { shareProcessNamespace: true });
    await startPod(h, shared);
    const ss = h.runtime.sandbox(shared.metadata.uid!)!;
    assert.ok(!refilled.some((w) => w.pid === ss.pid), "not a warm sandbox");
    assert.deepEqual(h.runtime.warmSandboxes().map((w) => w.pid), refilled.map((w) => w.pid));

    // The daemon "crashes" (no stop) and a new one starts with a pool of 1: it adopts the oldest warm sandbox left
    // behind, removes the other (its pool is full), and keeps the pods.
    const rt2 = await restarted(1);
    assert.deepEqual(rt2.warmSandboxes().map((w) => w.pid), [refilled[0].pid], "the oldest is adopted");
    assertGone(refilled.slice(1));
    assert.equal(rt2.sandbox(client.metadata.uid!)?.state, "ready", "a pod that claimed a warm sandbox is adopted");
    assert.equal(rt2.sandbox(web.metadata.uid!)?.pid, sw.pid);
    await poolFull(rt2, 1);
    const second = [...rt2.warmSandboxes()];

    // ... and crashes again; what `nodelet reset` builds (no pool) removes the one left, then the pods.
    const rt3 = await restarted(0);
    assertGone(second);
    for (const s of rt3.sandboxes()) await rt3.removeSandbox(s.podUid);
    assert.deepEqual(readdirSync(h.layout.podsDir), [], "no pod or warm directory is left");
    assert.deepEqual(h.network.activeLeases(), [], "no lease is left");
    assert.deepEqual(await h.cgroups.children(WARM_CGROUP).catch(() => []), [], "no warm cgroup is left");
    for (const pid of [sw.pid, sc.pid, ss.pid]) assert.equal(isSameProcess(pid), false, `pause ${pid} is gone`);
  });

  test("a warm sandbox whose pause process died is removed, and the pod starts the normal way", async () => {
    const rt = await restarted(1);
    await poolFull(rt, 1);
    const [w] = rt.warmSandboxes();
    process.kill(w.pid, "SIGKILL");
    await waitFor("the warm pause process to die", () => !isSameProcess(w.pid, w.pidStartTime), 5000);
    const pod: Pod = sleeperPod("warmafterdeath");
    await startPod({ runtime: rt }, pod);
    const s = rt.sandbox(pod.metadata.uid!)!;
    assert.notEqual(s.pid, w.pid);
    assert.ok(isSameProcess(s.pid, s.pidStartTime));
    await waitFor("the dead warm sandbox to be removed", () => warmLeft(h, w).length === 0, 10_000);
    await rt.removeSandbox(pod.metadata.uid!);
  });
});
