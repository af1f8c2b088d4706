/**
 * Reading cgroupfs files and removing cgroup trees; shared by the v1 and v2 managers.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { HostError } from "../host-error.js";
/** An integer file (cpuacct.usage, memory.current); a missing file or "max" reads as 0. */
export async function readIntFile(path) {
    try {
        const text = (await fsp.readFile(path, "utf8")).trim();
        const n = Number(text);
        return Number.isFinite(n) ? n : 0;
    }
    catch {
        return 0;
    }
}
/** A `key value` per line file (memory.stat, memory.events, memory.oom_control, cpu.stat). Missing reads empty. */
export async function readKeyedFile(path) {
    const out = new Map();
    let text;
    try {
        text = await fsp.readFile(path, "utf8");
    }
    catch {
        return out;
    }
    for (const line of text.split("\n")) {
        const [key, value] = line.trim().split(/\s+/);
        if (key && value !== undefined && Number.isFinite(Number(value)))
            out.set(key, Number(value));
    }
    return out;
}
/** PIDs listed in DIR/cgroup.procs; a missing cgroup has none. */
export async function readProcs(dir) {
    try {
        const text = await fsp.readFile(join(dir, "cgroup.procs"), "utf8");
        return text
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map(Number);
    }
    catch {
        return [];
    }
}
/** Names of the child cgroups (subdirectories) of DIR. */
export async function listChildren(dir) {
    try {
        const entries = await fsp.readdir(dir, { withFileTypes: true });
        return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    }
    catch {
        return [];
    }
}
/**
 * Removes a cgroup directory and its child cgroups, deepest first, with `rmdir` (cgroupfs directories are removed
 * with rmdir even though they list files). A missing directory is fine.
 */
export async function removeTree(dir, rmdir) {
    for (const child of await listChildren(dir))
        await removeTree(join(dir, child), rmdir);
    try {
        await rmdir(dir);
    }
    catch (err) {
        // Only a plain directory standing in for cgroupfs (the test tree) can be "not empty" with no child
        // directories left: real cgroupfs answers EBUSY when processes remain.
        if (!String(err).includes("ENOTEMPTY"))
            throw err;
        for (const f of await fsp.readdir(dir))
            await fsp.rm(join(dir, f), { force: true });
        await rmdir(dir);
    }
}
/** Removes each directory tree (one per v1 hierarchy, or the one v2 directory), naming the one that failed. */
export async function removeCgroupDirs(dirs, runner, owner) {
    for (const dir of dirs) {
        try {
            await removeTree(dir, (d) => runner.rmdir(d, owner));
        }
        catch (err) {
            if (err instanceof HostError)
                throw err;
            throw new HostError("remove cgroup", dir, owner ?? "", err);
        }
    }
}
//# sourceMappingURL=files.js.map