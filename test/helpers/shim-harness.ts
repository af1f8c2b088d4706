import { waitFor as waitForCondition } from "./wait.js";
/**
 * Shared helpers of the shim's privileged tests: a per-test scratch area that cleans up after itself and proves
 * nothing leaked (processes, mounts, cgroups), and thin wrappers that run `nodelet-shim` with argv arrays.
 */
import { spawn, type SpawnOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { buildBusyboxRootfs } from "./busybox-rootfs.js";
import { isSameProcess } from "../../src/sys/proc.js";

/** The shim binary the Makefile builds (`make shim`); tests run from dist/test/privileged. */
export const SHIM = resolve(dirname(fileURLToPath(import.meta.url)), "../../../build/nodelet-shim");

/** Capabilities the daemon keeps by default (containerd's default set). */
export const DEFAULT_CAPS = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
  "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
];
/** Their numbers in <linux/capability.h>, for checking CapBnd/CapEff. */
export const CAP_NUMBERS: Record<string, number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10,
  NET_RAW: 13, SYS_CHROOT: 18, MKNOD: 27, AUDIT_WRITE: 29, SETFCAP: 31, SYS_ADMIN: 21,
};
export const MASKED_PATHS = [
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
];
export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** The flags the daemon passes for an unprivileged container. */
export function defaultSecurityFlags(): string[] {
  return [
    ...DEFAULT_CAPS.flatMap((c) => ["--cap", c]),
    "--no-new-privs",
    ...MASKED_PATHS.flatMap((p) => ["--masked", p]),
    ...READONLY_PATHS.flatMap((p) => ["--readonly", p]),
  ];
}

/** The hex mask /proc/PID/status prints for a set of capability names. */
export function capMask(names: string[]): string {
  const mask = names.reduce((m, n) => m | (1n << BigInt(CAP_NUMBERS[n] ?? -1)), 0n);
  return mask.toString(16).padStart(16, "0");
}

export function requireShim(): void {
  if (!existsSync(SHIM)) throw new Error(`${SHIM} is missing: run \`make shim\` first`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion with an argv array; stdin is written then closed. */
export function run(file: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) {
      child.stdin!.on("error", () => {});  // EPIPE when the command does not read its stdin
      child.stdin!.end(opts.input);
    }
  });
}

export const shim = (args: string[], opts?: { input?: string; timeoutMs?: number }) => run(SHIM, args, opts);

/** Spawns the shim and hands back the child (for signals, ttys, extra fds). */
export function spawnShim(args: string[], opts: SpawnOptions = {}) {
  return spawn(SHIM, args, { stdio: ["pipe", "pipe", "pipe"], ...opts });
}

export function pidAlive(pid: number): boolean {
  return isSameProcess(pid);
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  await waitForCondition(what, check, timeoutMs);
}

/** The directory of this process's own cgroup for a v1 controller (test cgroups go under it). */
export function ownCgroupDir(controller: string): string {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (controllers?.split(",").includes(controller)) return join("/sys/fs/cgroup", controller, path ?? "/");
  }
  throw new Error(`no ${controller} cgroup in /proc/self/cgroup`);
}

export function mountsMentioning(text: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(text));
}

