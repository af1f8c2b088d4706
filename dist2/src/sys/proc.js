/**
 * Processes as the kernel shows them in /proc: identity (pid + start time, so a recycled pid is never mistaken
 * for ours), liveness, and signals. Signals are recorded like commands (`kill -TERM 1234`).
 */
import { readFileSync, promises as fsp } from "node:fs";
import { constants } from "node:os";
/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined when the process is gone. */
export function processStartTime(pid, procRoot = "/proc") {
    try {
        const stat = readFileSync(`${procRoot}/${pid}/stat`, "utf8");
        // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[19]);
    }
    catch {
        return undefined;
    }
}
/** State letter of /proc/PID/stat (R, S, Z, ...), undefined when gone. */
export function processState(pid, procRoot = "/proc") {
    try {
        const stat = readFileSync(`${procRoot}/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    }
    catch {
        return undefined;
    }
}
/** True when `pid` is alive (not a zombie) and, if given, still the process that started at `startTime`. */
export function isSameProcess(pid, startTime) {
    const st = processStartTime(pid);
    if (st === undefined)
        return false;
    if (startTime !== undefined && st !== startTime)
        return false;
    return processState(pid) !== "Z";
}
/**
 * Sends a signal to a process we started, after checking it is still that process. Returns false when it was
 * already gone. Recorded for `explain` as `kill -SIG PID`.
 */
export function signalProcess(runner, pid, signal, startTime, owner) {
    if (!isSameProcess(pid, startTime))
        return false;
    const started = Date.now();
    try {
        process.kill(pid, signal);
    }
    catch (err) {
        if (err.code === "ESRCH")
            return false;
        throw err;
    }
    runner.note(owner, { kind: "exec", argv: ["kill", `-${signal.replace(/^SIG/, "")}`, String(pid)], at: new Date(started).toISOString(), ms: 0, exitCode: 0 });
    return true;
}
/** Signal number by name ("SIGTERM" or "TERM"), undefined when unknown. */
export function signalNumber(name) {
    const key = (name.startsWith("SIG") ? name : `SIG${name}`);
    return constants.signals[key];
}
/** Direct children pids of `pid` (from /proc/PID/task/TID/children). */
export async function childPids(pid) {
    try {
        const text = await fsp.readFile(`/proc/${pid}/task/${pid}/children`, "utf8");
        return text.split(" ").filter(Boolean).map(Number);
    }
    catch {
        return [];
    }
}
/** Resident set size of a process in bytes (VmRSS), 0 when gone. */
export function processRss(pid) {
    try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) * 1024 : 0;
    }
    catch {
        return 0;
    }
}
//# sourceMappingURL=proc.js.map