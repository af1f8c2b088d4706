/**
 * The container spec never reaches a host argv: a pod's environment and command travel to the monitor and to exec
 * on a pipe (`--spec-fd`), so `ps` on the host (any user reads /proc/PID/cmdline) shows neither, and the pod's
 * explain file keeps environment names without their values. The shim's own checks of a spec fd are here too.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { needsRoot } from "../helpers/root.js";
import { containerOutput, makeRuntime, startPod, testPod, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { waitFor } from "../helpers/wait.js";
import { shim } from "../helpers/shim-harness.js";

const skip = needsRoot();

/** Every process on the host whose argv contains text: pid and its PID namespace. */
function processesMentioning(text: string): { pid: number; pidns: string; cmdline: string }[] {
  const out: { pid: number; pidns: string; cmdline: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (cmdline.includes(text)) out.push({ pid: Number(name), pidns: readlinkSync(`/proc/${name}/ns/pid`), cmdline: cmdline.replace(/\0/g, " ") });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}


describe("the container spec is not on any host argv (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  before(async () => {
    h = await makeRuntime({ name: "specfd" });
  });
  after(async () => {
    await h?.cleanup();
  });

  test("ps shows neither the environment nor the command of a container, its monitor or an exec", async () => {
    const envSecret = `envsecret${randomBytes(8).toString("hex")}`;
    const argSecret = `argsecret${randomBytes(8).toString("hex")}`;
    const execSecret = `execsecret${randomBytes(8).toString("hex")}`;
    const pod = testPod([{ command: ["sh", "-c", `echo "got $TOKEN"; sleep 60; true ${argSecret}`], env: [{ name: "TOKEN", value: envSecret }] }]);
    const [c] = await startPod(h, pod);
    await waitFor("the container's first line", async () => (await containerOutput(h, c.id)).includes("got"), 15_000, 20);
    // The spec arrived whole: the container has its environment.
    assert.equal((await containerOutput(h, c.id)).trim(), `got ${envSecret}`);
    const containerNs = readlinkSync(`/proc/${c.pid}/ns/pid`);

    const session = await h.runtime.exec(c.id, { command: ["sh", "-c", `echo "exec $TOKEN"; sleep 30; true ${execSecret}`], stdin: false, stdout: true, stderr: true, tty: false });
    let out = "";
    session.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor("the exec's first line", () => out.includes("exec"), 15_000, 20);
    assert.equal(out.trim(), `exec ${envSecret}`);

    try {
      // The environment is on no argv at all; the commands only on the container's own processes (any runtime's
      // container shows its own command line), never on the monitor's, the exec shim's or its helper's.
      assert.deepEqual(processesMentioning(envSecret), []);
      for (const secret of [argSecret, execSecret]) {
        const seen = processesMentioning(secret);
        assert.ok(seen.length > 0, `the container's own process shows ${secret}`);
        for (const p of seen) assert.equal(p.pidns, containerNs, `host process ${p.pid} shows the command: ${p.cmdline}`);
      }
      const monitor = readFileSync(`/proc/${c.monitorPid}/cmdline`, "utf8").split("\0").filter(Boolean);
      assert.deepEqual(monitor.slice(1), ["monitor", "--id", c.id, "--spec-fd", "0"]);
      const execShim = processesMentioning(`exec\0--target\0${c.pid}\0`);
      assert.equal(execShim.length, 1, "the exec shim is running");
      assert.match(execShim[0].cmdline, new RegExp(`exec --target ${c.pid} --spec-fd 4 $`));
    } finally {
      session.kill();
      await session.exit;
    }

    // What the pod's explain file keeps: the variable's name, never its value.
    const explain = readFileSync(h.layout.podExplainFile(pod.metadata.uid!), "utf8");
    assert.ok(explain.includes("TOKEN="), "the spec is recorded");
    assert.ok(!explain.includes(envSecret), "the value is not");
    await h.runtime.removeSandbox(pod.metadata.uid!);
  });

  test("the shim refuses a spec fd it cannot trust: no final NUL, a command on argv as well, a nested spec fd", async () => {
    const base = ["monitor", "--id", "x", "--spec-fd", "0"];
    const noNul = await shim(base, { input: "--rootfs\0/tmp/none\0--\0true" });
    assert.match(noNul.stdout, /^error --spec-fd: the spec must end with a NUL byte/);
    const twice = await shim([...base, "--", "true"], { input: "--rootfs\0/tmp/none\0" });
    assert.match(twice.stdout, /^error --spec-fd: the command goes in the spec, not on the command line/);
    const nested = await shim(base, { input: "--spec-fd\u00003\u0000" });
    assert.match(nested.stdout, /^error --spec-fd: the spec cannot name another --spec-fd/);
    const exec = await shim(["exec", "--target", "1", "--spec-fd", "0"], { input: "--uid\0nope\0--\0true\0" });
    assert.equal(exec.code, 125);
    assert.match(exec.stderr, /--uid: invalid id "nope"/);
  });
});
