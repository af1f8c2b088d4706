/**
 * A real `nodelet daemon` in a child process with its own state dir, socket and cgroup parent, driven through the
 * real CLI — for end-to-end tests. stop() removes everything it made (and the leak check proves it).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiClient } from "../../src/client/index.js";

export const NODELET = fileURLToPath(new URL("../../src/cmd/nodelet.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let counter = 0;

export class TestDaemon {
  readonly root: string;
  readonly socket: string;
  readonly cgroupParent: string;
  readonly client: ApiClient;
  private child?: ChildProcess;
  log = "";

  constructor(
    readonly name: string,
    readonly extraArgs: string[] = [],
  ) {
    this.root = mkdtempSync(join(tmpdir(), `nodelet-e2e-${name}-`));
    this.socket = join(this.root, "nodelet.sock");
    this.cgroupParent = `nodelet-e2e-${process.pid}-${counter++}`;
    this.client = new ApiClient({ socketPath: this.socket });
  }

  /**
   * Without a --bridge of its own the daemon runs with --no-network: the default bridge (nodelet0) belongs to the
   * demo daemon, and tests must not share or reset it.
   */
  get args(): string[] {
    const own = this.extraArgs.includes("--bridge") || this.extraArgs.includes("--no-network");
    return ["--root", this.root, "--socket", this.socket, "--cgroup-parent", this.cgroupParent, ...this.extraArgs, ...(own ? [] : ["--no-network"])];
  }

  /** Starts the daemon and waits until its socket answers. */
  async start(extra: string[] = []): Promise<void> {
    const child = spawn(process.execPath, [NODELET, "daemon", ...this.args, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!(await answers(this.socket))) {
      if (child.exitCode !== null) throw new Error(`daemon exited (${child.exitCode}): ${this.log}`);
      if (Date.now() > deadline) throw new Error(`daemon did not answer on ${this.socket}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The API answers before the kubelet has re-adopted pods; wait for the ready line.
    while (!this.log.includes("nodelet daemon ready")) {
      if (Date.now() > deadline) throw new Error(`daemon not ready: ${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** kill -9: the daemon dies, its pods must not. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM and wait for the daemon to exit. */
  async terminate(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  }

  /** Runs the CLI against this daemon. */
  cli(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [NODELET, ...args],
        { env: { ...process.env, NODELET_SOCKET: this.socket, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
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
      execFile(process.execPath, [NODELET, "reset", ...this.args], () => resolve());
    });
    rmSync(this.root, { recursive: true, force: true });
  }

  /** What is left on the host of this daemon: processes, mounts, cgroup directories. */
  leftovers(): string[] {
    const found: string[] = [];
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
        if (cmd.includes(this.root) && state !== "Z") found.push(`process ${pid}: ${cmd.replace(/\0/g, " ").slice(0, 120)}`);
      } catch {
        // gone
      }
    }
    for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      if (line.includes(this.root)) found.push(`mount ${line.split(" ")[4]}`);
    }
    for (const ctl of ["cpu", "memory", "pids"]) {
      const base = `/sys/fs/cgroup/${ctl}`;
      if (existsSync(base) && findDir(base, this.cgroupParent, 3)) found.push(`cgroup ${ctl}/${this.cgroupParent}`);
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

export function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Polls `fn` until it returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
