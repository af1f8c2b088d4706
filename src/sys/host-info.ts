/**
 * What the node is made of, read from the kernel's files: CPUs, memory, swap, the filesystem behind pods' ephemeral
 * storage, kernel, OS, boot and machine ids (what it has left is node-stats.ts). procfs and /etc are parameters
 * (DESIGN.md rule 5) so a test reads a fixture tree; an unreadable file counts as empty (no swap, an empty id).
 */
import { readFileSync } from "node:fs";
import { cpus, hostname, release, totalmem } from "node:os";
import { join } from "node:path";
import { fsStats } from "./node-stats.js";

/** Where the host's facts are read: procfs and the host's /etc. */
export interface HostPaths {
  proc: string;
  etc: string;
}

export const HOST_PATHS: HostPaths = { proc: "/proc", etc: "/etc" };

/** The node's fixed facts (capacity and nodeInfo). */
export interface HostFacts {
  cpuCores: number;
  memoryBytes: number;
  ephemeralBytes: number;
  swapBytes: number;
  kernel: string;
  osImage: string;
  bootID: string;
  machineID: string;
  /** The host's name (the node's Hostname address). */
  hostname: string;
}

/** The node's facts; ephemeral storage is the filesystem holding `root` (--root), where pods' data lives. */
export function readHostFacts(root: string, paths: HostPaths = HOST_PATHS): HostFacts {
  const swap = readText(join(paths.proc, "swaps"))
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .reduce((sum, l) => sum + Number(l.split(/\s+/)[2] ?? 0) * 1024, 0);
  return {
    cpuCores: cpus().length,
    memoryBytes: totalmem(),
    ephemeralBytes: fsStats(root).capacityBytes,
    swapBytes: swap,
    kernel: release(),
    osImage: /PRETTY_NAME="([^"]*)"/.exec(readText(join(paths.etc, "os-release")))?.[1] ?? "Linux",
    bootID: readText(join(paths.proc, "sys/kernel/random/boot_id")).trim(),
    machineID: readText(join(paths.etc, "machine-id")).trim(),
    hostname: hostname(),
  };
}

function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

let cpuFlagsCache: string[] | undefined;

/** The CPU's feature flags as /proc/cpuinfo lists them (the first processor's; [] when unreadable). Read once. */
export function hostCpuFlags(paths: HostPaths = HOST_PATHS): string[] {
  if (paths !== HOST_PATHS) return parseCpuFlags(readText(join(paths.proc, "cpuinfo")));
  cpuFlagsCache ??= parseCpuFlags(readText(join(paths.proc, "cpuinfo")));
  return cpuFlagsCache;
}

function parseCpuFlags(cpuinfo: string): string[] {
  const line = /^flags\s*:(.*)$/m.exec(cpuinfo);
  return line ? line[1].trim().split(/\s+/) : [];
}
