/**
 * Housekeeping of container log files (the monitor writes and rotates them): a fresh file and the kubelet's
 * /var/log/containers link for each attempt, and removal of a container's files and of a pod's log directory.
 */
import { mkdirSync, promises as fsp, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The directories a pod's logs go in — /var/log/pods/NS_NAME_UID/C for each container and /var/log/containers —
 * made when the sandbox starts (sandbox-lifecycle.ts), so that a container's start finds them. Synchronous: a few
 * mkdirs take tens of microseconds, while on libuv's thread pool they waited 20-110 ms on a loaded node (measured
 * on the start path, where the first container's start waited for them).
 */
export function makeLogDirs(dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

/**
 * Clears the attempt's log file (the monitor creates it) and points `link` (/var/log/containers/...) at it: two
 * unlinks and a symlink when makeLogDirs ran; the link's directory is made here only when it did not.
 */
export function prepareLog(logPath: string, link: string): void {
  rmSync(logPath, { force: true });
  rmSync(link, { force: true });
  try {
    symlinkSync(logPath, link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(logPath, link);
  }
}

/** Removes a container's log and the files the monitor rotated it into (N.log.YYYYMMDD-HHMMSS[.K]). */
export async function removeLogFiles(logPath: string): Promise<void> {
  const dir = dirname(logPath);
  const base = logPath.slice(dir.length + 1);
  for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (f === base || f.startsWith(`${base}.`)) await fsp.rm(join(dir, f), { force: true });
  }
}

/** Removes a container's /var/log/containers link. */
export async function removeLogLink(link: string): Promise<void> {
  await fsp.rm(link, { force: true });
}

/** Removes a pod's log directory (/var/log/pods/NS_NAME_UID) with everything in it. */
export async function removePodLogs(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}
