/**
 * The node's monitor zygote (`nodelet-shim zygote`, src/runtime/shim-zygote.ts): monitors it forks run their
 * containers as exec'd ones do, the container is in its cgroups from its first instruction on v1 (handed over
 * before the intermediate runs) and on the v2 hierarchy (clone3 CLONE_INTO_CGROUP), bad requests fork nothing, and
 * the runtime falls back to exec'ing the shim while the zygote is gone and starts it again.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { parseCgroupMounts } from "../../src/sys/cgroups/detect.js";
import { HostRunner } from "../../src/sys/runner.js";
import { MonitorZygote } from "../../src/runtime/shim-zygote.js";
import { runShimReport, ShimError, type ShimReport } from "../../src/runtime/shim-client.js";
import type { ShimCommand } from "../../src/runtime/shim-argv.js";
import { monitorArgs, ownCgroupDir, parseCriLog, pidAlive, Scratch, SHIM, spawnShim, waitExitFile, waitFor } from "../helpers/shim-harness.js";
import { makeRuntime, runToExit, startPod, testPod } from "../helpers/runtime-harness.js";

const skip = needsRoot();
const unified = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8")).find((m) => m.fsType === "cgroup2");

/** A zygote in a v1 memory cgroup of the scratch (the harness kills and removes it), driven as the runtime does. */
async function withZygote(s: Scratch, fn: (z: Zygote, home: string) => Promise<void>): Promise<void> {
  const home = s.cgroup("memory");
  const z = new MonitorZygote({
    shimPath: SHIM,
    runner: new HostRunner(),
    cgroups: {
      create: async () => undefined,
      dirs: () => [home],
    },
  });
  await z.start();
  // Through a Runner, as the runtime does: one without a spawner, so a monitor not forked would be exec'd by Node.
  const runner = new HostRunner();
  runner.useForkServer(z);
  try {
    assert.ok(z.available, "the zygote said it is ready");
    s.track(z.pid!);
    await fn({ startMonitor: (cmd) => runShimReport(runner, cmd), get pid() { return z.pid; } }, home);
  } finally {
    await z.stop();
  }
}

interface Zygote {
  startMonitor(cmd: ShimCommand): Promise<ShimReport>;
  readonly pid: number | undefined;
}

/** monitorArgs as the daemon sends them: identification on argv, the rest as the spec. */
function command(args: string[]) {
  const [mode, , id, ...spec] = args;
  assert.equal(mode, "monitor");
  return { argv: [SHIM, "monitor", "--id", id, "--spec-fd", "0"], spec };
}

/** The line of /proc/PID/cgroup text for a v1 controller, or the v2 one (""), as its path. */
function cgroupOf(text: string, controller: string): string | undefined {
  for (const line of text.split("\n")) {
    const [, controllers, path] = line.split(":");
    if (controllers !== undefined && (controller === "" ? controllers === "" : controllers.split(",").includes(controller))) return path;
  }
  return undefined;
}

