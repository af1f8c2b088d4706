/**
 * Reading cgroupfs files and removing cgroup trees; shared by the v1 and v2 managers.
 *
 * Counters are read synchronously: a cgroupfs read never waits on a disk, and Node's synchronous UTF-8 read runs in
 * C++ without a JavaScript buffer. Measured here on memory.stat, cpuacct.usage and friends: 16 us a read against
 * 250 us of CPU through fs.promises, which also allocates a 64 KB buffer for every file that reports no size (all of
 * cgroupfs); with 100 pods sampled every few seconds that garbage alone kept the idle daemon at several percent of a
 * core. Callers that read many cgroups read them one after another, so the event loop is held for one cgroup at a
 * time.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { HostError } from "../host-error.js";
import type { Runner } from "../runner.js";
import { readTextOr } from "../text-file.js";

/** An integer file (cpuacct.usage, memory.current); a missing file or "max" reads as 0. */
export function readIntFile(path: string): Promise<number> {
  const n = Number(readTextOr(path, "").trim());
  return Promise.resolve(Number.isFinite(n) ? n : 0);
}

/** A `key value` per line file (memory.stat, memory.events, memory.oom_control, cpu.stat). Missing reads empty. */
export function readKeyedFile(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = readTextOr(path, "");
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) out.set(key, Number(value));
  }
  return Promise.resolve(out);
}

/** PIDs listed in DIR/cgroup.procs; a missing cgroup has none. */
export function readProcs(dir: string): Promise<number[]> {
  const text = readTextOr(join(dir, "cgroup.procs"), "");
  return Promise.resolve(
    text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(Number),
  );
}

/** Names of the child cgroups (subdirectories) of DIR. */
export async function listChildren(dir: string): Promise<string[]> {
  try {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Removes a cgroup directory and its child cgroups, deepest first, with `rmdir` (cgroupfs directories are removed
 * with rmdir even though they list files). A missing directory is fine.
 */
export async function removeTree(dir: string, rmdir: (dir: string) => Promise<void>): Promise<void> {
  for (const child of await listChildren(dir)) await removeTree(join(dir, child), rmdir);
  try {
    await rmdirWhileBusy(dir, rmdir);
  } catch (err) {
    // Only a plain directory standing in for cgroupfs (the test tree) can be "not empty" with no child
    // directories left: real cgroupfs answers EBUSY when processes remain.
    if (!String(err).includes("ENOTEMPTY")) throw err;
    for (const f of await fsp.readdir(dir)) await fsp.rm(join(dir, f), { force: true });
    await rmdir(dir);
  }
}

/**
 * A process killed a moment ago stays in its cgroup until it is reaped, and rmdir answers EBUSY meanwhile: retried
 * for about 300 ms before the EBUSY stands (runc's RemovePath retries the same way).
 */
const BUSY_RETRY_MS = [10, 20, 40, 80, 160];

async function rmdirWhileBusy(dir: string, rmdir: (dir: string) => Promise<void>): Promise<void> {
  for (const wait of BUSY_RETRY_MS) {
    try {
      return await rmdir(dir);
    } catch (err) {
      if (!String(err).includes("EBUSY")) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  await rmdir(dir);
}

/** Removes each directory tree (one per v1 hierarchy, or the one v2 directory), naming the one that failed. */
export async function removeCgroupDirs(dirs: string[], runner: Runner, owner?: string): Promise<void> {
  for (const dir of dirs) {
    try {
      await removeTree(dir, (d) => runner.rmdir(d, owner));
    } catch (err) {
      if (err instanceof HostError) throw err;
      throw new HostError("remove cgroup", dir, owner ?? "", err);
    }
  }
}
