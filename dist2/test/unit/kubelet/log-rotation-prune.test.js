/**
 * `logs -f` across rotation with pruning as the monitor does it (at most 5 files: the live one and 4 rotated):
 * each burst is written in one go (no read of the follower in between) and rotates the log 5 times, so the file
 * the follower has open is already pruned when it wakes and the files rotated after it are found by time. The
 * next burst starts once the follower has shown the previous one, as a follower that keeps up would.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readContainerLog, rotatedOrder } from "../../../src/runtime/cri-log.js";
const dir = mkdtempSync(join(tmpdir(), "nodelet-rotate-prune-"));
after(() => rmSync(dir, { recursive: true, force: true }));
test("a follower that keeps up between bursts loses nothing when 5 rotations (and pruning) happen between reads", async () => {
    const path = join(dir, "0.log");
    writeFileSync(path, "");
    const perFile = 10;
    const rotationsPerBurst = 5;
    const bursts = 12;
    const total = bursts * rotationsPerBurst * perFile;
    let seq = 0;
    let running = true;
    const rotate = () => {
        renameSync(path, `${path}.20260101-000000.${seq++}`);
        writeFileSync(path, "");
        const rotated = readdirSync(dir).filter((n) => n.startsWith("0.log.")).sort(rotatedOrder);
        for (const old of rotated.slice(0, Math.max(0, rotated.length - 4)))
            unlinkSync(join(dir, old));
    };
    let out = "";
    const until = async (cond, what) => {
        const deadline = Date.now() + 20_000;
        while (!cond()) {
            assert.ok(Date.now() < deadline, `follower never showed ${what}; last: ${out.split("\n").slice(-3).join(" | ")}`);
            await new Promise((r) => setTimeout(r, 1));
        }
    };
    const seen = (i) => out.includes(`line ${i}\n`);
    const stream = readContainerLog(path, { follow: true, isRunning: () => running, pollMs: 5 });
    const reader = (async () => {
        for await (const chunk of stream)
            out += chunk.toString();
    })();
    // The follower has the log open before the first burst.
    appendFileSync(path, "2026-01-01T00:00:00.000000000Z stdout F start\n");
    await until(() => out.includes("start\n"), "start");
    let prunedOwn = 0;
    for (let b = 0, i = 0; b < bursts; b++) {
        // Synchronous: the follower cannot read in the middle of a burst.
        for (let r = 0; r < rotationsPerBurst; r++) {
            for (let k = 0; k < perFile; k++, i++)
                appendFileSync(path, `2026-01-01T00:00:00.000000000Z stdout F line ${i}\n`);
            rotate();
        }
        if (!readdirSync(dir).includes(`0.log.20260101-000000.${b * rotationsPerBurst}`))
            prunedOwn++;
        const last = i - 1;
        await until(() => seen(last), `line ${last}`);
    }
    running = false;
    await reader;
    assert.equal(prunedOwn, bursts, "the follower's open file was pruned in every burst (the case under test)");
    const lines = out.split("\n").filter((l) => l && l !== "start");
    assert.deepEqual(lines, [...Array(total).keys()].map((i) => `line ${i}`), "every line once, in order");
});
//# sourceMappingURL=log-rotation-prune.test.js.map