describe("monitor zygote", { skip }, () => {
  test("a forked monitor runs its container as an exec'd one: exit code, log, exit file; it lives in the zygote's cgroup", () =>
    Scratch.with((s) =>
      withZygote(s, async (z, home) => {
        const r = await z.startMonitor(command(monitorArgs(s, { cmd: ["sh", "-c", "echo out; echo err >&2; sleep 0.2; exit 3"] })));
        const [monitorPid, pid] = r.numbers;
        s.track(monitorPid, pid);
        assert.ok(r.marks.has("zygote") && r.marks.has("monitor") && r.marks.has("running"), "the start's marks come back, the zygote's fork first");
        assert.ok(r.marks.get("zygote")! <= r.marks.get("monitor")!);
        assert.match(readFileSync(`/proc/${monitorPid}/cmdline`, "utf8").replace(/\0+/g, " ").trim(), / monitor --id c --spec-fd 0$/, "ps shows what it would for an exec'd monitor");
        assert.equal(cgroupOf(readFileSync(`/proc/${monitorPid}/cgroup`, "utf8"), "memory"), cgroupOf(readFileSync(`/proc/${z.pid}/cgroup`, "utf8"), "memory"));
        assert.ok(readFileSync(join(home, "cgroup.procs"), "utf8").split("\n").includes(String(monitorPid)));
        const exit = await waitExitFile(s.path("c", "exit.json"));
        assert.equal(exit.exitCode, 3);
        assert.equal(exit.reason, "Error");
        const lines = parseCriLog(readFileSync(s.path("c", "logs", "0.log"), "utf8"));
        assert.deepEqual(lines.map((l) => [l.stream, l.content]).sort(), [["stderr", "err"], ["stdout", "out"]]);
        await waitFor("the monitor to exit", () => !pidAlive(monitorPid));
      })));

  test("a start error is the exec'd monitor's: the message and a StartError exit file", () =>
    Scratch.with((s) =>
      withZygote(s, async (z) => {
        await assert.rejects(z.startMonitor(command(monitorArgs(s, { cmd: ["no-such-command"] }))), (err: Error) => {
          assert.ok(err instanceof ShimError);
          assert.match(err.message, /exec: "no-such-command": executable file not found in \$PATH/);
          return true;
        });
        const exit = await waitExitFile(s.path("c", "exit.json"));
        assert.equal(exit.reason, "StartError");
        assert.equal(exit.exitCode, 128);
      })));

  test("cgroup v1: the container's first process reads its own cgroups in /proc/self/cgroup", () =>
    Scratch.with((s) =>
      withZygote(s, async (z) => {
        const memory = s.cgroup("memory");
        const pids = s.cgroup("pids");
        const args = monitorArgs(s, { cmd: ["cat", "/proc/self/cgroup"], flags: ["--cgroup", memory, "--cgroup", pids] });
        const r = await z.startMonitor(command(args));
        s.track(...r.numbers);
        assert.equal((await waitExitFile(s.path("c", "exit.json"))).exitCode, 0);
        const seen = parseCriLog(readFileSync(s.path("c", "logs", "0.log"), "utf8")).map((l) => l.content).join("\n");
        const own = (c: string) => ownCgroupDir(c).slice(`/sys/fs/cgroup/${c}`.length).replace(/\/$/, "");
        assert.equal(cgroupOf(seen, "memory"), `${own("memory")}/${memory.split("/").pop()}`);
        assert.equal(cgroupOf(seen, "pids"), `${own("pids")}/${pids.split("/").pop()}`);
      })));

  test("cgroup v2: clone3 puts the container's first process in the cgroup it reads in /proc/self/cgroup", { skip: !unified && "no cgroup2 hierarchy is mounted" }, () =>
    Scratch.with((s) =>
      withZygote(s, async (z) => {
        const own = cgroupOf(readFileSync("/proc/self/cgroup", "utf8"), "") ?? "/";
        const rel = join(own, `shimtest-zygote-${process.pid}`);
        const dir = join(unified!.mountPoint, rel);
        mkdirSync(dir);
        try {
          const r = await z.startMonitor(command(monitorArgs(s, { cmd: ["cat", "/proc/self/cgroup"], flags: ["--cgroup", dir] })));
          s.track(...r.numbers);
          assert.equal((await waitExitFile(s.path("c", "exit.json"))).exitCode, 0);
          const seen = parseCriLog(readFileSync(s.path("c", "logs", "0.log"), "utf8")).map((l) => l.content).join("\n");
          assert.equal(cgroupOf(seen, ""), rel);
          await waitFor("the monitor to exit", () => !pidAlive(r.numbers[0]));
        } finally {
          await waitFor("the v2 cgroup to empty", () => readFileSync(join(dir, "cgroup.procs"), "utf8").trim() === "");
          rmdirSync(dir);
        }
      })));

  test("bad requests fork nothing; a frame out of bounds ends the zygote", () =>
    Scratch.with(async (s) => {
      const child = spawnShim(["zygote"]);
      s.track(child.pid!);
      let out = Buffer.alloc(0);
      child.stdout!.on("data", (d: Buffer) => (out = Buffer.concat([out, d])));
      const frames = () => {
        const got: [number, string][] = [];
        for (let b = out; b.length >= 4 && b.length >= 4 + b.readUInt32LE(0); b = b.subarray(4 + b.readUInt32LE(0))) {
          got.push([b.readUInt32LE(4), b.subarray(8, 4 + b.readUInt32LE(0)).toString()]);
        }
        return got;
      };
      const frame = (tag: number, id: string, spec: Buffer) => {
        const idb = Buffer.from(id);
        const f = Buffer.alloc(16 + idb.length + spec.length);
        f.writeUInt32LE(12 + idb.length + spec.length, 0);
        f.writeUInt32LE(tag, 4);
        f.writeUInt32LE(idb.length, 8);
        idb.copy(f, 12);
        f.writeUInt32LE(spec.length, 12 + idb.length);
        spec.copy(f, 16 + idb.length);
        return f;
      };
      await waitFor("ready", () => frames().length === 1);
      assert.deepEqual(frames()[0], [0, "ready"]);
      child.stdin!.write(frame(1, "../etc", Buffer.from("--rootfs\0/x\0--\0true\0")));
      child.stdin!.write(frame(2, "c", Buffer.from("--rootfs\0/x\0--\0true")));
      child.stdin!.write(frame(3, "c", Buffer.alloc(0)));
      const lying = frame(4, "c", Buffer.from("x\0"));
      lying.writeUInt32LE(1 << 30, 12 + 1);
      child.stdin!.write(lying);
      await waitFor("four answers", () => frames().length === 5);
      const answers = frames().slice(1);
      assert.match(answers[0][1], /^error zygote: bad request: the container id/);
      for (const a of answers.slice(1)) assert.match(a[1], /^error zygote: bad request: the spec/);
      assert.equal(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim(), "", "nothing was forked");
      const gone = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const huge = Buffer.alloc(8);
      huge.writeUInt32LE(0xfffffff0, 0);
      child.stdin!.write(huge);
      assert.equal(await gone, 2);
    }));
});

