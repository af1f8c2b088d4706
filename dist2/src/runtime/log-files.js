/**
 * Housekeeping of container log files (the monitor writes and rotates them): a fresh file and the kubelet's
 * /var/log/containers link for each attempt, and removal of a container's files and of a pod's log directory.
 */
import { mkdirSync, promises as fsp, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
/** Clears the attempt's log file (the monitor creates it) and points `link` (/var/log/containers/...) at it. */
export function prepareLog(logPath, link) {
    rmSync(logPath, { force: true });
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(logPath, link);
}
/** Removes a container's log and the files the monitor rotated it into (N.log.YYYYMMDD-HHMMSS[.K]). */
export async function removeLogFiles(logPath) {
    const dir = dirname(logPath);
    const base = logPath.slice(dir.length + 1);
    for (const f of await fsp.readdir(dir).catch(() => [])) {
        if (f === base || f.startsWith(`${base}.`))
            await fsp.rm(join(dir, f), { force: true });
    }
}
/** Removes a container's /var/log/containers link. */
export async function removeLogLink(link) {
    await fsp.rm(link, { force: true });
}
/** Removes a pod's log directory (/var/log/pods/NS_NAME_UID) with everything in it. */
export async function removePodLogs(dir) {
    await fsp.rm(dir, { recursive: true, force: true });
}
//# sourceMappingURL=log-files.js.map