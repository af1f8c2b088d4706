/** Replacing state files: old or new content whatever the moment of a crash, and nothing left beside them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStateFile, removeStateFile, replaceFile } from "../../../src/sys/state-file.js";
async function withDir(fn) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-state-file-"));
    try {
        await fn(dir);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
/** The directory's entries once the background removal of the old file is done. */
async function settled(dir) {
    for (let i = 0; i < 100 && readdirSync(dir).some((f) => f.endsWith(".old")); i++)
        await new Promise((r) => setTimeout(r, 10));
    return readdirSync(dir);
}
test("replaceFile writes, replaces, and leaves only the file", () => withDir(async (dir) => {
    const path = join(dir, "sub", "state.json");
    assert.equal(readStateFile(path), undefined, "a missing file reads as undefined");
    replaceFile(path, "one");
    assert.equal(readStateFile(path), "one");
    replaceFile(path, "two");
    assert.equal(readStateFile(path), "two");
    assert.deepEqual(await settled(join(dir, "sub")), ["state.json"]);
}));
test("a crash at any step reads as the old or the new content", () => withDir(async (dir) => {
    const path = join(dir, "state.json");
    const next = join(dir, ".state.json.new");
    const prev = join(dir, ".state.json.old");
    // After the new file is written, before anything is renamed: the old content.
    writeFileSync(path, "old");
    writeFileSync(next, "new");
    assert.equal(readStateFile(path), "old");
    // After the old file is moved aside: the new content, complete.
    renameSync(path, prev);
    assert.equal(readStateFile(path), "new");
    // After the new file is in place, before the old one is removed.
    renameSync(next, path);
    assert.equal(readStateFile(path), "new");
    // The next replacement cleans up what the crash left.
    replaceFile(path, "newer");
    assert.equal(readStateFile(path), "newer");
    assert.deepEqual(await settled(dir), ["state.json"]);
}));
test("removeStateFile removes the file and what a crash left beside it", () => withDir((dir) => {
    const path = join(dir, "state.json");
    replaceFile(path, "x");
    writeFileSync(join(dir, ".state.json.new"), "stale");
    removeStateFile(path);
    assert.equal(readStateFile(path), undefined);
    assert.deepEqual(readdirSync(dir), []);
}));
//# sourceMappingURL=state-file.test.js.map