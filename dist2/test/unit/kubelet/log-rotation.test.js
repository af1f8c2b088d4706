/**
 * `logs -f` across rotation, without root: a writer appends CRI lines and rotates the file the way the monitor
 * does (rename to PATH.YYYYMMDD-HHMMSS[.N], new file, prune to N files), often several times between two polls of
 * the follower; the follower must output every line exactly once, in order. (A file pruned before the follower got
 * to it is lost, for the kubelet too: the test keeps enough files for that not to happen.)
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readContainerLog, rotatedOrder } from "../../../src/runtime/cri-log.js";
const dir = mkdtempSync(join(tmpdir(), "nodelet-rotate-"));
after(() => rmSync(dir, { recursive: true, force: true }));
test("rotated names sort oldest first, .10 after .9", () => {
    const names = ["0.log.20260101-000001.10", "0.log.20260101-000002", "0.log.20260101-000001", "0.log.20260101-000001.9"];
    assert.deepEqual(names.sort(rotatedOrder), ["0.log.20260101-000001", "0.log.20260101-000001.9", "0.log.20260101-000001.10", "0.log.20260101-000002"]);
});
test("a follower keeps every line across many rotations", async () => {
    const path = join(dir, "0.log");
    writeFileSync(path, "");
    let running = true;
    const total = 3000;
    let seq = 0;
    const rotate = () => {
        renameSync(path, `${path}.20260101-000000.${seq++}`);
        writeFileSync(path, "");
        // Prune as the monitor does, keeping enough files that the (deliberately slow) follower is never overtaken.
        const rotated = readdirSync(dir).filter((n) => n.startsWith("0.log.")).sort(rotatedOrder);
        for (const old of rotated.slice(0, Math.max(0, rotated.length - 200)))
            unlinkSync(join(dir, old));
    };
    const out = [];
    const stream = readContainerLog(path, { follow: true, isRunning: () => running, pollMs: 5 });
    const reader = (async () => {
        for await (const chunk of stream)
            out.push(chunk);
    })();
    // The follower opens the live file (logs -f reads that one only): the writer starts once it has, or a loaded
    // machine lets the writer rotate the first file away before the follower opened anything.
    appendFileSync(path, "2026-01-01T00:00:00.000000000Z stdout F start\n");
    for (const deadline = Date.now() + 20_000; !Buffer.concat(out).toString().includes("start\n");) {
        assert.ok(Date.now() < deadline, "the follower never showed the first line");
        await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < total; i++) {
        appendFileSync(path, `2026-01-01T00:00:00.000000000Z stdout F line ${i}\n`);
        if (i % 25 === 24)
            rotate();
        // Several rotations between two polls of the follower (it polls every 5 ms).
        if (i % 100 === 0)
            await new Promise((r) => setTimeout(r, 1));
    }
    running = false;
    await reader;
    const lines = Buffer.concat(out).toString().split("\n").filter((l) => l && l !== "start");
    const missing = [...Array(total).keys()].filter((i) => !lines.includes(`line ${i}`));
    assert.deepEqual(missing, [], "no line lost");
    assert.equal(lines.length, total, "no line twice");
    assert.deepEqual(lines, [...Array(total).keys()].map((i) => `line ${i}`), "in order");
});
//# sourceMappingURL=log-rotation.test.js.map