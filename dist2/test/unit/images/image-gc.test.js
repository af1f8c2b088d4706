/**
 * Image GC over a fake filesystem and clock: nothing below the high threshold; above it, unused images go least
 * recently used first until the low threshold is reached; images in use, built on the node, or younger than the
 * minimum age stay; collect(Infinity) takes every unused image.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ImageGC } from "../../../src/images/image-gc.js";
function rec(id, size, local = false) {
    return { id: id.padEnd(64, "0"), manifestDigest: "", repoDigests: [], layers: [], config: {}, created: "", size, local };
}
function setup() {
    let now = 0;
    const capacity = 1000;
    let used = 0;
    const records = [rec("a", 100), rec("b", 100), rec("c", 100), rec("d", 100, true), rec("e", 100)];
    used = records.reduce((n, r) => n + r.size, 0) + 400; // 900 of 1000: 90 %
    const inUse = new Set();
    const deleted = [];
    const gc = new ImageGC({
        policy: { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 },
        now: () => now,
        fsStats: () => ({ capacityBytes: capacity, availableBytes: capacity - used }),
        inUse: () => inUse,
        records: () => records.filter((r) => !deleted.includes(r.id[0])),
        deleteImage: async (id) => {
            deleted.push(id[0]);
            used -= 100;
        },
        removeOrphans: async () => undefined,
    });
    return { gc, inUse, deleted, tick: (ms) => (now += ms), setUsed: (u) => (used = u) };
}
test("image GC: LRU order down to the low threshold; in use, local and young images stay", async () => {
    const s = setup();
    s.inUse.add("b".padEnd(64, "0"));
    await s.gc.collect(0); // first detection at t=0, b used now
    s.tick(60_000);
    s.inUse.clear();
    s.inUse.add("c".padEnd(64, "0"));
    assert.equal(await s.gc.garbageCollect(), 0, "nothing is old enough yet");
    assert.deepEqual(s.deleted, []);
    s.tick(61_000);
    // 90 % used, low threshold 80 %: 100 bytes to free → the least recently used unused image, a (never used; b was)
    assert.equal(await s.gc.garbageCollect(), 100);
    assert.deepEqual(s.deleted, ["a"]);
    assert.equal(await s.gc.garbageCollect(), 0, "at 80 % usage, under the high threshold, nothing more goes");
});
test("image GC: collect(Infinity) takes every unused image but never local or in-use ones", async () => {
    const s = setup();
    s.inUse.add("c".padEnd(64, "0"));
    await s.gc.collect(0);
    s.tick(200_000);
    await s.gc.collect(Infinity);
    assert.deepEqual(s.deleted.sort(), ["a", "b", "e"]);
});
//# sourceMappingURL=image-gc.test.js.map