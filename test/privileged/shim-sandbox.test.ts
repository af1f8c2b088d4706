/**
 * nodelet-shim sandbox: the pod's pause process — detached, in fresh UTS/IPC/net namespaces with lo up, the
 * requested hostname, and with --share-pid PID 1 of the pod, reaping the pod's orphans.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { needsRoot } from "../helpers/root.js";
import { childrenOf } from "../helpers/procs.js";
import {
  execIn, pidAlive, podNamespaces, Scratch, shim, startContainer, startSandbox, stopSandbox, waitExitFile, waitFor,
} from "../helpers/shim-harness.js";

const skip = needsRoot();

function status(pid: number, field: string): string {
  return new RegExp(`^${field}:\\s+(.*)$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "";
}

const ns = (pid: number | "self", type: string) => readlinkSync(`/proc/${pid}/ns/${type}`);


describe("shim sandbox", { skip }, () => {
  test("prints ok <pid>, exits at once, and leaves a detached nodelet-pause in new namespaces", () =>
    Scratch.with(async (s) => {
      const t0 = performance.now();
      const pause = await startSandbox(s, ["--hostname", "pod-a"]);
      assert.ok(performance.now() - t0 < 1000);
      assert.equal(readFileSync(`/proc/${pause}/comm`, "utf8"), "nodelet-pause\n");
      assert.notEqual(Number(status(pause, "PPid")), process.pid, "not a child of the daemon");
      assert.notEqual(status(pause, "NSsid"), status(process.pid, "NSsid"), "not in the daemon's session");
      assert.equal(readlinkSync(`/proc/${pause}/cwd`), "/");
      for (const fd of [0, 1, 2]) assert.equal(readlinkSync(`/proc/${pause}/fd/${fd}`), "/dev/null");
      assert.deepEqual(readdirSync(`/proc/${pause}/fd`).sort(), ["0", "1", "2"], "no other fd kept");
      for (const type of ["uts", "ipc", "net"]) assert.notEqual(ns(pause, type), ns("self", type), `new ${type} namespace`);
      for (const type of ["pid", "mnt"]) assert.equal(ns(pause, type), ns("self", type), `host ${type} namespace`);
      const hostname = await execIn(pause, ["/bin/busybox", "hostname"]);
      assert.equal(hostname.stdout, "pod-a\n");
      const lo = await execIn(pause, ["/bin/busybox", "ip", "link", "show", "lo"]);
      assert.match(lo.stdout, /<LOOPBACK,UP,LOWER_UP>/);
      await stopSandbox(pause);
    }));

  test("--share-pid: a SIGTERM sent the moment \"ok\" is read still stops pause (no handler race)", () =>
    Scratch.with(async (s) => {
      for (let i = 0; i < 20; i++) {
        const pause = await startSandbox(s, ["--share-pid"]);
        process.kill(pause, "SIGTERM");
        await waitFor(`pause ${pause} to exit`, () => !pidAlive(pause), 2000);
      }
    }));

  test("exits on SIGINT as on SIGTERM", () =>
    Scratch.with(async (s) => {
      const pause = await startSandbox(s);
      process.kill(pause, "SIGINT");
      await waitFor("pause to exit", () => !pidAlive(pause), 5000);
    }));

  test("--host-network and --host-ipc keep the host's namespaces", () =>
    Scratch.with(async (s) => {
      const pause = await startSandbox(s, ["--host-network", "--host-ipc"]);
      assert.equal(ns(pause, "net"), ns("self", "net"));
      assert.equal(ns(pause, "ipc"), ns("self", "ipc"));
      assert.notEqual(ns(pause, "uts"), ns("self", "uts"));
      await stopSandbox(pause);
    }));

  test("--share-pid: pause is PID 1 of the pod and reaps orphaned zombies", () =>
    Scratch.with(async (s) => {
      const pause = await startSandbox(s, ["--share-pid"]);
      assert.match(status(pause, "NSpid"), /^\d+\s+1$/, "PID 1 in its namespace");
      const c = await startContainer(s, {
        cmd: ["sh", "-c", "ps -o pid,comm; (sleep 0.3 &); exec sleep 100"],
        flags: podNamespaces(pause, ["net", "uts", "ipc", "pid"]),
      });
      // The subshell exits at once: its sleep is orphaned and, being in the pod's PID namespace, goes to pause.
      await waitFor("the orphan to reach pause", () => childrenOf(pause).some((p) => p.comm === "sleep"), 2000);
      await sleep(600);
      assert.deepEqual(childrenOf(pause).filter((p) => p.state === "Z"), [], "no zombie under pause");
      assert.deepEqual(childrenOf(pause), [], "the orphan was reaped");
      const ps = readFileSync(c.paths.log, "utf8");
      assert.match(ps, / stdout F\s+1 nodelet-pause\n/, "containers see pause as PID 1");
      process.kill(c.pid, "SIGKILL");
      await waitExitFile(c.paths.exit);
      await stopSandbox(pause);
    }));

  test("stopping a --share-pid sandbox ends every process of the pod", () =>
    Scratch.with(async (s) => {
      const pause = await startSandbox(s, ["--share-pid"]);
      const c = await startContainer(s, { cmd: ["sleep", "100"], flags: podNamespaces(pause, ["pid"]) });
      await stopSandbox(pause);
      const exit = await waitExitFile(c.paths.exit);
      assert.equal(exit.signal, 9, "the kernel SIGKILLs a PID namespace whose init exits");
    }));

  test("a bad flag is an error line and exit status 1", async () => {
    const r = await shim(["sandbox", "--bogus"]);
    assert.deepEqual([r.code, r.stdout], [1, 'error unknown flag "--bogus"\n']);
  });
});
