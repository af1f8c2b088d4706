/** A write that finds the disk full: rolled back whole, retried once after the reserve is given back. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { isDiskFull, openStore } from "../../../src/store/sqlite-store.js";
import { DiskReserve, reserveSize } from "../../../src/sys/disk-reserve.js";
const full = () => Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
const cm = (name) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" } });
test("a full disk: the failed attempt leaves nothing, onFull frees space and the write goes through once more", () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-full-"));
    let failures = 1;
    let freed = 0;
    const store = openStore(join(dir, "store.db"), {
        beforeCommit: () => {
            if (failures-- > 0)
                throw full();
        },
        onFull: () => (freed++, true),
    });
    try {
        const a = store.create(cm("a"));
        assert.equal(freed, 1);
        assert.equal(a.metadata.resourceVersion, "1", "the failed attempt used no resourceVersion");
        failures = 1;
        store.delete("ConfigMap", "default", "a");
        assert.equal(freed, 2);
        assert.equal(store.get("ConfigMap", "default", "a"), undefined);
        assert.equal(store.currentResourceVersion(), "2");
    }
    finally {
        store.close();
    }
    const db = new Database(join(dir, "store.db"), { readonly: true });
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    db.close();
    rmSync(dir, { recursive: true, force: true });
});
test("nothing to free: the write fails with the disk-full error, and other errors are never retried", () => {
    let calls = 0;
    const s1 = openStore(":memory:", { beforeCommit: () => { throw full(); }, onFull: () => (calls++, false) });
    assert.throws(() => s1.create(cm("a")), /disk is full/);
    assert.equal(calls, 1);
    assert.equal(s1.get("ConfigMap", "default", "a"), undefined);
    s1.close();
    const s2 = openStore(":memory:", { beforeCommit: () => { throw new Error("boom"); }, onFull: () => assert.fail("not a full disk") });
    assert.throws(() => s2.create(cm("a")), /boom/);
    s2.close();
    assert.equal(isDiskFull(Object.assign(new Error("x"), { code: "ENOSPC" })), true);
    assert.equal(isDiskFull(new Error("x")), false);
});
test("the disk reserve: real blocks taken, given back once with a callback, taken again when there is room", () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-reserve-"));
    try {
        let released = 0;
        const r = new DiskReserve(join(dir, "disk-reserve"), 64 * 1024, undefined, () => released++);
        assert.equal(r.shortfall(), 64 * 1024);
        assert.equal(r.ensure(), true);
        const st = statSync(join(dir, "disk-reserve"));
        assert.equal(st.size, 64 * 1024);
        assert.ok(st.blocks * 512 >= 64 * 1024, "allocated, not sparse");
        assert.equal(r.shortfall(), 0);
        assert.equal(r.release(), true);
        assert.equal(r.release(), false, "nothing left to give");
        assert.equal(released, 1);
        assert.equal(existsSync(join(dir, "disk-reserve")), false);
        assert.equal(r.shortfall(), 64 * 1024);
        assert.equal(r.ensure(), true);
        assert.equal(new DiskReserve(join(dir, "disk-reserve"), 64 * 1024).held, true, "a restarted daemon finds its reserve");
        assert.equal(reserveSize(10 * 2 ** 30), 8 * 2 ** 20);
        assert.equal(reserveSize(64 * 2 ** 20), 3276 * 1024, "5% of a small filesystem, in pages");
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=disk-full.test.js.map