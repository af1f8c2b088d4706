/**
 * Stopping and resetting a loaded daemon is bounded (privileged): a daemon running 8 pods exits within its 15 s
 * stop bound after SIGTERM (pods and the warm sandboxes keep running), and `nodelet reset` then removes everything
 * promptly, the warm sandboxes with the pods; a reset that finds the root's daemon still alive (it stopped answering
 * but has not exited) says so and waits for it, and proceeds once it is gone. The refusal after 30 s and the cut-off stop are unit tests over a fake clock.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, NODELET, suiteDaemon, type CliResult } from "../helpers/daemon.js";
import { processStartTime } from "../../src/sys/proc.js";

const skip = needsRoot();

/** Runs `nodelet reset ARGS`, calling `onStderr` with all it has said so far each time it says more. */
function resetWhile(args: string[], onStderr: (stderr: string) => void): Promise<CliResult & { ms: number }> {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NODELET, "reset", ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => onStderr((stderr += b.toString())));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - began }));
  });
}


describe("stop and reset of a loaded daemon are bounded (privileged)", { skip }, () => {
  const d = suiteDaemon("reset-bound", [], { start: false });

  test("SIGTERM exits within the bound; reset then waits for a lingering daemon and removes everything", async () => {
    await d.start();
    const pidFile = join(d.root, "daemon.pid");
    assert.equal(Number(readFileSync(pidFile, "utf8").split(" ")[0]), d.pid, "the daemon records itself");
    const names = [...Array(8).keys()].map((i) => `load-${i}`);
    for (const name of names) {
      const r = await d.cli(["run", name, "--image", "busybox", "--", "sh", "-c", "trap '' TERM; while true; do echo $(date) >> /tmp/x; sleep 0.2; done"]);
      assert.equal(r.code, 0, r.stderr);
    }
    await eventually(async () => (await d.pods()).filter((p) => p.status?.phase === "Running").length === names.length, 120_000, "8 pods running");

    const began = Date.now();
    await d.terminate();
    const stopMs = Date.now() - began;
    assert.ok(stopMs < 16_000, `the daemon exited ${stopMs} ms after SIGTERM (bound 15 s)`);
    assert.doesNotMatch(d.log, /test helper: the daemon did not exit/);
    assert.ok(!existsSync(pidFile), "a clean stop removes its pid record");

    // The pods' directories, and the warm sandboxes' (sandbox.json `warm: true`), which outlive a clean stop too.
    const sandboxes = readdirSync(join(d.root, "pods")).map((uid) => JSON.parse(readFileSync(join(d.root, "pods", uid, "sandbox.json"), "utf8")) as { warm?: boolean });
    assert.equal(sandboxes.filter((s) => !s.warm).length, 8);
    assert.equal(sandboxes.filter((s) => s.warm).length, 2, "the default pool of 2 warm sandboxes is kept for the next daemon");

    // A daemon that no longer answers but lives: the root's record names a live process (ours, a stand-in) that
    // exits once reset has said it is waiting for it.
    const lingering = spawn("sleep", ["600"], { stdio: "ignore" });
    let r: CliResult & { ms: number };
    try {
      writeFileSync(pidFile, `${lingering.pid} ${processStartTime(lingering.pid!)}\n`);
      r = await resetWhile(d.args, (stderr) => {
        if (stderr.includes(`waiting for the daemon of ${d.root} (pid ${lingering.pid}) to exit`)) lingering.kill("SIGKILL");
      });
    } finally {
      // Also when the test fails: a live child would hold the test file's process for its 10 minutes.
      lingering.kill("SIGKILL");
    }
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /waiting for the daemon of .* to exit/);
    assert.ok(r.ms < 90_000, `reset of 8 pods took ${r.ms} ms`);
    assert.match(r.stderr, /removing pod default\/load-0/);
    assert.deepEqual(d.leftovers(), [], "nothing of the daemon is left");
    rmSync(pidFile, { force: true });
  });
});
