/**
 * Bounded ends of a daemon's life, so nothing waits on it forever:
 * - ROOT/daemon.pid holds "PID STARTTIME" of the daemon running on the root (written when it starts, removed when
 *   it stops cleanly). `nodelet reset` reads it: a daemon that was sent SIGTERM may have closed its socket but not
 *   yet exited, and resetting under it would race it; reset waits for it, up to a bound, then refuses, naming it.
 * - boundedStop(): the daemon's own stop, cut off after a bound with the step it was stuck in named, so a daemon
 *   asked to stop always exits (what it left half done, the next start resumes).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../sys/clock.js";
import { isSameProcess, processStartTime } from "../sys/proc.js";
export const daemonPidFile = (root) => join(root, "daemon.pid");
/** Records this process as the root's daemon. */
export function writeDaemonPid(root, pid = process.pid) {
    writeFileSync(daemonPidFile(root), `${pid} ${processStartTime(pid) ?? ""}\n`, { mode: 0o600 });
}
/** Removes the record, if it is this process's (a later daemon's is left alone). */
export function removeDaemonPid(root, pid = process.pid) {
    if (recordedDaemon(root)?.pid === pid)
        rmSync(daemonPidFile(root), { force: true });
}
/** The daemon the root's record names, if that very process (same start time) still lives. */
export function runningDaemon(root) {
    const d = recordedDaemon(root);
    return d && isSameProcess(d.pid, d.startTime) ? d : undefined;
}
function recordedDaemon(root) {
    let text;
    try {
        text = readFileSync(daemonPidFile(root), "utf8");
    }
    catch {
        return undefined;
    }
    const [pid, start] = text.trim().split(" ").map(Number);
    if (!Number.isInteger(pid) || pid <= 0)
        return undefined;
    return { pid, startTime: Number.isFinite(start) && start > 0 ? start : undefined };
}
/**
 * The real clock with timers that keep the process alive: a command waiting on another process (reset) has
 * nothing else in its event loop, and realClock's unref'd timers would let it exit in the middle, with status 0.
 */
export const keepAliveClock = {
    now: () => Date.now(),
    setTimeout(fn, ms) {
        const t = setTimeout(fn, Math.max(0, ms));
        return { cancel: () => clearTimeout(t) };
    },
};
/** Polls `alive` every `pollMs` until it is false (true) or `boundMs` have passed (false). */
export async function waitUntilGone(alive, clock, boundMs, pollMs = 100) {
    const deadline = clock.now() + boundMs;
    while (alive()) {
        if (clock.now() >= deadline)
            return false;
        await sleep(clock, pollMs);
    }
    return true;
}
/**
 * Runs `stop` (which reports each step it enters through `step`); resolves "stopped" when it finishes, or, if it is
 * still busy after `boundMs`, "late" with the step it was in — the caller exits anyway.
 */
export async function boundedStop(stop, clock, boundMs) {
    let current = "starting to stop";
    let timer;
    const late = new Promise((resolve) => (timer = clock.setTimeout(() => resolve("late"), boundMs)));
    const done = stop((name) => (current = name)).then(() => "stopped");
    const r = await Promise.race([done, late]);
    timer?.cancel();
    return r === "stopped" ? { result: "stopped" } : { result: "late", step: current };
}
//# sourceMappingURL=daemon-stop.js.map