/**
 * One test's world: a temp dir, the processes and cgroups it made. `cleanup()` kills what is left, waits,
 * removes everything, and throws if anything had leaked (a live process, a mount, a cgroup it could not remove).
 */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), "shimtest-"));
  private pids = new Set<number>();
  private cgroups: string[] = [];
  private imageDir?: string;

  static async with<T>(fn: (s: Scratch) => Promise<T>): Promise<T> {
    requireShim();
    const s = new Scratch();
    let result: T;
    try {
      result = await fn(s);
    } catch (e) {
      await s.cleanup();
      throw e;
    }
    const leaks = await s.cleanup();
    if (leaks.length) throw new Error(`test leaked: ${leaks.join("; ")}`);
    return result;
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  track(...pids: number[]): void {
    for (const p of pids) if (p > 0) this.pids.add(p);
  }

  /** The busybox image of this test (built once), with a /marker file. */
  image(): string {
    if (!this.imageDir) {
      this.imageDir = buildBusyboxRootfs(this.path("image"));
      writeFileSync(join(this.imageDir, "marker"), "from-the-image\n");
    }
    return this.imageDir;
  }

  /** A fresh v1 cgroup under this process's own one; files are written in order (e.g. memory.limit_in_bytes). */
  cgroup(controller: string, files: Record<string, string> = {}): string {
    const dir = join(ownCgroupDir(controller), `shimtest-${process.pid}-${this.cgroups.length}-${Date.now() % 100000}`);
    mkdirSync(dir);
    this.cgroups.push(dir);
    for (const [file, value] of Object.entries(files)) writeFileSync(join(dir, file), value);
    return dir;
  }

  /** Kills and removes everything; returns what had leaked (still alive at the end of the test, stuck mounts...). */
  async cleanup(): Promise<string[]> {
    const leaks: string[] = [];
    for (const pid of this.pids) {
      // A monitor exits just after writing the exit record the test waited for: give it a moment under load.
      await waitFor(`process ${pid} to end by itself`, () => !pidAlive(pid), 2000).catch(() => undefined);
      if (!pidAlive(pid)) continue;
      leaks.push(`process ${pid} (${comm(pid)}) still running`);
      try { process.kill(pid, "SIGKILL"); } catch { /* gone meanwhile */ }
    }
    for (const pid of this.pids) await waitFor(`process ${pid} to end`, () => !pidAlive(pid), 5000).catch((e) => leaks.push(String(e)));
    for (const cg of this.cgroups.reverse()) await removeCgroup(cg).catch((e) => leaks.push(String(e)));
    const mounts = mountsMentioning(this.dir);
    if (mounts.length) leaks.push(`mounts left: ${mounts.join(" | ")}`);
    rmSync(this.dir, { recursive: true, force: true });
    return leaks;
  }
}

function comm(pid: number): string {
  try { return readFileSync(`/proc/${pid}/comm`, "utf8").trim(); } catch { return "?"; }
}

/** rmdir a cgroup, killing what is still in it; EBUSY for a moment after the last process died is normal. */
async function removeCgroup(dir: string): Promise<void> {
  const procs = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  for (const p of procs) try { process.kill(p, "SIGKILL"); } catch { /* gone */ }
  const end = Date.now() + 5000;
  for (;;) {
    try {
      rmdirSync(dir);
      if (procs.length) throw new Error(`cgroup ${dir} still held processes ${procs.join(",")}`);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EBUSY" || Date.now() > end) throw e;
      await sleep(20);
    }
  }
}

// ---- containers ---------------------------------------------------------------------------------------------

export interface ContainerOptions {
  cmd: string[];
  /** Extra monitor flags (--ns, --bind, --cgroup, ...). */
  flags?: string[];
  /** Pass the default security flags (caps, no-new-privs, masked, read-only); default true. */
  secure?: boolean;
  /** Name of the container's files under the scratch dir; default "c". */
  name?: string;
  env?: string[];
}

export interface ContainerPaths {
  rootfs: string;
  upper: string;
  work: string;
  log: string;
  exit: string;
}

export function containerPaths(s: Scratch, name = "c"): ContainerPaths {
  return {
    rootfs: s.path(name, "rootfs"),
    upper: s.path(name, "upper"),
    work: s.path(name, "work"),
    log: s.path(name, "logs", "0.log"),
    exit: s.path(name, "exit.json"),
  };
}

/** The full argv of `nodelet-shim monitor` for a container of the scratch's busybox image. */
export function monitorArgs(s: Scratch, o: ContainerOptions): string[] {
  const p = containerPaths(s, o.name);
  return [
    "monitor", "--id", o.name ?? "c",
    "--rootfs", p.rootfs, "--lower", s.image(), "--upper", p.upper, "--work", p.work,
    "--log", p.log, "--exit-file", p.exit,
    ...(o.env ?? ["PATH=/bin", "HOME=/root"]).flatMap((e) => ["--env", e]),
    ...(o.secure === false ? [] : defaultSecurityFlags()),
    ...(o.flags ?? []),
    "--", ...o.cmd,
  ];
}

export interface Started {
  monitorPid: number;
  pid: number;
  paths: ContainerPaths;
}

