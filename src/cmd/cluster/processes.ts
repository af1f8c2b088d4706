/**
 * The cluster's processes: started detached (their own session, output to a log file) through the Runner, each
 * with a pid file holding its pid and start time, so `status` and `down` — later, from another process — find it and
 * never signal a process that merely reuses its pid.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Runner } from "../../sys/runner.js";
import { isSameProcess, processStartTime, signalProcess } from "../../sys/proc.js";
import type { ClusterProcess } from "./plan.js";

export interface PidRecord {
  pid: number;
  startTime: number;
}

export function readPidFile(file: string): PidRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as Partial<PidRecord>;
    return Number.isInteger(r.pid) && Number.isInteger(r.startTime) ? { pid: r.pid!, startTime: r.startTime! } : undefined;
  } catch {
    return undefined;
  }
}

/** The live process of a pid file (undefined: none, or its pid now belongs to another process). */
export function runningProcess(p: Pick<ClusterProcess, "pidFile">): PidRecord | undefined {
  const r = readPidFile(p.pidFile);
  return r && isSameProcess(r.pid, r.startTime) ? r : undefined;
}

/** Starts `argv` detached, appending its output to p.logFile, and writes p.pidFile. */
export function startDetached(runner: Runner, p: ClusterProcess, argv: string[] = p.command): PidRecord {
  mkdirSync(dirname(p.logFile), { recursive: true, mode: 0o700 });
  mkdirSync(dirname(p.pidFile), { recursive: true, mode: 0o700 });
  const out = openSync(p.logFile, "a", 0o600);
  try {
    const child = runner.spawn(argv, { detached: true, stdio: ["ignore", out, out] });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${p.name}: ${argv[0]} did not start`);
    const startTime = processStartTime(pid);
    if (startTime === undefined) throw new Error(`${p.name} (${argv[0]}) exited at once: see ${p.logFile}`);
    const rec = { pid, startTime };
    // Whole or not at all: a pid file cut short by a crash would hide its process from down.
    writeFileSync(`${p.pidFile}.tmp`, JSON.stringify(rec) + "\n", { mode: 0o600 });
    renameSync(`${p.pidFile}.tmp`, p.pidFile);
    return rec;
  } finally {
    closeSync(out);
  }
}

/** The last `bytes` of a process's log, for error messages. */
export function logTail(p: Pick<ClusterProcess, "logFile">, bytes = 2000): string {
  try {
    const size = statSync(p.logFile).size;
    const text = readFileSync(p.logFile, "utf8");
    return (size > bytes ? "…" : "") + text.slice(-bytes);
  } catch {
    return "(no log)";
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until `ready()` holds, failing at once (with the log's tail) when the process exits, or after `timeoutMs`.
 * Polls every `everyMs`: these are other processes' files and ports, nothing to subscribe to.
 */
export async function waitReady(p: ClusterProcess, ready: () => boolean | Promise<boolean>, what: string, timeoutMs: number, everyMs = 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!runningProcess(p)) throw new Error(`${p.name} exited before ${what}; the end of ${p.logFile}:\n${logTail(p)}`);
    if (Date.now() > until) throw new Error(`${p.name}: not ${what} after ${Math.round(timeoutMs / 1000)} s; the end of ${p.logFile}:\n${logTail(p)}`);
    await sleep(everyMs);
  }
}

/** Whether p's log has a line matching `re` (a process's "ready" line). */
export function logHas(p: ClusterProcess, re: RegExp): boolean {
  try {
    return re.test(readFileSync(p.logFile, "utf8"));
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Removes the pid file. No process: no-op. */
export async function stopProcess(runner: Runner, p: ClusterProcess, graceMs: number): Promise<void> {
  const r = readPidFile(p.pidFile);
  if (r && signalProcess(runner, r.pid, "SIGTERM", r.startTime)) {
    const until = Date.now() + graceMs;
    while (isSameProcess(r.pid, r.startTime) && Date.now() < until) await sleep(100);
    if (signalProcess(runner, r.pid, "SIGKILL", r.startTime)) while (isSameProcess(r.pid, r.startTime)) await sleep(50);
  }
  rmSync(p.pidFile, { force: true });
}

/**
 * Live processes whose argv begins with one of `commands` (each a process's own argv, as planned): the cluster's
 * processes whose pid file was never written — `up` killed between starting one and recording it.
 */
export function processesRunning(commands: string[][], procRoot = "/proc"): number[] {
  const found: number[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`${procRoot}/${entry}/cmdline`, "utf8").split("\0").slice(0, -1);
    } catch {
      continue;
    }
    if (commands.some((c) => c.length > 0 && c.length <= argv.length && c.every((a, i) => argv[i] === a))) found.push(Number(entry));
  }
  return found;
}
