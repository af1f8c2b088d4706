/**
 * nodelet-shim monitor: the exit file (codes, signals, start errors, OOM), and the monitor's own life — detached
 * from the daemon, small, forwarding signals, reaping everything.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { childrenOf } from "../helpers/procs.js";
import {
  monitorArgs, pidAlive, runContainer, Scratch, shim, SHIM, startContainer, waitExitFile, waitFor,
} from "../helpers/shim-harness.js";

const skip = needsRoot();
const RFC3339NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

function procStatus(pid: number, field: string): string | undefined {
  return new RegExp(`^${field}:\\s+(.*)$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
}


describe("shim monitor: exit file", { skip }, () => {
  test("exit 0 → Completed, with times and pid", () =>
    Scratch.with(async (s) => {
      const r = await runContainer(s, { cmd: ["true"] });
      assert.equal(r.exit.exitCode, 0);
      assert.equal(r.exit.signal, 0);
      assert.equal(r.exit.oomKilled, false);
      assert.equal(r.exit.reason, "Completed");
      assert.equal(r.exit.pid, r.pid);
      assert.match(r.exit.startedAt, RFC3339NANO);
      assert.match(r.exit.finishedAt, RFC3339NANO);
      assert.ok(r.exit.finishedAt >= r.exit.startedAt);
      assert.equal(existsSync(`${r.paths.exit}.tmp`), false, "written through a temp file and renamed");
    }));

  test("exit 3 → Error with exitCode 3", () =>
    Scratch.with(async (s) => {
      const r = await runContainer(s, { cmd: ["sh", "-c", "exit 3"] });
      assert.deepEqual([r.exit.exitCode, r.exit.signal, r.exit.reason], [3, 0, "Error"]);
    }));

  test("killed with SIGKILL → 137, signal 9", () =>
    Scratch.with(async (s) => {
      const c = await startContainer(s, { cmd: ["sleep", "100"] });
      process.kill(c.pid, "SIGKILL");
      const exit = await waitExitFile(c.paths.exit);
      assert.deepEqual([exit.exitCode, exit.signal, exit.reason, exit.oomKilled], [137, 9, "Error", false]);
    }));

  test("command not found → error line, StartError 128 in the exit file, nothing left running", () =>
    Scratch.with(async (s) => {
      const r = await shim(monitorArgs(s, { cmd: ["no-such-command", "x"] }));
      assert.equal(r.stdout, 'error exec: "no-such-command": executable file not found in $PATH\n');
      assert.equal(r.code, 1);
      const exit = await waitExitFile(s.path("c", "exit.json"));
      assert.deepEqual([exit.exitCode, exit.reason, exit.oomKilled], [128, "StartError", false]);
      assert.equal(exit.message, 'exec: "no-such-command": executable file not found in $PATH');
      assert.ok(exit.pid > 0);
      await waitFor("the failed container init to be gone", () => !pidAlive(exit.pid));
    }));

  test("a setup failure (bad bind source) is a StartError naming the mount", () =>
    Scratch.with(async (s) => {
      const r = await shim(monitorArgs(s, { cmd: ["true"], flags: ["--bind", s.path("missing"), "/data", "rw"] }));
      assert.equal(r.stdout, `error mount /data: open ${s.path("missing")}: No such file or directory\n`);
      assert.equal((await waitExitFile(s.path("c", "exit.json"))).reason, "StartError");
    }));

  test("an unknown bind option is a StartError naming the mount", () =>
    Scratch.with(async (s) => {
      const r = await shim(monitorArgs(s, { cmd: ["true"], flags: ["--bind", s.image(), "/data", "ro,bogus"] }));
      assert.equal(r.stdout, 'error mount /data: unknown bind option "bogus"\n');
    }));

  test("a layer path with a comma is refused (it would inject overlay options)", () =>
    Scratch.with(async (s) => {
      const args = monitorArgs(s, { cmd: ["true"] });
      args[args.indexOf("--upper") + 1] = s.path("up,upperdir=", "x");
      const r = await shim(args);
      assert.match(r.stdout, /^error mount overlay: --upper .* contains a comma\n$/);
    }));

  test("OOM: 32M memory cgroup, 100 MB allocation → 137, oomKilled, OOMKilled", () =>
    Scratch.with(async (s) => {
      const cg = s.cgroup("memory", { "memory.limit_in_bytes": String(32 * 1024 * 1024) });
      const r = await runContainer(s, {
        cmd: ["dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"],
        flags: ["--cgroup", cg, "--oom-file", `${cg}/memory.oom_control`],
      });
      assert.deepEqual([r.exit.exitCode, r.exit.signal, r.exit.oomKilled, r.exit.reason], [137, 9, true, "OOMKilled"]);
    }));

  test("the container is in --cgroup from its first instruction (so are its children)", () =>
    Scratch.with(async (s) => {
      const mem = s.cgroup("memory"), pids = s.cgroup("pids", { "pids.max": "20" });
      const r = await runContainer(s, { cmd: ["sh", "-c", "cat /proc/self/cgroup; true"], flags: ["--cgroup", mem, "--cgroup", pids] });
      const rel = (dir: string) => dir.replace(/^\/sys\/fs\/cgroup\/[^/]+/, "");
      assert.match(r.stdout, new RegExp(`:memory:${rel(mem)}\n`));
      assert.match(r.stdout, new RegExp(`:pids:${rel(pids)}\n`));
    }));
});

describe("shim monitor: the monitor process", { skip }, () => {
  test("survives the daemon being SIGKILLed and still writes the exit file", () =>
    Scratch.with(async (s) => {
      // A stand-in daemon: spawns the shim, relays its line, then idles until killed.
      const daemon = spawn(process.execPath, [
        "-e",
        "const c = require('child_process').spawn(process.argv[1], process.argv.slice(2), { stdio: ['ignore', 'inherit', 'inherit'] }); c.on('exit', () => {}); setInterval(() => {}, 1000);",
        SHIM, ...monitorArgs(s, { cmd: ["sleep", "100"] }),
      ], { stdio: ["ignore", "pipe", "inherit"] });
      s.track(daemon.pid!);
      let line = "";
      daemon.stdout.on("data", (d: Buffer) => (line += d.toString()));
      await waitFor("the ok line", () => line.includes("\n"));
      const [, monitorPid, pid] = /^ok (\d+) (\d+)(?: [a-z-]+=\d+)*\n/.exec(line)!.map(Number) as [number, number, number];
      s.track(monitorPid, pid);
      assert.equal(procStatus(monitorPid, "NSsid"), String(monitorPid), "the monitor leads its own session");
      daemon.kill("SIGKILL");
      await waitFor("the daemon to die", () => !pidAlive(daemon.pid!));
      await sleep(100);
      assert.ok(pidAlive(monitorPid), "the monitor outlives the daemon");
      assert.ok(pidAlive(pid), "so does the container");
      process.kill(pid, "SIGKILL");
      const exit = await waitExitFile(s.path("c", "exit.json"));
      assert.equal(exit.exitCode, 137);
    }));

  test("stays under 2 MB RSS, named nodelet-monitor, with stdio on /dev/null", () =>
    Scratch.with(async (s) => {
      const c = await startContainer(s, { cmd: ["sh", "-c", "while :; do echo tick; sleep 0.01; done"] });
      await sleep(300);  // some log traffic first
      const rss = Number(procStatus(c.monitorPid, "VmRSS")!.replace(/ kB$/, ""));
      assert.ok(rss < 2048, `monitor VmRSS ${rss} kB`);
      assert.equal(readFileSync(`/proc/${c.monitorPid}/comm`, "utf8").trim(), "nodelet-monitor");
      for (const fd of [0, 1, 2]) assert.equal(readlinkSync(`/proc/${c.monitorPid}/fd/${fd}`), "/dev/null");
      assert.equal(procStatus(c.monitorPid, "NSpid"), String(c.monitorPid), "the monitor stays in the host PID namespace");
      assert.equal(readlinkSync(`/proc/${c.monitorPid}/ns/mnt`), readlinkSync("/proc/self/ns/mnt"));
      process.kill(c.pid, "SIGKILL");
      await waitExitFile(c.paths.exit);
    }));

  test("forwards SIGTERM to the container", () =>
    Scratch.with(async (s) => {
      const c = await startContainer(s, { cmd: ["sh", "-c", "trap 'echo got TERM; exit 7' TERM; while :; do sleep 0.05; done"] });
      await sleep(100);
      process.kill(c.monitorPid, "SIGTERM");
      const exit = await waitExitFile(c.paths.exit);
      assert.equal(exit.exitCode, 7);
      assert.match(readFileSync(c.paths.log, "utf8"), / stdout F got TERM\n/);
    }));

  test("reaps the intermediate process: its only child is the container init, never a zombie", () =>
    Scratch.with(async (s) => {
      const c = await startContainer(s, { cmd: ["sh", "-c", "(sleep 0.1 &) ; sleep 0.5; true"] });
      await sleep(250);
      const children = childrenOf(c.monitorPid).map((p) => [p.pid, p.state]);
      assert.deepEqual(children, [[c.pid, "S"]]);
      const exit = await waitExitFile(c.paths.exit);
      assert.equal(exit.exitCode, 0);
      await waitFor("the monitor to exit", () => !pidAlive(c.monitorPid));
    }));
});
