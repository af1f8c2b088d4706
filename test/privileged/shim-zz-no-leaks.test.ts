/**
 * Runs after the other privileged files (alone: the Makefile runs the others two at a time, then this one; by hand,
 * name order puts it after the shim suites): nothing any of them made is left on the machine —
 * no process of this shim binary, no mount or cgroup or temp dir named like the shim tests'.
 */
import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { hostProcesses } from "../helpers/procs.js";
import { processStartTime } from "../../src/sys/proc.js";
import { mountsMentioning, ownCgroupDir, SHIM } from "../helpers/shim-harness.js";

const skip = needsRoot();

/**
 * Live processes running this build of the shim (monitors, pauses, exec helpers) that started after this test run
 * did (the `node --test` runner is our parent, or NODELET_TEST_RUN_STARTED in clock ticks since boot): a daemon running
 * on the same machine before the tests is not ours.
 */
function shimProcesses(): string[] {
  const found: string[] = [];
  // `make test` runs this file after the others in a runner of its own and says when theirs started.
  const runStarted = Number(process.env.NODELET_TEST_RUN_STARTED) || (processStartTime(process.ppid) ?? 0);
  for (const p of hostProcesses()) {
    if (p.state === "Z" || p.startTime < runStarted) continue;
    try {
      if (readlinkSync(`/proc/${p.pid}/exe`).replace(/ \(deleted\)$/, "") === SHIM) found.push(`${p.pid} (${p.comm})`);
    } catch { /* gone, or a kernel thread */ }
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
