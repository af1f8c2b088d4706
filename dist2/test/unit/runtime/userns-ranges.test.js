import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocateUsernsRange, USERNS_SIZE } from "../../../src/runtime/userns-ranges.js";
describe("user namespace ranges (the kubelet's userns manager)", () => {
    it("gives the lowest free 65,536-ID block from the host's 65,536 on, never block 0", () => {
        const held = new Map();
        const a = allocateUsernsRange("a", held);
        assert.deepEqual(a, { hostId: 65536, size: USERNS_SIZE });
        held.set("a", a);
        const b = allocateUsernsRange("b", held);
        assert.deepEqual(b, { hostId: 2 * 65536, size: USERNS_SIZE });
        held.set("b", b);
        assert.deepEqual(allocateUsernsRange("a", held), a, "a pod keeps the range it holds (a sandbox restart, a daemon restart)");
        held.delete("a");
        assert.deepEqual(allocateUsernsRange("c", held), a, "a released range is given again");
    });
    it("re-learned ranges are never given twice, and a full node says so", () => {
        const held = new Map([["old", { hostId: 65536, size: USERNS_SIZE }]]);
        assert.equal(allocateUsernsRange("new", held).hostId, 2 * 65536);
        const full = new Map();
        for (let block = 1; block <= 65535; block++)
            full.set(`p${block}`, { hostId: block * USERNS_SIZE, size: USERNS_SIZE });
        assert.throws(() => allocateUsernsRange("one-more", full), /no user namespace range is free/);
        assert.ok(65535 * USERNS_SIZE + USERNS_SIZE - 1 <= 0xffffffff, "the last block ends within 32 bits");
    });
});
//# sourceMappingURL=userns-ranges.test.js.map