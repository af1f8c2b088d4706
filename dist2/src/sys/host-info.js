/**
 * What the node is made of, read from the kernel's files: CPUs, memory, swap, the filesystem behind pods' ephemeral
 * storage, kernel, OS, boot and machine ids (what it has left is node-stats.ts). procfs and /etc are parameters
 * (DESIGN.md rule 5) so a test reads a fixture tree; an unreadable file counts as empty (no swap, an empty id).
 */
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { fsStats } from "./node-stats.js";
export const HOST_PATHS = { proc: "/proc", etc: "/etc" };
/** The node's facts; ephemeral storage is the filesystem holding `root` (--root), where pods' data lives. */
export function readHostFacts(root, paths = HOST_PATHS) {
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
    };
}
function readText(p) {
    try {
        return readFileSync(p, "utf8");
    }
    catch {
        return "";
    }
}
//# sourceMappingURL=host-info.js.map