/** Starts a container and returns once COMMAND runs; throws with the shim's error line otherwise. */
export async function startContainer(s: Scratch, o: ContainerOptions): Promise<Started> {
  const r = await shim(monitorArgs(s, o));
  const m = /^ok (\d+) (\d+)(?: [a-z-]+=\d+)*\n$/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`monitor failed (code ${r.code}): ${r.stdout}${r.stderr}`);
  const started = { monitorPid: Number(m[1]), pid: Number(m[2]), paths: containerPaths(s, o.name) };
  s.track(started.monitorPid, started.pid);
  return started;
}

export interface ExitRecord {
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  reason: string;
  message: string;
  startedAt: string;
  finishedAt: string;
  pid: number;
}

export async function waitExitFile(path: string, timeoutMs = 10_000): Promise<ExitRecord> {
  await waitFor(`exit file ${path}`, () => existsSync(path), timeoutMs);
  return JSON.parse(readFileSync(path, "utf8")) as ExitRecord;
}

export interface CriLine {
  time: string;
  stream: "stdout" | "stderr";
  tag: "F" | "P";
  content: string;
}

export const CRI_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([FP]) (.*)$/s;

export function parseCriLog(text: string): CriLine[] {
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error(`log does not end with a newline: ${JSON.stringify(lines.at(-1))}`);
  return lines.slice(0, -1).map((l) => {
    const m = CRI_LINE.exec(l);
    if (!m) throw new Error(`not a CRI log line: ${JSON.stringify(l.slice(0, 200))}`);
    return { time: m[1], stream: m[2] as CriLine["stream"], tag: m[3] as CriLine["tag"], content: m[4] };
  });
}

/** Joins P chunks to their F line: the text as the container wrote it, one entry per line. */
export function logText(lines: CriLine[], stream: "stdout" | "stderr"): string[] {
  const out: string[] = [];
  let partial = "";
  for (const l of lines.filter((x) => x.stream === stream)) {
    partial += l.content;
    if (l.tag === "F") {
      out.push(partial);
      partial = "";
    }
  }
  if (partial) out.push(partial);
  return out;
}

export interface Finished extends Started {
  exit: ExitRecord;
  log: CriLine[];
  stdout: string;
  stderr: string;
}

/** Starts a container, waits for its exit file, and returns the exit record and the log. */
export async function runContainer(s: Scratch, o: ContainerOptions): Promise<Finished> {
  const started = await startContainer(s, o);
  const exit = await waitExitFile(started.paths.exit);
  await waitFor("the monitor to exit", () => !pidAlive(started.monitorPid));
  const log = parseCriLog(readFileSync(started.paths.log, "utf8"));
  const text = (stream: "stdout" | "stderr") => logText(log, stream).map((l) => `${l}\n`).join("");
  return { ...started, exit, log, stdout: text("stdout"), stderr: text("stderr") };
}

/** Runs `nodelet-shim exec --target pid ... -- cmd`. */
export function execIn(pid: number, cmd: string[], flags: string[] = [], opts?: { input?: string; timeoutMs?: number }) {
  return shim(["exec", "--target", String(pid), "--env", "PATH=/bin", ...flags, "--", ...cmd], opts);
}

/** Starts a pod sandbox; returns the pause pid (tracked for cleanup). */
export async function startSandbox(s: Scratch, flags: string[] = []): Promise<number> {
  const r = await shim(["sandbox", ...flags]);
  const m = /^ok (\d+)\n$/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`sandbox failed (code ${r.code}): ${r.stdout}${r.stderr}`);
  const pid = Number(m[1]);
  s.track(pid);
  return pid;
}

/** Stops a sandbox the way the daemon does (SIGTERM) and waits until the pause process is gone. */
export async function stopSandbox(pausePid: number): Promise<void> {
  process.kill(pausePid, "SIGTERM");
  await waitFor(`pause ${pausePid} to exit`, () => !pidAlive(pausePid), 5000);
}

/** --ns flags joining a sandbox's namespaces. */
export function podNamespaces(pausePid: number, types = ["net", "uts", "ipc"]): string[] {
  return types.flatMap((t) => ["--ns", `${t}:/proc/${pausePid}/ns/${t}`]);
}
