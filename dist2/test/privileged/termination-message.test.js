/**
 * The termination message with a real daemon (privileged): a container that writes 700 MB to
 * /dev/termination-log does not grow the daemon (it reads the last 4 KiB, as the kubelet), FallbackToLogsOnError
 * takes the log's end only for a failed container with no message, and the pod's messages share 12 KiB.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";
const skip = needsRoot();
/** VmRSS and VmHWM (peak) of a process, bytes. */
function memory(pid) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)[1]) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}
/** Four containers: one writes MB megabytes then 5000 bytes of "MARK", three try the log fallback. */
function manifest(name, mb) {
    const c = (n, policy, script) => `  - name: ${n}\n    image: busybox\n    terminationMessagePolicy: ${policy}\n    command: ["sh", "-c", ${JSON.stringify(script)}]\n`;
    return (`apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 0\n  containers:\n` +
        c("big", "File", `dd if=/dev/zero of=/dev/termination-log bs=1M count=${mb} 2>/dev/null; for i in $(seq 1250); do printf MARK; done >> /dev/termination-log`) +
        c("logs", "FallbackToLogsOnError", "for i in $(seq 100); do echo line $i; done; exit 3") +
        c("own", "FallbackToLogsOnError", "echo noise; printf bye > /dev/termination-log; exit 1") +
        c("fine", "FallbackToLogsOnError", "echo all good"));
}
describe("termination message (privileged)", { skip }, () => {
    const d = suiteDaemon("termmsg", ["--no-network"]);
    const run = async (name, mb) => {
        const file = join(d.root, `${name}.yaml`);
        writeFileSync(file, manifest(name, mb));
        const r = await d.cli(["apply", "-f", file]);
        assert.equal(r.code, 0, r.stderr);
        return eventually(async () => {
            const p = await d.pod(name);
            return p?.status?.containerStatuses?.every((s) => s.state.terminated) ? p : undefined;
        }, 120_000, `${name} ended`);
    };
    test("700 MB in /dev/termination-log: the last 4 KiB (cut to the pod's share), daemon memory unchanged", async () => {
        await run("warmup", 1); // the daemon's first pod loads code; measure from the second
        await d.cli(["delete", "pod", "warmup", "--now"]);
        const before = memory(d.pid);
        const pod = await run("big", 700);
        const after = memory(d.pid);
        const msg = Object.fromEntries(pod.status.containerStatuses.map((s) => [s.name, s.state.terminated.message]));
        // The file's last 4096 bytes are "MARK" x 1024; four containers share 12 KiB, 3072 bytes each.
        assert.equal(msg.big, "MARK".repeat(768));
        assert.equal(msg.logs, Array.from({ length: 80 }, (_, i) => `line ${i + 21}\n`).join(""), "the last 80 log lines");
        assert.equal(msg.own, "bye", "a message in the file wins over the logs");
        assert.equal(msg.fine, undefined, "a container that succeeded gets no message from its logs");
        const grew = { rss: (after.rss - before.rss) / 2 ** 20, peak: (after.peak - before.peak) / 2 ** 20 };
        console.log(`daemon memory: RSS ${(before.rss / 2 ** 20).toFixed(1)} -> ${(after.rss / 2 ** 20).toFixed(1)} MiB, peak +${grew.peak.toFixed(1)} MiB`);
        assert.ok(grew.rss < 20, `daemon RSS grew by ${grew.rss.toFixed(1)} MiB`);
        assert.ok(grew.peak < 20, `daemon peak RSS grew by ${grew.peak.toFixed(1)} MiB`);
        await d.cli(["delete", "pod", "big", "--now"]);
    });
});
//# sourceMappingURL=termination-message.test.js.map