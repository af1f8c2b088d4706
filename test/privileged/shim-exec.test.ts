/**
 * nodelet-shim exec: commands inside a running container — its namespaces and root, exit codes, a tty, and
 * killing the whole process tree on timeout or signal without leaving a zombie or a stray process behind.
 */
import assert from "node:assert/strict";
import { chmodSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { processesInPidNamespace } from "../helpers/procs.js";
import {
  capMask, DEFAULT_CAPS, execIn, podNamespaces, Scratch, spawnShim, startContainer, startSandbox,
  stopSandbox, waitExitFile, waitFor, type Started,
} from "../helpers/shim-harness.js";

const skip = needsRoot();

/** A pod with one long-running container (`sleep 1000`, PID 1 of its namespace). */
async function withPod(fn: (s: Scratch, c: Started, pause: number) => Promise<void>): Promise<void> {
  await Scratch.with(async (s) => {
    const pause = await startSandbox(s, ["--hostname", "exec-pod"]);
    writeFileSync(join(s.image(), "not-executable"), "#!/bin/sh\necho hi\n");
    chmodSync(join(s.image(), "not-executable"), 0o644);
    const c = await startContainer(s, { cmd: ["sleep", "1000"], flags: podNamespaces(pause) });
    try {
      await fn(s, c, pause);
    } finally {
      process.kill(c.pid, "SIGKILL");
      await waitExitFile(c.paths.exit);
      await stopSandbox(pause);
    }
  });
}

/** Every process in the container's PID namespace, seen from the host: [host pid, state, comm]. */
function containerProcesses(c: Started): [number, string, string][] {
  return processesInPidNamespace(readlinkSync(`/proc/${c.pid}/ns/pid`)).map((p) => [p.pid, p.state, p.comm]);
}

describe("shim exec", { skip }, () => {
  test("runs in the container's namespaces and root", () =>
    withPod(async (_s, c, pause) => {
      const r = await execIn(c.pid, ["sh", "-c", "hostname; cat /marker; pwd; cat /proc/1/cmdline | tr '\\0' ' '; echo; readlink /proc/self/ns/net; ps -o pid,comm; true"]);
      assert.equal(r.code, 0, r.stderr);
      const [hostname, marker, cwd, init, net, , ...ps] = r.stdout.trim().split("\n");
      assert.equal(hostname, "exec-pod");
      assert.equal(marker, "from-the-image");
      assert.equal(cwd, "/");
      assert.equal(init, "sleep 1000 ");
      assert.equal(net, readlinkSync(`/proc/${pause}/ns/net`));
      assert.deepEqual(ps.map((l) => l.trim().split(/\s+/)[1]), ["sleep", "nodelet-exec", "sh", "ps"]);
      assert.equal(ps[0].trim().split(/\s+/)[0], "1");
    }));

  test("exit codes: 0, 3, 127 not found, 126 not executable", () =>
    withPod(async (_s, c) => {
      assert.equal((await execIn(c.pid, ["true"])).code, 0);
      assert.equal((await execIn(c.pid, ["sh", "-c", "exit 3"])).code, 3);
      const missing = await execIn(c.pid, ["foo"]);
      assert.deepEqual([missing.code, missing.stderr], [127, 'nodelet-shim exec: exec: "foo": executable file not found in $PATH\n']);
      const noexec = await execIn(c.pid, ["/not-executable"]);
      assert.deepEqual([noexec.code, noexec.stderr], [126, 'nodelet-shim exec: exec: "/not-executable": permission denied\n']);
      const killed = await execIn(c.pid, ["sh", "-c", "kill -9 $$"]);
      assert.equal(killed.code, 137);
    }));

  test("stdin, stdout and stderr are the shim's own", () =>
    withPod(async (_s, c) => {
      const r = await execIn(c.pid, ["sh", "-c", "cat; echo to-stderr >&2"], [], { input: "from stdin\n" });
      assert.deepEqual([r.stdout, r.stderr], ["from stdin\n", "to-stderr\n"]);
    }));

  test("identity, capabilities and no_new_privs apply as in monitor", () =>
    withPod(async (_s, c) => {
      const flags = [...DEFAULT_CAPS.flatMap((cap) => ["--cap", cap]), "--no-new-privs"];
      const root = await execIn(c.pid, ["grep", "-E", "^(CapBnd|CapEff|NoNewPrivs)", "/proc/self/status"], flags);
      assert.match(root.stdout, new RegExp(`CapEff:\\s+${capMask(DEFAULT_CAPS)}\n`));
      assert.match(root.stdout, new RegExp(`CapBnd:\\s+${capMask(DEFAULT_CAPS)}\n`));
      assert.match(root.stdout, /NoNewPrivs:\s+1/);
      const nobody = await execIn(c.pid, ["id", "-u"], ["--uid", "65534", "--gid", "65534"]);
      assert.equal(nobody.stdout, "65534\n");
      const cwd = await execIn(c.pid, ["pwd"], ["--cwd", "/tmp/made"]);
      assert.equal(cwd.stdout, "/tmp/made\n");
    }));

  test("--cgroup puts the command in the container's cgroup", () =>
    withPod(async (s, c) => {
      const cg = s.cgroup("memory");
      const r = await execIn(c.pid, ["cat", "/proc/self/cgroup"], ["--cgroup", cg]);
      assert.match(r.stdout, new RegExp(`:memory:${cg.replace(/^\/sys\/fs\/cgroup\/memory/, "")}\n`));
    }));

  test("--tty: a pty from the container's devpts is the controlling terminal; fd 3 sets the window size", () =>
    withPod(async (_s, c) => {
      const child = spawnShim(["exec", "--target", String(c.pid), "--env", "PATH=/bin", "--tty", "--", "sh", "-c", "tty; sleep 0.3; stty size"],
        { stdio: ["pipe", "pipe", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      (child.stdio[3] as NodeJS.WritableStream).write("100 40\n");
      const code = await new Promise<number | null>((done) => child.on("close", done));
      assert.equal(code, 0, out);
      assert.match(out, /^\/dev\/pts\/\d+\r\n40 100\r\n$/);
    }));

  test("--tty relays stdin to the terminal", () =>
    withPod(async (_s, c) => {
      const r = await execIn(c.pid, ["sh", "-c", "read x; echo got:$x"], ["--tty"], { input: "hello\n" });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /got:hello\r\n$/);
    }));

  test("--timeout kills the whole tree and leaves no zombie or stray process in the container", () =>
    withPod(async (_s, c) => {
      const t0 = Date.now();
      const r = await execIn(c.pid, ["sh", "-c", "sleep 100 & sleep 100"], ["--timeout", "1"]);
      assert.equal(r.code, 137);
      assert.match(r.stderr, /timed out after 1s/);
      // Far below the tree's 100 s, with room for a loaded machine: the timeout ended it, nothing else did.
      assert.ok(Date.now() - t0 < 30_000, `returned after ${Date.now() - t0} ms`);
      assert.deepEqual(containerProcesses(c).map(([, state, comm]) => [state, comm]), [["S", "sleep"]], "only the container's init is left");
    }));

  test("SIGTERM to the shim kills the tree (exit 137), and so does the shim dying", () =>
    withPod(async (_s, c) => {
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        const child = spawnShim(["exec", "--target", String(c.pid), "--env", "PATH=/bin", "--", "sh", "-c", "sleep 100 & sleep 100 & wait"]);
        await waitFor("the sleeps", () => containerProcesses(c).filter(([, , comm]) => comm === "sleep").length === 3);
        child.kill(signal);
        const code = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
        if (signal === "SIGTERM") assert.equal(code, 137);
        await waitFor("the tree to be gone", () => containerProcesses(c).length === 1, 3000);
      }
    }));

  test("a normal exit leaves what the command started in the background running", () =>
    withPod(async (_s, c) => {
      const r = await execIn(c.pid, ["sh", "-c", "sleep 100 >/dev/null 2>&1 &"]);
      assert.equal(r.code, 0);
      const settled = () => containerProcesses(c).map(([, state, comm]) => `${state} ${comm}`).sort().join(",");
      await waitFor("the helper to go and the background sleep to run", () => settled() === "S sleep,S sleep", 3000)
        .catch(() => assert.fail(`container processes: ${settled()}`));
    }));

  test("a setup failure of the command (a cwd that cannot be made) is 125 with the reason", () =>
    withPod(async (_s, c) => {
      const r = await execIn(c.pid, ["true"], ["--cwd", "/proc/sys/nope"]);
      assert.equal(r.code, 125);
      assert.equal(r.stderr, "nodelet-shim exec: create working directory /proc/sys/nope: mkdir /proc/sys/nope: No such file or directory\n");
    }));

  test("a missing target is the shim's own failure: 125", async () => {
    const r = await execIn(999_999_999, ["true"]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^nodelet-shim exec: open process 999999999: No such process\n$/);
  });
});
