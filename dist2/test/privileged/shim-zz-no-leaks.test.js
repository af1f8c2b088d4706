/**
 * Runs after the other shim suites (files run in name order): nothing any of them made is left on the machine —
 * no process of this shim binary, no mount or cgroup or temp dir named like the shim tests'.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { mountsMentioning, ownCgroupDir, SHIM } from "../helpers/shim-harness.js";
const skip = needsRoot();
/** Start time (clock ticks since boot) of a process, from /proc/PID/stat field 22. */
function startTime(pid) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
}
/**
 * Live processes running this build of the shim (monitors, pauses, exec helpers) that started after this test run
 * did (the `node --test` runner is our parent): a daemon running on the same machine before the tests is not ours.
 */
function shimProcesses() {
    const found = [];
    const runStarted = startTime(process.ppid);
    for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
        try {
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
            if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z")
                continue;
            if (startTime(pid) < runStarted)
                continue;
            if (readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "") === SHIM)
                found.push(`${pid} ${stat.slice(stat.indexOf("("), stat.lastIndexOf(")") + 1)}`);
        }
        catch { /* gone, or a kernel thread */ }
    }
    return found;
}
describe("shim tests leave nothing behind", { skip }, () => {
    test("no shim process, mount, cgroup or temp dir is left", () => {
        assert.deepEqual(shimProcesses(), []);
        assert.deepEqual(mountsMentioning("shimtest-"), []);
        for (const controller of ["memory", "pids"]) {
            assert.deepEqual(readdirSync(ownCgroupDir(controller)).filter((n) => n.startsWith("shimtest-")), [], `${controller} cgroups`);
        }
        assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith("shimtest-")).map((n) => join(tmpdir(), n)), []);
    });
});
//# sourceMappingURL=shim-zz-no-leaks.test.js.map