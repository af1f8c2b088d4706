/**
 * nodelet-shim pidwatch and its client, on the test's own processes (pidfds need no privilege for them): a monitor
 * that dies first has its container killed ("killed"); one that dies after it reports "gone"; a pid whose start time
 * does not match is never trusted; a forgotten watch says nothing; a helper that dies is restarted with its watches.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { findShim } from "../../../src/sys/shim-path.js";
import { PidWatch, type MonitorExit } from "../../../src/sys/pid-watch.js";
import { isSameProcess, processStartTime } from "../../../src/sys/proc.js";
import { HostRunner } from "../../../src/sys/runner.js";

const SHIM = findShim();

function sleeper(): ChildProcess {
  return spawn("sleep", ["60"], { stdio: "ignore" });
}
const ref = (c: ChildProcess) => ({ pid: c.pid!, startTime: processStartTime(c.pid!) });
const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once("exit", r)));

function harness() {
  const seen: { id: string; how: MonitorExit; at: number; ended: number }[] = [];
  const waiters: (() => void)[] = [];
  const w = new PidWatch(SHIM, new HostRunner(), (id, how, ended) => {
    seen.push({ id, how, at: Date.now(), ended });
    for (const f of waiters.splice(0)) f();
  });
  const next = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (seen.length < n) {
      assert.ok(Date.now() < deadline, `${n} reports expected, got ${JSON.stringify(seen)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return seen;
  };
  return { w, seen, next };
}

describe("pidwatch", () => {
  test("a monitor killed first: its container is killed through its pidfd and reported at once", async () => {
    const { w, next } = harness();
    w.start();
    const monitor = sleeper();
    const container = sleeper();
    w.watch("c1", ref(monitor), ref(container));
    await new Promise((r) => setTimeout(r, 100));
    const killedAt = Date.now();
    monitor.kill("SIGKILL");
    const [r] = await next(1);
    assert.deepEqual([r.id, r.how], ["c1", "killed"]);
    assert.ok(r.at - killedAt < 1000, `reported in ${r.at - killedAt} ms`);
    // The helper's own time of the container's end, which the daemon records as its finishedAt.
    assert.ok(r.ended >= killedAt - 1 && r.ended <= r.at + 1, `ended at ${r.ended}, killed at ${killedAt}, reported at ${r.at}`);
    await exited(container);
    assert.equal(container.signalCode, "SIGKILL");
    w.stop();
  });

  test("a monitor that ends after its container: gone; a forgotten watch: nothing", async () => {
    const { w, seen, next } = harness();
    w.start();
    const [m1, c1, m2, c2] = [sleeper(), sleeper(), sleeper(), sleeper()];
    w.watch("normal", ref(m1), ref(c1));
    w.watch("forgotten", ref(m2), ref(c2));
    w.forget("forgotten");
    c1.kill("SIGTERM");
    await exited(c1);
    m1.kill("SIGTERM");
    m2.kill("SIGTERM");
    await next(1);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seen.map((s) => [s.id, s.how]), [["normal", "gone"]]);
    assert.equal(isSameProcess(c2.pid!), true, "a forgotten container is left alone");
    c2.kill("SIGKILL");
    w.stop();
  });

  test("a helper that dies is started again and watches what it watched", async () => {
    const { w, next } = harness();
    w.start();
    const [monitor, container] = [sleeper(), sleeper()];
    w.watch("kept", ref(monitor), ref(container));
    const first = w.helperPid!;
    process.kill(first, "SIGKILL");
    const deadline = Date.now() + 5000;
    while (!w.helperPid || w.helperPid === first) {
      assert.ok(Date.now() < deadline, "restarted");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100));
    monitor.kill("SIGKILL");
    const [r] = await next(1);
    assert.deepEqual([r.id, r.how], ["kept", "killed"]);
    w.stop();
  });

  test("a recorded start time that does not match: the pid is not trusted (reported gone, nothing signalled)", async () => {
    const { w, next } = harness();
    w.start();
    const other = sleeper();
    const wrong = { pid: other.pid!, startTime: (processStartTime(other.pid!) ?? 0) + 1 };
    w.watch("stale", wrong, wrong);
    const [r] = await next(1);
    assert.deepEqual([r.id, r.how], ["stale", "gone"]);
    assert.equal(isSameProcess(other.pid!), true, "a process that only reuses the pid is never killed");
    other.kill("SIGKILL");
    w.stop();
  });
});
