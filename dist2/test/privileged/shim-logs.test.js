/**
 * nodelet-shim monitor: the CRI log file — format, F/P framing, per-stream order, completeness before the exit
 * file appears, and rotation that never loses or splits a line.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { logText, parseCriLog, podNamespaces, runContainer, Scratch, startContainer, startSandbox, stopSandbox, waitExitFile, waitFor, } from "../helpers/shim-harness.js";
const skip = needsRoot();
const sh = (script) => ["sh", "-c", script];
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
/** The live log and its rotated files, oldest first (the shim's own order: timestamp, then ".N"). */
function logFiles(live) {
    const base = basename(live);
    const key = (n) => {
        const [, stamp, num] = /^\.(\d{8}-\d{6})(?:\.(\d+))?$/.exec(n.slice(base.length));
        return [stamp, Number(num ?? 0)];
    };
    const rotated = readdirSync(dirname(live))
        .filter((n) => n.startsWith(`${base}.`))
        .sort((a, b) => {
        const [sa, na] = key(a), [sb, nb] = key(b);
        return sa < sb ? -1 : sa > sb ? 1 : na - nb;
    });
    return [...rotated.map((n) => join(dirname(live), n)), live];
}
describe("shim monitor: CRI log", { skip }, () => {
    test("stdout and stderr lines, F tags, RFC3339Nano UTC times, order kept per stream", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("for i in $(seq 1 300); do echo out-$i; echo err-$i >&2; done; echo; echo 'tab\there'") });
        assert.equal(r.exit.exitCode, 0);
        assert.deepEqual(logText(r.log, "stdout"), [...range(1, 300).map((i) => `out-${i}`), "", "tab\there"]);
        assert.deepEqual(logText(r.log, "stderr"), range(1, 300).map((i) => `err-${i}`));
        assert.ok(r.log.every((l) => l.tag === "F"));
        const times = r.log.filter((l) => l.stream === "stdout").map((l) => l.time);
        assert.deepEqual([...times].sort(), times, "times never go backwards within a stream");
        assert.equal(statSync(r.paths.log).mode & 0o777, 0o640);
    }));
    test("a line longer than 16 KiB is split into P chunks ending with F; exactly 16 KiB stays one F line", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("head -c 40000 /dev/zero | tr '\\0' a; echo; head -c 16384 /dev/zero | tr '\\0' b; echo; echo end") });
        const out = r.log.filter((l) => l.stream === "stdout");
        assert.deepEqual(out.map((l) => [l.tag, l.content.length]), [["P", 16384], ["P", 16384], ["F", 40000 - 32768], ["F", 16384], ["F", 3]]);
        assert.equal(logText(r.log, "stdout")[0], "a".repeat(40000));
    }));
    test("text without a final newline is written as one P line at EOF", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("echo first; printf 'no newline'") });
        assert.deepEqual(r.log.map((l) => [l.stream, l.tag, l.content]), [["stdout", "F", "first"], ["stdout", "P", "no newline"]]);
    }));
    test("every line is on disk when the exit file appears", () => Scratch.with(async (s) => {
        const c = await startContainer(s, { cmd: sh("seq 1 20000; seq 1 2000 >&2") });
        await waitFor("the exit file", () => existsSync(c.paths.exit));
        const log = parseCriLog(readFileSync(c.paths.log, "utf8"));
        assert.equal(logText(log, "stdout").length, 20000);
        assert.equal(logText(log, "stderr").length, 2000);
    }));
    test("output held open by a background process in a shared PID namespace delays the exit file by at most ~2 s", () => Scratch.with(async (s) => {
        const pause = await startSandbox(s, ["--share-pid"]);
        const c = await startContainer(s, { cmd: sh("sleep 100 & echo done"), flags: podNamespaces(pause, ["net", "uts", "ipc", "pid"]) });
        const t0 = Date.now();
        const exit = await waitExitFile(c.paths.exit);
        const waited = Date.now() - t0;
        assert.equal(exit.exitCode, 0);
        assert.ok(waited >= 1500 && waited < 4000, `exit file after ${waited} ms`);
        assert.match(readFileSync(c.paths.log, "utf8"), / stdout F done\n/);
        await stopSandbox(pause); // PID 1 of the pod goes, the kernel kills the stray sleep
    }));
});
describe("shim monitor: log rotation", { skip }, () => {
    test("rotates past --log-max-size and keeps every line, whole, in order", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("seq 1 5000"), flags: ["--log-max-size", "4096", "--log-max-files", "1000"] });
        assert.equal(r.exit.exitCode, 0);
        const files = logFiles(r.paths.log);
        assert.ok(files.length > 10, `only ${files.length} files`);
        for (const f of files.slice(0, -1))
            assert.match(basename(f), /^0\.log\.\d{8}-\d{6}(\.\d+)?$/);
        const lines = files.flatMap((f) => {
            const text = readFileSync(f, "utf8");
            assert.ok(text.length - 4096 < 200, `${f} holds ${text.length} bytes: rotation waits for a whole line, no more`);
            return parseCriLog(text);
        });
        assert.deepEqual(logText(lines, "stdout"), range(1, 5000));
    }));
    test("--log-max-files bounds live + rotated files; what remains is the newest output", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("seq 1 3000"), flags: ["--log-max-size", "2048", "--log-max-files", "3"] });
        const files = logFiles(r.paths.log);
        assert.equal(files.length, 3);
        const kept = logText(files.flatMap((f) => parseCriLog(readFileSync(f, "utf8"))), "stdout");
        assert.equal(kept.at(-1), "3000");
        assert.deepEqual(kept, range(3001 - kept.length, 3000), "a contiguous tail, nothing lost in between");
    }));
    test("--log-max-size 0 never rotates", () => Scratch.with(async (s) => {
        const r = await runContainer(s, { cmd: sh("seq 1 3000"), flags: ["--log-max-size", "0"] });
        assert.deepEqual(logFiles(r.paths.log), [r.paths.log]);
        assert.equal(logText(r.log, "stdout").length, 3000);
    }));
});
//# sourceMappingURL=shim-logs.test.js.map