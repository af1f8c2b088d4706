/**
 * A real `nodelet daemon` in a child process with its own state dir, socket and cgroup parent, driven through the
 * real CLI — for end-to-end tests. stop() removes everything it made (and the leak check proves it).
 */
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFile, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Event, Pod } from "../../src/api/types.js";
import type { ContainerRecord } from "../../src/runtime/pod-runtime.js";
import { ApiClient } from "../../src/client/index.js";
import { answers } from "../../src/apiserver/listen.js";
import { freeOctets } from "./subnets.js";
import { waitFor } from "./wait.js";
export { eventually } from "./wait.js";
import { readProcStat } from "../../src/sys/proc.js";
import { parseCgroupMounts } from "../../src/sys/cgroups/detect.js";
export { answers };

export const NODELET = fileURLToPath(new URL("../../src/cmd/nodelet.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let counter = 0;

const START_TIMEOUT_MS = 120_000;

export interface SuiteDaemonOptions {
  /** The daemon's root on a tmpfs of this size ("64m") of its own, for tests that fill its disk; unmounted after. */
  tmpfs?: string;
  /** Runs before the start: write files into d.root, add flags to d.extraArgs. */
  beforeStart?: (d: TestDaemon) => Promise<void> | void;
  /** Runs once the daemon is removed, before the leak check. */
  afterStop?: () => Promise<void> | void;
  /** false: the tests start the daemon themselves (it is still removed after them). */
  start?: boolean;
}

/**
 * A daemon for the enclosing describe(): started before its tests, then removed after them with a check that
 * nothing of it is left on the host.
 */
export function suiteDaemon(name: string, extraArgs: string[] = [], opts: SuiteDaemonOptions = {}): TestDaemon {
  const d = new TestDaemon(name, extraArgs);
  let mounted = false;
  before(async () => {
    if (opts.tmpfs) {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${opts.tmpfs},mode=0700`, "tmpfs", d.root]);
      mounted = true;
    }
    await opts.beforeStart?.(d);
    if (opts.start !== false) await d.start();
  });
  after(async () => {
    if (mounted) {
      // The root is a mount point: cleanup cannot remove it, the unmount then does.
      await d.cleanup().catch(() => undefined);
      execFileSync("umount", ["-l", d.root]);
      rmSync(d.root, { recursive: true, force: true });
    } else {
      await d.cleanup();
    }
    await opts.afterStop?.();
    assert.deepEqual(d.leftovers(), [], "nothing of the daemon is left on the host");
  });
  return d;
}

export class TestDaemon {
  readonly root: string;
  readonly socket: string;
  readonly cgroupParent: string;
  readonly client: ApiClient;
  private child?: ChildProcess;
  log = "";

  /** 10.OCTET.0.0/16 holds this daemon's pods (10.OCTET.0.0/24) and services (10.OCTET.128.0/20). */
  readonly octet: number;
  readonly bridge: string;

  constructor(
    readonly name: string,
    readonly extraArgs: string[] = [],
  ) {
    this.octet = freeOctets(100 + ((process.pid * 7 + counter * 13) % 100));
    this.bridge = `nle${process.pid % 10000}x${counter}`.slice(0, 15);
    this.root = mkdtempSync(join(tmpdir(), `nodelet-e2e-${name}-`));
    this.socket = join(this.root, "nodelet.sock");
    this.cgroupParent = `nodelet-e2e-${process.pid}-${counter++}`;
    this.client = new ApiClient({ socketPath: this.socket });
  }

  /** A daemon with its own bridge and subnets (the default bridge, nodelet0, belongs to the demo daemon). */
  get args(): string[] {
    // A test that chooses its own network (or none) passes --bridge/--no-network; otherwise it gets its own subnets.
    const own = this.extraArgs.includes("--bridge") || this.extraArgs.includes("--no-network");
    const net = own ? [] : ["--bridge", this.bridge, "--cluster-cidr", `10.${this.octet}.0.0/17`, "--pod-cidr", `10.${this.octet}.0.0/24`, "--service-cidr", `10.${this.octet}.128.0/20`];
    return ["--root", this.root, "--socket", this.socket, "--cgroup-parent", this.cgroupParent, ...net, ...this.extraArgs];
  }

  /** Starts the daemon and waits until its socket answers. */
  async start(extra: string[] = []): Promise<void> {
    // Only this start's output counts as "ready" (the log keeps what earlier runs said).
    const from = this.log.length;
    const child = spawn(process.execPath, [NODELET, "daemon", ...this.args, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout.on("data", (d: Buffer) => (this.log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (this.log += d.toString()));
    // About a second on a quiet machine; the bound is for a loaded one (over 20 s seen at load 29, over 60 s at load
    // ~60 with test files two at a time).
    const deadline = Date.now() + START_TIMEOUT_MS;
    const alive = () => {
      if (child.exitCode !== null) throw new Error(`daemon exited (${child.exitCode}): ${this.log}`);
    };
    await waitFor("the daemon's socket", async () => {
      alive();
      return answers(this.socket);
    }, START_TIMEOUT_MS, 50).catch((err: Error) => {
      throw child.exitCode !== null ? err : new Error(`daemon did not answer on ${this.socket}: ${this.log}`);
    });
    // The API answers before the kubelet has re-adopted pods; wait for the ready line.
    await waitFor("the ready line", () => {
      alive();
      return this.log.includes("nodelet daemon ready", from);
    }, Math.max(1, deadline - Date.now()), 20).catch((err: Error) => {
      throw child.exitCode !== null ? err : new Error(`daemon not ready: ${this.log}`);
    });
  }

  /** The daemon's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** kill -9: the daemon dies, its pods must not. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }

  /**
   * SIGTERM and wait for the daemon to exit. Its stop is bounded at 15 s (120 s with --cleanup-on-exit); one still
   * alive 150 s later is killed, so a stuck daemon fails its test instead of hanging the suite.
   */
  async terminate(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    const timer = setTimeout(() => {
      this.log += `test helper: the daemon did not exit 150 s after SIGTERM; killed\n`;
      c.kill("SIGKILL");
    }, 150_000);
    await exited;
    clearTimeout(timer);
  }

  // pod, pods and events read the API on the socket in this process, not through a CLI process: tests poll them every
  // 100 ms while they wait, and a CLI start a poll kept a core busy for the whole wait. Tests of the CLI's own output
  // run the CLI.

  /** The default namespace's pod `name`, or undefined when it does not exist (or the daemon does not answer). */
  async pod(name: string): Promise<Pod | undefined> {
    return this.client.request<Pod>("GET", `/api/v1/namespaces/default/pods/${name}`).catch(() => undefined);
  }

  /** The default namespace's pods; [] when the daemon does not answer. */
  async pods(): Promise<Pod[]> {
    return this.client.request<{ items: Pod[] }>("GET", "/api/v1/namespaces/default/pods").then((l) => l.items, () => []);
  }

  /** The default namespace's events about the object named `involvedName` (field selector involvedObject.name). */
  async events(involvedName: string): Promise<Event[]> {
    const query = { fieldSelector: `involvedObject.name=${involvedName}` };
    return (await this.client.request<{ items: Event[] }>("GET", "/api/v1/namespaces/default/events", { query })).items;
  }

  /** Runs the CLI against this daemon (killed after `timeoutMs`). */
  cli(args: string[], input?: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [NODELET, ...args],
        { env: { ...process.env, NODELET_SOCKET: this.socket, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
        (err, stdout, stderr) => {
          const code = err ? ((err as { code?: number | string }).code as number) ?? 1 : 0;
          resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });
  }

  /** Stops the daemon (if running) and removes every pod, cgroup and file it made. */
  async cleanup(): Promise<void> {
    this.client.close();
    await this.terminate();
    await new Promise<void>((resolve) => {
      execFile(process.execPath, [NODELET, "reset", ...this.args], { timeout: 300_000 }, () => resolve());
    });
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The runtime's records of a pod's containers on disk (every attempt); a record being rewritten is passed over. */
  containerRecords(uid: string): ContainerRecord[] {
    const dir = join(this.root, "pods", uid, "containers");
    return readdirSync(dir).flatMap((id) => {
      try {
        return [JSON.parse(readFileSync(join(dir, id, "container.json"), "utf8")) as ContainerRecord];
      } catch {
        return [];
      }
    });
  }

  /** The host pid of a pod's running container, from the runtime's record. */
  runningPid(uid: string): number | undefined {
    return this.containerRecords(uid).find((r) => r.state === "running")?.pid;
  }

  /** What is left on the host of this daemon: processes, mounts, cgroup directories. */
  leftovers(): string[] {
    const found: string[] = [];
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        const state = readProcStat(Number(pid))?.state;
        if (cmd.includes(this.root) && state !== "Z") found.push(`process ${pid}: ${cmd.replace(/\0/g, " ").slice(0, 120)}`);
      } catch {
        // gone
      }
    }
    for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      if (line.includes(this.root)) found.push(`mount ${line.split(" ")[4]}`);
    }
    if (existsSync(`/sys/class/net/${this.bridge}`)) found.push(`bridge ${this.bridge}`);
    const nft = spawnSync("nft", ["list", "tables"], { encoding: "utf8" }).stdout ?? "";
    for (const line of nft.split("\n")) if (line.includes(this.bridge)) found.push(`nft ${line.trim()}`);
    for (const save of ["iptables-save", "iptables-legacy-save"]) {
      const rules = spawnSync(save, [], { encoding: "utf8" }).stdout ?? "";
      if (rules.includes(this.bridge)) found.push(`${save}: rules mentioning ${this.bridge}`);
    }
    for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
      const dest = parseInt(line.split("\t")[1] ?? "", 16);
      if ((dest & 0xff) === 10 && ((dest >> 8) & 0xff) === this.octet) found.push(`route to 10.${this.octet}.x (${line.split("\t")[0]})`);
    }
    // Every mounted hierarchy, not only the ones the daemon uses (v1 cpu, cpuacct, memory, pids, devices; or the
    // unified one): a parent left in any of them is a leak, wherever the daemon's own cgroup put it.
    for (const m of parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8"))) {
      if (findDir(m.mountPoint, this.cgroupParent, 3)) found.push(`cgroup ${m.mountPoint}/…/${this.cgroupParent}`);
    }
    return found;
  }
}

function findDir(dir: string, name: string, depth: number): boolean {
  if (depth < 0) return false;
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return false;
  }
  if (entries.includes(name)) return true;
  return entries.some((e) => findDir(join(dir, e), name, depth - 1));
}

