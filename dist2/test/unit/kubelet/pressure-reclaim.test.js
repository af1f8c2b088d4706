/**
 * Node-level reclaim before eviction (reclaimers in order, asked for what is still wanted, per filesystem), the
 * dead-container reclaimer over a fake runtime and real files, per-pod ephemeral-storage eviction with the kubelet's
 * messages, ranking under disk pressure, and the bounds on a daemon's stop and on reset's wait for it — pure or
 * over fakes, with a fake clock.
 */
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { DeadContainerReclaimer } from "../../../src/kubelet/dead-container-reclaimer.js";
import { rankForEviction } from "../../../src/kubelet/eviction.js";
import { EvictionManager } from "../../../src/kubelet/eviction-manager.js";
import { localStorageViolation, podEphemeralStorageLimit } from "../../../src/kubelet/local-storage-eviction.js";
import { parseEvictionConfig } from "../../../src/kubelet/node-pressure.js";
import { bytesToReclaim, NodeReclaimers, runReclaimers } from "../../../src/kubelet/node-reclaim.js";
import { formatQuantity } from "../../../src/api/quantity.js";
import { boundedStop, waitUntilGone } from "../../../src/cmd/daemon-stop.js";
const Mi = 2 ** 20;
let n = 0;
const ctr = (name, requests = {}, limits = {}) => ({ name, image: "busybox", resources: { requests, limits } });
const pod = (name, containers, extra = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}-${n++}` },
    spec: { containers, ...extra },
});
const disk = (nodefs, imagefs = nodefs, capacity = 100 * Mi) => ({
    "memory.available": { available: 900 * Mi, capacity: 1024 * Mi },
    "nodefs.available": { available: nodefs, capacity },
    "nodefs.inodesFree": { available: 1000, capacity: 1000 },
    "imagefs.available": { available: imagefs, capacity },
    "imagefs.inodesFree": { available: 1000, capacity: 1000 },
    "pid.available": { available: 1000, capacity: 1000 },
});
/** A reclaimer that frees `bytes` (or fails) and logs what it was asked for. */
const fake = (name, bytes, calls, fail = false) => ({
    name,
    reclaim: async (wanted) => {
        calls.push(`${name}:${wanted}`);
        if (fail)
            throw new Error("disk on fire");
        return bytes;
    },
});
describe("node-level reclaim (nodeReclaimFuncs)", () => {
    test("reclaimers run in order, each asked for what is still wanted, and stop once enough is free", async () => {
        const calls = [];
        assert.equal(await runReclaimers([fake("dead containers", 30, calls), fake("unused images", 50, calls), fake("third", 5, calls)], 60), 80);
        assert.deepEqual(calls, ["dead containers:60", "unused images:30"]);
    });
    test("a failing reclaimer is logged and the next one still runs", async () => {
        const calls = [];
        const log = [];
        assert.equal(await runReclaimers([fake("dead containers", 0, calls, true), fake("unused images", 10, calls)], 10, (m) => log.push(m)), 10);
        assert.deepEqual(calls, ["dead containers:10", "unused images:10"]);
        assert.match(log[0], /dead containers failed: disk on fire/);
    });
    test("which reclaimers serve which signal: none for memory and pids; per filesystem unless they are one", () => {
        const r = new NodeReclaimers();
        const calls = [];
        r.register("nodefs", fake("dead containers", 0, calls));
        r.register("imagefs", fake("unused images", 0, calls));
        const names = (s, shared) => r.forSignal(s, shared).map((x) => x.name);
        assert.deepEqual(names("nodefs.available", true), ["dead containers", "unused images"]);
        assert.deepEqual(names("imagefs.inodesFree", true), ["dead containers", "unused images"]);
        assert.deepEqual(names("nodefs.available", false), ["dead containers"]);
        assert.deepEqual(names("imagefs.available", false), ["unused images"]);
        assert.deepEqual(names("memory.available", true), []);
        assert.deepEqual(names("pid.available", true), []);
    });
    test("bytes wanted: up to the threshold plus its minimum reclaim; inodes: all that can be freed", () => {
        const [pct] = parseEvictionConfig({ hard: "nodefs.available<10%", minimumReclaim: "nodefs.available=5Mi" });
        assert.equal(bytesToReclaim(pct, disk(4 * Mi)), 10 * Mi - 4 * Mi + 5 * Mi);
        assert.equal(bytesToReclaim(pct, disk(50 * Mi)), 0);
        const [inodes] = parseEvictionConfig({ hard: "nodefs.inodesFree<5%" });
        assert.equal(bytesToReclaim(inodes, disk(0)), Infinity);
    });
});
describe("the eviction manager reclaims before it evicts", () => {
    function harness(o) {
        const clock = new FakeClock();
        const calls = [];
        const evicted = [];
        const reclaimers = new NodeReclaimers();
        reclaimers.register("nodefs", fake("dead containers", o.freed?.[0] ?? 0, calls));
        reclaimers.register("imagefs", fake("unused images", o.freed?.[1] ?? 0, calls));
        let i = 0;
        const m = new EvictionManager({
            thresholds: parseEvictionConfig({ hard: o.hard }),
            transitionMs: 60_000, maxPodGraceSeconds: 0, intervalMs: 10_000, clock,
            observe: async () => o.observations[Math.min(i++, o.observations.length - 1)],
            podUsage: async (p) => o.usage?.get(p),
            activePods: () => o.pods ?? [],
            reclaimers,
            sharedImageFs: () => o.shared ?? true,
            evict: async (p, grace, message) => void evicted.push({ name: p.metadata.name, grace, message }),
        });
        return { m, clock, calls, evicted };
    }
    test("dead containers first; images only for what is still wanted; no eviction when reclaim was enough", async () => {
        const h = harness({ hard: "nodefs.available<10Mi", observations: [disk(2 * Mi), disk(12 * Mi)], freed: [3 * Mi, 8 * Mi], pods: [pod("p", [ctr("a")])] });
        h.m.start();
        await h.clock.advance(10_000);
        await h.m.poke();
        h.m.stop();
        assert.deepEqual(h.calls, [`dead containers:${8 * Mi}`, `unused images:${5 * Mi}`]);
        assert.deepEqual(h.evicted, []);
        assert.deepEqual(h.m.conditions(), ["DiskPressure"]);
    });
    test("when reclaim is not enough, one pod is evicted: the one using most disk above its request", async () => {
        const small = pod("small", [ctr("a", { "ephemeral-storage": "10Mi" })]);
        const big = pod("big", [ctr("a", { "ephemeral-storage": "10Mi" })]);
        const usage = new Map([[small, { diskBytes: 12 * Mi, containers: [] }], [big, { diskBytes: 40 * Mi, containers: [{ name: "a", diskBytes: 40 * Mi }] }]]);
        const h = harness({ hard: "nodefs.available<10Mi", observations: [disk(2 * Mi)], freed: [1 * Mi, 1 * Mi], pods: [small, big], usage });
        const out = await h.m.synchronize();
        assert.deepEqual(out.map((p) => p.metadata.name), ["big"]);
        assert.equal(h.calls.length, 2, "both reclaimers ran first");
        assert.equal(h.evicted[0].message, "The node was low on resource: ephemeral-storage. Threshold quantity: 10Mi, available: 2Mi. Container a was using 40Mi, request is 10Mi, has larger consumption of ephemeral-storage. ");
    });
    test("separate image filesystem: imagefs pressure asks only the image collector; memory pressure asks nobody", async () => {
        const h = harness({ hard: "imagefs.available<10Mi", shared: false, observations: [disk(50 * Mi, 1 * Mi), disk(50 * Mi, 30 * Mi)], freed: [5 * Mi, 29 * Mi] });
        assert.deepEqual(await h.m.synchronize(), []);
        assert.deepEqual(h.calls, [`unused images:${9 * Mi}`]);
        const mem = harness({ hard: "memory.available<2000Mi", observations: [disk(50 * Mi)] });
        await mem.m.synchronize();
        assert.deepEqual(mem.calls, []);
    });
    test("a pod over its ephemeral-storage limit is evicted at once (grace 0), with no node pressure at all", async () => {
        const over = pod("over", [ctr("a", {}, { "ephemeral-storage": "5Mi" })]);
        const under = pod("under", [ctr("a", {}, { "ephemeral-storage": "50Mi" })]);
        const unlimited = pod("unlimited", [ctr("a")]);
        const usage = new Map([
            [over, { diskBytes: 6 * Mi, containers: [{ name: "a", diskBytes: 6 * Mi }] }],
            [under, { diskBytes: 6 * Mi, containers: [{ name: "a", diskBytes: 6 * Mi }] }],
            [unlimited, { diskBytes: 90 * Mi, containers: [{ name: "a", diskBytes: 90 * Mi }] }],
        ]);
        const h = harness({ hard: "nodefs.available<1Mi", observations: [disk(50 * Mi)], pods: [over, under, unlimited], usage });
        assert.deepEqual((await h.m.synchronize()).map((p) => p.metadata.name), ["over"]);
        assert.deepEqual(h.evicted, [{ name: "over", grace: 0, message: "Pod ephemeral local storage usage exceeds the total limit of containers 5Mi. " }]);
        assert.deepEqual(h.calls, [], "no reclaim: the node is not under pressure");
    });
    test("local storage limits are enforced even with no eviction thresholds configured", async () => {
        const over = pod("over", [ctr("a", {}, { "ephemeral-storage": "1Mi" })]);
        const h = harness({ hard: "", observations: [disk(50 * Mi)], pods: [over], usage: new Map([[over, { diskBytes: 2 * Mi, containers: [] }]]) });
        assert.deepEqual((await h.m.synchronize()).map((p) => p.metadata.name), ["over"]);
    });
});
describe("local storage eviction (localStorageEviction)", () => {
    test("the pod's limit is the sum of its containers' (sidecars included; a larger init container wins)", () => {
        const p = pod("p", [ctr("a", {}, { "ephemeral-storage": "100Mi" }), ctr("b", {}, { "ephemeral-storage": "50Mi" }), ctr("c")], {
            initContainers: [{ ...ctr("side", {}, { "ephemeral-storage": "10Mi" }), restartPolicy: "Always" }, ctr("init", {}, { "ephemeral-storage": "1Gi" })],
        });
        assert.equal(formatQuantity(podEphemeralStorageLimit(p)), "1Gi");
        const q = pod("q", [ctr("a", {}, { "ephemeral-storage": "100Mi" }), ctr("b", {}, { "ephemeral-storage": "50Mi" })], { initContainers: [{ ...ctr("side", {}, { "ephemeral-storage": "10Mi" }), restartPolicy: "Always" }] });
        assert.equal(formatQuantity(podEphemeralStorageLimit(q)), "160Mi");
        assert.equal(podEphemeralStorageLimit(pod("r", [ctr("a")])), undefined);
    });
    test("pod total over the sum: the pod message; a container over its own limit: the container message", () => {
        const p = pod("p", [ctr("a", {}, { "ephemeral-storage": "10Mi" }), ctr("b", {}, { "ephemeral-storage": "10Mi" })]);
        assert.equal(localStorageViolation(p, { diskBytes: 21 * Mi, containers: [{ name: "a", diskBytes: 11 * Mi }] }), "Pod ephemeral local storage usage exceeds the total limit of containers 20Mi. ");
        assert.equal(localStorageViolation(p, { diskBytes: 15 * Mi, containers: [{ name: "b", diskBytes: 2 * Mi }, { name: "a", diskBytes: 11 * Mi }] }), 'Container a exceeded its local ephemeral storage limit "10Mi". ');
        assert.equal(localStorageViolation(p, { diskBytes: 20 * Mi, containers: [{ name: "a", diskBytes: 10 * Mi }] }), undefined, "exactly at the limit is allowed");
    });
    test("decimal limits print as the API server prints them", () => {
        const p = pod("p", [ctr("a", {}, { "ephemeral-storage": "1000000" })]);
        assert.equal(localStorageViolation(p, { diskBytes: 2_000_000, containers: [] }), "Pod ephemeral local storage usage exceeds the total limit of containers 1M. ");
    });
});
describe("ranking under disk pressure (rankDiskPressureFunc)", () => {
    test("pods without stats, then over their ephemeral-storage request, then lower priority, then larger use above request", () => {
        const nostats = pod("nostats", [ctr("a")]);
        const within = pod("within", [ctr("a", { "ephemeral-storage": "100Mi" })]);
        const overLow = pod("over-high-prio", [ctr("a", { "ephemeral-storage": "1Mi" })], { priority: 1000 });
        const overBig = pod("over-big", [ctr("a", { "ephemeral-storage": "1Mi" })]);
        const overSmall = pod("over-small", [ctr("a")]);
        const usage = new Map([
            [within, { diskBytes: 90 * Mi, containers: [] }],
            [overLow, { diskBytes: 80 * Mi, containers: [] }],
            [overBig, { diskBytes: 30 * Mi, containers: [] }],
            [overSmall, { diskBytes: 5 * Mi, containers: [] }],
        ]);
        const ranked = rankForEviction("nodefs.available", [within, overSmall, overLow, nostats, overBig], (p) => usage.get(p));
        assert.deepEqual(ranked.map((p) => p.metadata.name), ["nostats", "over-big", "over-small", "over-high-prio", "within"]);
    });
});
describe("the dead-container reclaimer", () => {
    const dir = mkdtempSync(join(tmpdir(), "reclaim-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    function record(id, name, attempt, state, finishedAt, bytes) {
        mkdirSync(join(dir, id), { recursive: true });
        writeFileSync(join(dir, id, "layer"), Buffer.alloc(bytes, 1));
        return { id, podUid: "u1", name, attempt, init: false, state, finishedAt, createdAt: finishedAt, logPath: join(dir, `${id}.log`) };
    }
    test("removes all but the newest instance of each name, oldest first, until enough is freed; never a running one", async () => {
        const records = [
            record("a0", "a", 0, "exited", "2026-01-01T00:00:01Z", 64 * 1024),
            record("a1", "a", 1, "exited", "2026-01-01T00:00:05Z", 64 * 1024),
            record("a2", "a", 2, "running", "2026-01-01T00:00:09Z", 4096),
            record("b0", "b", 0, "exited", "2026-01-01T00:00:03Z", 64 * 1024),
            record("b1", "b", 1, "exited", "2026-01-01T00:00:04Z", 4096),
        ];
        const removed = [];
        const runtime = {
            sandboxes: () => [{ podUid: "u1" }],
            containers: () => records.filter((r) => !removed.includes(r.id)),
            removeContainer: async (id) => {
                removed.push(id);
                rmSync(join(dir, id), { recursive: true });
            },
        };
        const r = new DeadContainerReclaimer(runtime, (c) => [join(dir, c.id), c.logPath]);
        const freed = await r.reclaim(100 * 1024);
        assert.deepEqual(removed, ["a0", "b0"], "oldest first, stopping once 100KiB were freed");
        assert.ok(freed >= 128 * 1024, `freed ${freed}`);
        assert.ok(!existsSync(join(dir, "a0")));
        assert.equal(await r.reclaim(Infinity) > 0, true);
        assert.deepEqual(removed, ["a0", "b0", "a1"], "a2 (running) and b1 (newest of b) are kept");
    });
});
describe("bounded stop and reset waits (daemon-stop.ts)", () => {
    test("waitUntilGone: true once the process is gone, false at the bound", async () => {
        const clock = new FakeClock();
        let alive = true;
        const gone = waitUntilGone(() => alive, clock, 30_000, 100);
        clock.advance(5_000);
        alive = false;
        clock.advance(100);
        assert.equal(await gone, true);
        const stuck = waitUntilGone(() => true, clock, 30_000, 100);
        for (let i = 0; i < 310; i++) {
            clock.advance(100);
            await new Promise((r) => setImmediate(r));
        }
        assert.equal(await stuck, false);
    });
    test("boundedStop: a stop that finishes is 'stopped'; one stuck in a step is 'late' and names the step", async () => {
        const clock = new FakeClock();
        assert.deepEqual(await boundedStop(async (step) => step("closing the store"), clock, 15_000), { result: "stopped" });
        const stuck = boundedStop(async (step) => {
            step("closing the API server");
            step("stopping the service proxy and DNS");
            await new Promise(() => undefined);
        }, clock, 15_000);
        clock.advance(15_000);
        assert.deepEqual(await stuck, { result: "late", step: "stopping the service proxy and DNS" });
    });
});
//# sourceMappingURL=pressure-reclaim.test.js.map