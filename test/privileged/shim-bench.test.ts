/**
 * Cost of the shim, measured: wall time of `sandbox` and of `monitor` up to its "ok" line, median of 50 runs each,
 * next to the cost of spawning /bin/true the same way, and the monitor's RSS. The figures in shim/README.md come from
 * this test; it prints them as test diagnostics. Times are printed, not asserted (a shared machine makes any bound
 * either loose or flaky; `make bench` is where they are compared); the monitor's memory bound is asserted.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import {
  monitorArgs, pidAlive, Scratch, SHIM, startContainer, stopSandbox, waitExitFile, waitFor,
} from "../helpers/shim-harness.js";

const skip = needsRoot();
const RUNS = 50;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Wall time in ms of one synchronous spawn, and its stdout. */
function timed(file: string, args: string[]): { ms: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, stdout: r.stdout };
}

const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} ms, p90 ${pct(xs, 0.9).toFixed(2)} ms`;

describe("shim cost", { skip }, () => {
  test(`sandbox and monitor wall time (median of ${RUNS})`, async (t) => {
    const baseline = Array.from({ length: RUNS }, () => timed("/bin/true", []).ms);
    const sandbox: number[] = [];
    await Scratch.with(async (s) => {
      for (let i = 0; i < RUNS; i++) {
        const r = timed(SHIM, ["sandbox", "--hostname", `bench-${i}`]);
        const pid = Number(/^ok (\d+)\n$/.exec(r.stdout)![1]);
        s.track(pid);
        sandbox.push(r.ms);
        await stopSandbox(pid);
      }
    });
    const monitor: number[] = [];
    await Scratch.with(async (s) => {
      for (let i = 0; i < RUNS; i++) {
        const r = timed(SHIM, monitorArgs(s, { cmd: ["true"], name: `c${i}` }));
        const [, m, c] = /^ok (\d+) (\d+)(?: [a-z-]+=\d+)*\n$/.exec(r.stdout)!.map(Number) as [number, number, number];
        s.track(m, c);
        monitor.push(r.ms);
        await waitExitFile(s.path(`c${i}`, "exit.json"));
        await waitFor("monitor exit", () => !pidAlive(m));
      }
    });
    t.diagnostic(`spawn /bin/true (baseline): ${fmt(baseline)}`);
    t.diagnostic(`sandbox: ${fmt(sandbox)}`);
    t.diagnostic(`monitor up to "ok" (default security flags, overlay rootfs, log, exit file): ${fmt(monitor)}`);
    assert.equal(sandbox.length, RUNS);
    assert.equal(monitor.length, RUNS);
  });

  test("monitor RSS while the container logs steadily", (t) =>
    Scratch.with(async (s) => {
      const c = await startContainer(s, { cmd: ["sh", "-c", "while :; do seq 1 200; head -c 40000 /dev/zero | tr '\\0' x; echo; sleep 0.01; done"] });
      let peak = 0;
      for (let i = 0; i < 20; i++) {
        await sleep(50);
        const status = readFileSync(`/proc/${c.monitorPid}/status`, "utf8");
        peak = Math.max(peak, Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]));
      }
      const hwm = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${c.monitorPid}/status`, "utf8"))![1]);
      t.diagnostic(`monitor VmRSS peak over 1 s of logging: ${peak} kB (VmHWM ${hwm} kB)`);
      assert.ok(hwm < 2048, `monitor VmHWM ${hwm} kB`);
      process.kill(c.pid, "SIGKILL");
      await waitExitFile(c.paths.exit);
    }));
});
