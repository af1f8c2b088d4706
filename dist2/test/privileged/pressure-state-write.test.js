/**
 * State writes on a full disk (privileged: a 256 KiB tmpfs of the test's own): a JSON state write that meets
 * ENOSPC fails whole — the old content stays readable and no partial file is left taking space — and, when the
 * no-space handler frees room (the daemon gives its disk reserve back), it is tried once more and succeeds; a
 * runtime record whose state change cannot be written is kept in memory, reported, and written by the next
 * saveUnsaved() once there is room.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { readJsonState, writeJsonState } from "../../src/sys/json-state.js";
import { onStateWriteNoSpace } from "../../src/sys/state-file.js";
import { RuntimeRecords } from "../../src/runtime/records.js";
import { Layout } from "../../src/runtime/layout.js";
const skip = needsRoot();
describe("state writes on a full disk (privileged)", { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-enospc-"));
    const filler = join(dir, "filler");
    let mounted = false;
    before(() => {
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", dir]);
        mounted = true;
    });
    after(() => {
        onStateWriteNoSpace(undefined);
        if (mounted)
            execFileSync("umount", [dir]);
        rmSync(dir, { recursive: true, force: true });
    });
    /** Fills the filesystem to the last block. */
    const fill = () => {
        try {
            writeFileSync(filler, Buffer.alloc(512 * 1024, 1));
        }
        catch (err) {
            assert.equal(err.code, "ENOSPC");
        }
    };
    const big = { data: "x".repeat(64 * 1024) };
    test("a write meeting ENOSPC fails whole; the no-space handler's room lets the retry succeed", () => {
        const file = join(dir, "state", "a.json");
        writeJsonState(file, { v: 1 });
        fill();
        assert.throws(() => writeJsonState(file, big), (err) => err.code === "ENOSPC");
        assert.deepEqual(readJsonState(file), { v: 1 }, "the old content is intact");
        assert.deepEqual(readdirSync(join(dir, "state")), ["a.json"], "no partial .new file is left");
        let calls = 0;
        onStateWriteNoSpace(() => {
            calls++;
            rmSync(filler);
            return true;
        });
        writeJsonState(file, big);
        assert.equal(calls, 1);
        assert.deepEqual(readJsonState(file), big);
        onStateWriteNoSpace(() => false);
        fill();
        assert.throws(() => writeJsonState(file, { ...big, more: big.data }), (err) => err.code === "ENOSPC");
        assert.deepEqual(readJsonState(file), big, "a handler that frees nothing: the write fails, the old content stays");
        onStateWriteNoSpace(undefined);
        rmSync(filler, { force: true });
    });
    test("a container's exit that cannot be written is kept in memory and written once there is room", async () => {
        const layout = new Layout(join(dir, "root"), join(dir, "log"), "/nonexistent");
        const records = new RuntimeRecords(layout);
        const c = { id: "c1", podUid: "p1", name: "app", attempt: 0, state: "running", logPath: "", padding: "y".repeat(8 * 1024) };
        await records.saveContainer(c);
        fill();
        const reports = [];
        c.state = "exited";
        c.exitCode = 3;
        await records.saveLater({ kind: "container", record: c }, (m) => reports.push(m));
        assert.match(reports[0], /cannot write the container record of pod p1 .*ENOSPC.*kept in memory/);
        assert.equal(records.containers.get("c1")?.state, "exited", "memory has the exit");
        const onDisk = () => JSON.parse(readFileSync(layout.containerStateFile("p1", "c1"), "utf8"));
        assert.equal(onDisk().state, "running", "the disk still has the old state");
        await records.saveUnsaved();
        assert.equal(onDisk().state, "running", "still no room: kept for later");
        rmSync(filler);
        await records.saveUnsaved();
        assert.equal(onDisk().state, "exited", "written once there is room");
        assert.equal(onDisk().exitCode, 3);
    });
});
//# sourceMappingURL=pressure-state-write.test.js.map