describe("runtime with the monitor zygote", { skip }, () => {
  test("while its zygote is gone the runtime exec's the monitor, and the container runs as usual", async () => {
    // No restart within the test: the start below must find the zygote gone.
    const h = await makeRuntime({ name: "zygote", zygote: { restartDelayMs: 600_000 } });
    try {
      const first = h.runtime.monitorZygotePid();
      assert.ok(first, "the runtime started its zygote");
      const memoryOf = (pid: number) => cgroupOf(readFileSync(`/proc/${pid}/cgroup`, "utf8"), "memory") ?? "";
      const zygoteCgroup = memoryOf(first);
      assert.match(zygoteCgroup, /\/monitors$/, "the zygote is in its own cgroup under the node's parent");
      const monitorIn = async () => {
        const pod = testPod([{ command: ["sleep", "30"] }]);
        const [c] = await startPod(h, pod);
        try {
          return memoryOf(c.monitorPid!);
        } finally {
          await h.runtime.removeSandbox(pod.metadata.uid!);
        }
      };
      assert.equal(await monitorIn(), zygoteCgroup, "forked by the zygote");
      process.kill(first, "SIGKILL");
      await waitFor("the runtime to see its zygote gone", () => h.runtime.monitorZygotePid() === undefined);
      assert.equal(await monitorIn(), memoryOf(process.pid), "exec'd through the spawner: in the test's own cgroup");
      const { record, out } = await runToExit(h, testPod([{ command: ["sh", "-c", "echo hi; exit 4"] }]));
      assert.equal(record.exitCode, 4);
      assert.equal(out, "hi\n");
    } finally {
      await h.cleanup();
    }
  });

  test("a zygote that died is started again and forks the next monitors", () =>
    Scratch.with((s) =>
      withZygote(s, async (z) => {
        const first = z.pid!;
        process.kill(first, "SIGKILL");
        await waitFor("a new zygote", () => z.pid !== undefined && z.pid !== first);
        s.track(z.pid!);
        const r = await z.startMonitor(command(monitorArgs(s, { cmd: ["true"] })));
        s.track(...r.numbers);
        assert.equal((await waitExitFile(s.path("c", "exit.json"))).exitCode, 0);
      })));
});
