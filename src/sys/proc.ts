/**
 * Processes as the kernel shows them in /proc: identity (pid + start time, so a recycled pid is never mistaken
 * for ours), liveness, and signals. Signals are recorded like commands (`kill -TERM 1234`).
 */
import { readFileSync, promises as fsp } from "node:fs";
import { constants } from "node:os";
import type { Runner } from "./runner.js";

/** The fields of /proc/PID/stat that we read. */
export interface ProcStat {
  pid: number;
  /** Field 2, the command name without its parentheses (it may itself contain spaces and parentheses). */
  comm: string;
  /** Field 3: R, S, D, Z, ... */
  state: string;
  ppid: number;
  /** Fields 14 and 15: CPU time in user and kernel mode, in clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** Fields 16 and 17: CPU time of its children that it waited for (an exec'd tool's cost lands here), in ticks. */
  cutime: number;
  cstime: number;
  /** Field 22: start time in clock ticks since boot (with the pid, a process's identity). */
  startTime: number;
}

/** Parses the text of /proc/PID/stat; fields after the command name are split after its last ')'. */
export function parseProcStat(pid: number, stat: string): ProcStat {
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  return {
    pid,
    comm: stat.slice(stat.indexOf("(") + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
    startTime: Number(fields[19]),
  };
}

/** /proc/PID/stat of a process, or undefined when it is gone. */
export function readProcStat(pid: number, procRoot = "/proc"): ProcStat | undefined {
  try {
    return parseProcStat(pid, readFileSync(`${procRoot}/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined when the process is gone. */
export function processStartTime(pid: number, procRoot = "/proc"): number | undefined {
  return readProcStat(pid, procRoot)?.startTime;
}

/** State letter of /proc/PID/stat (R, S, Z, ...), undefined when gone. */
export function processState(pid: number, procRoot = "/proc"): string | undefined {
  return readProcStat(pid, procRoot)?.state;
}

/** True when `pid` is alive (not a zombie) and, if given, still the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime?: number): boolean {
  const st = readProcStat(pid);
  if (!st) return false;
  if (startTime !== undefined && st.startTime !== startTime) return false;
  return st.state !== "Z";
}

/**
 * Sends a signal to a process we started, after checking it is still that process. Returns false when it was
 * already gone. Recorded for `explain` as `kill -SIG PID`.
 */
export function signalProcess(runner: Runner, pid: number, signal: NodeJS.Signals, startTime?: number, owner?: string): boolean {
  if (!isSameProcess(pid, startTime)) return false;
  const started = Date.now();
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
  runner.note(owner, { kind: "exec", argv: ["kill", `-${signal.replace(/^SIG/, "")}`, String(pid)], at: new Date(started).toISOString(), ms: 0, exitCode: 0 });
  return true;
}

/** Signal number by name ("SIGTERM" or "TERM"), undefined when unknown. */
export function signalNumber(name: string): number | undefined {
  const key = (name.startsWith("SIG") ? name : `SIG${name}`) as keyof typeof constants.signals;
  return constants.signals[key];
}

/** Direct children pids of `pid` (from /proc/PID/task/TID/children). */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await fsp.readFile(`/proc/${pid}/task/${pid}/children`, "utf8");
    return text.split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident set size of a process in bytes (VmRSS), 0 when gone. */
export function processRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
