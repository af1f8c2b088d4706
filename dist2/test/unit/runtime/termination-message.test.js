import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, appendFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePodStatus } from "../../../src/kubelet/pod-status.js";
import { parseCriLine } from "../../../src/runtime/cri-log.js";
import { lastLogText, messageBytesPerContainer, readTail, readTerminationMessage, truncateUtf8, } from "../../../src/runtime/termination-message.js";
function scratch() {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-term-"));
    return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
const cri = (content, tag = "F", stream = "stdout") => `2026-01-01T00:00:00.000000000Z ${stream} ${tag} ${content}\n`;
/** What the kubelet computes, reading the whole log: the last 80 lines, their text, its last 2048 bytes. */
function naiveLogText(log) {
    const lines = log.split("\n").slice(0, -1).slice(-80);
    const text = lines.map((l) => parseCriLine(l)).map((l) => (l.partial ? l.content : `${l.content}\n`)).join("");
    const bytes = Buffer.from(text);
    return bytes.subarray(Math.max(0, bytes.length - 2048)).toString();
}
test("a 700 MB termination log: the last 4096 bytes, read without reading the rest", async () => {
    const s = scratch();
    try {
        const file = join(s.dir, "termination-log");
        truncateSync((writeFileSync(file, ""), file), 700 * 1024 * 1024); // sparse: costs no disk
        appendFileSync(file, "x".repeat(5000) + "the end");
        const rssBefore = process.memoryUsage().rss;
        const msg = await readTerminationMessage({ file, logPath: join(s.dir, "none.log"), exitCode: 0 });
        assert.equal(msg, "x".repeat(4089) + "the end");
        assert.ok(process.memoryUsage().rss - rssBefore < 20 * 1024 * 1024, "reading did not pull the file into memory");
    }
    finally {
        s.done();
    }
});
test("a short message is returned whole; an empty or missing file is no message", async () => {
    const s = scratch();
    try {
        const file = join(s.dir, "termination-log");
        writeFileSync(file, "Sleep expired\n");
        assert.equal(await readTerminationMessage({ file, logPath: "/nonexistent", exitCode: 0 }), "Sleep expired\n");
        writeFileSync(file, "");
        assert.equal(await readTerminationMessage({ file, logPath: "/nonexistent", exitCode: 1 }), "");
        assert.equal(await readTerminationMessage({ file: join(s.dir, "gone"), logPath: "/nonexistent", exitCode: 1 }), "");
    }
    finally {
        s.done();
    }
});
test("a symlink or a FIFO in the file's place is refused, not followed or waited on", async () => {
    const s = scratch();
    try {
        writeFileSync(join(s.dir, "secret"), "host secret");
        symlinkSync(join(s.dir, "secret"), join(s.dir, "link"));
        const viaLink = await readTerminationMessage({ file: join(s.dir, "link"), logPath: "/nonexistent", exitCode: 0 });
        assert.match(viaLink, /^Error on reading termination log .*link: ELOOP/);
        assert.ok(!viaLink.includes("host secret"));
        assert.equal(spawnSync("mkfifo", [join(s.dir, "fifo")]).status, 0);
        const viaFifo = await readTerminationMessage({ file: join(s.dir, "fifo"), logPath: "/nonexistent", exitCode: 0 });
        assert.match(viaFifo, /not a regular file/);
    }
    finally {
        s.done();
    }
});
test("FallbackToLogsOnError: the log's end only when the container failed and wrote no message", async () => {
    const s = scratch();
    try {
        const file = join(s.dir, "termination-log");
        const logPath = join(s.dir, "0.log");
        writeFileSync(file, "");
        writeFileSync(logPath, cri("starting") + cri("par", "P", "stderr") + cri("tial", "F", "stderr") + cri("boom"));
        const base = { file, logPath, policy: "FallbackToLogsOnError" };
        assert.equal(await readTerminationMessage({ ...base, exitCode: 1, reason: "Error" }), "starting\npartial\nboom\n");
        assert.equal(await readTerminationMessage({ ...base, exitCode: 0, reason: "Completed" }), "", "success reads no log");
        assert.equal(await readTerminationMessage({ ...base, exitCode: 128, reason: "ContainerCannotRun" }), "");
        assert.equal(await readTerminationMessage({ ...base, policy: "File", exitCode: 1 }), "", "File policy reads no log");
        writeFileSync(file, "my own words");
        assert.equal(await readTerminationMessage({ ...base, exitCode: 1 }), "my own words", "the file wins when not empty");
    }
    finally {
        s.done();
    }
});
test("the log fallback: 80 lines at most, 2048 bytes at most, the same as reading the whole log", async () => {
    const s = scratch();
    try {
        const logPath = join(s.dir, "0.log");
        const hundred = Array.from({ length: 100 }, (_, i) => cri(`line ${i}`)).join("");
        writeFileSync(logPath, hundred);
        const text = await lastLogText(logPath);
        assert.equal(text, Array.from({ length: 80 }, (_, i) => `line ${i + 20}\n`).join(""));
        // Lines of every length up to the monitor's 16 KiB, far beyond the window read: the answer does not change.
        let log = "";
        for (let i = 0; i < 400; i++)
            log += cri(`${i}:` + "é".repeat((i * 7919) % 8192), i % 5 === 0 ? "P" : "F");
        writeFileSync(logPath, log);
        assert.ok(Buffer.byteLength(log) > 1024 * 1024);
        assert.equal(await lastLogText(logPath), naiveLogText(readFileSync(logPath, "utf8")));
        for (let i = 0; i < 200; i++)
            appendFileSync(logPath, cri(`short ${i}`));
        assert.equal(await lastLogText(logPath), naiveLogText(readFileSync(logPath, "utf8")));
        assert.ok(Buffer.byteLength(await lastLogText(logPath)) <= 2048);
    }
    finally {
        s.done();
    }
});
test("readTail: never more than asked, from the end", async () => {
    const s = scratch();
    try {
        const file = join(s.dir, "f");
        writeFileSync(file, "0123456789");
        assert.equal((await readTail(file, 4)).data.toString(), "6789");
        assert.equal((await readTail(file, 100)).data.toString(), "0123456789");
        assert.equal((await readTail(file, 4)).size, 10);
    }
    finally {
        s.done();
    }
});
test("truncateUtf8 cuts at a character boundary, within the bound", () => {
    assert.equal(truncateUtf8("abc", 3), "abc");
    assert.equal(truncateUtf8("abcd", 3), "abc");
    assert.equal(truncateUtf8("aé", 2), "a", "a split é is dropped, not half-kept");
    assert.equal(truncateUtf8("a😀b", 4), "a");
    assert.equal(truncateUtf8("a😀b", 5), "a😀");
});
test("a pod's messages share 12 KiB evenly between its containers (init and ephemeral ones count)", () => {
    const c = (name) => ({ name, image: "busybox" });
    assert.equal(messageBytesPerContainer({ containers: [c("a")] }), 12288);
    assert.equal(messageBytesPerContainer({ containers: [c("a"), c("b")], initContainers: [c("i")], ephemeralContainers: [c("e")] }), 3072);
    const pod = {
        apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", uid: "u" },
        spec: { restartPolicy: "Never", containers: [c("a"), c("b"), c("d"), c("e")] },
    };
    const long = "m".repeat(4096);
    const exited = (name, attempt) => ({
        id: `${name}${attempt}`, name, attempt, init: false, state: "exited", specHash: "", imageId: "sha256:x",
        exitCode: 1, message: long, startedAt: "2026-01-01T00:00:00Z", finishedAtIso: "2026-01-01T00:00:01Z",
    });
    const status = generatePodStatus(pod, {
        containers: [exited("a", 0), exited("a", 1), exited("b", 0), exited("d", 0), exited("e", 0)],
        sandboxReady: true, waiting: new Map(), readiness: new Map(), started: new Map(), podIPs: [], hostIP: "192.168.1.10",
        now: "2026-01-01T00:00:10Z",
    });
    for (const s of status.containerStatuses)
        assert.equal(s.state.terminated.message.length, 3072, s.name);
    assert.equal(status.containerStatuses[0].lastState.terminated.message.length, 3072, "the last state too");
});
//# sourceMappingURL=termination-message.test.js.map