/**
 * The host's processes for tests that look for what they (or the code under test) started: every live pid's
 * /proc/PID/stat, parsed by the runtime's own reader (src/sys/proc.ts).
 */
import { readdirSync, readlinkSync } from "node:fs";
import { readProcStat, type ProcStat } from "../../src/sys/proc.js";

/** Every process on the host right now (those that end while the list is read are left out). */
export function hostProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st) out.push(st);
  }
  return out;
}

/** The children of `ppid`. */
export function childrenOf(ppid: number): ProcStat[] {
  return hostProcesses().filter((p) => p.ppid === ppid);
}

/** The processes in PID namespace `ns` (the link text of /proc/PID/ns/pid). */
export function processesInPidNamespace(ns: string): ProcStat[] {
  return hostProcesses().filter((p) => {
    try {
      return readlinkSync(`/proc/${p.pid}/ns/pid`) === ns;
    } catch {
      return false; // gone meanwhile
    }
  });
}
