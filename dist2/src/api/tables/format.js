/**
 * A duration as kubectl prints ages: `45s`, `5m30s`, `15m`, `3h20m`, `10h`, `2d5h`, `30d`, `2y10d`
 * (k8s.io/apimachinery/pkg/util/duration.HumanDuration).
 */
export function humanDuration(ms) {
    const seconds = Math.trunc(ms / 1000);
    if (seconds < -1)
        return "<invalid>";
    if (seconds < 0)
        return "0s";
    if (seconds < 120)
        return `${seconds}s`;
    const minutes = Math.trunc(seconds / 60);
    if (minutes < 10)
        return withRest(minutes, "m", seconds % 60, "s");
    if (minutes < 180)
        return `${minutes}m`;
    const hours = Math.trunc(minutes / 60);
    if (hours < 8)
        return withRest(hours, "h", minutes % 60, "m");
    if (hours < 48)
        return `${hours}h`;
    const days = Math.trunc(hours / 24);
    if (hours < 24 * 8)
        return withRest(days, "d", hours % 24, "h");
    if (hours < 24 * 365 * 2)
        return `${days}d`;
    const years = Math.trunc(days / 365);
    if (hours < 24 * 365 * 8)
        return withRest(years, "y", days % 365, "d");
    return `${years}y`;
}
function withRest(big, bigUnit, rest, restUnit) {
    return rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${rest}${restUnit}`;
}
/** Age of a timestamp at `now` (translateTimestampSince): "<unknown>" when there is none. */
export function formatAge(timestamp, now = Date.now()) {
    if (!timestamp)
        return "<unknown>";
    const t = Date.parse(timestamp);
    if (Number.isNaN(t))
        return "<unknown>";
    return humanDuration(now - t);
}
const isSidecar = (pod, name) => (pod.spec.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === "Always");
const conditionTrue = (pod, type) => (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
/**
 * kubectl's pod status logic (kubernetes/pkg/printers/internalversion/printers.go printPod, v1.32): the phase or
 * status.reason, overridden by the first unfinished init container (`Init:1/2`, `Init:CrashLoopBackOff`,
 * `Init:Error`), then by the containers' waiting or terminated reasons (`ContainerCreating`, `CrashLoopBackOff`,
 * `Completed`, `Error`, `ExitCode:3`), then `Terminating` when a deletion is pending.
 */
export function summarizePod(pod, now = Date.now()) {
    const st = pod.status ?? {};
    let reason = st.reason || st.phase || "";
    if ((st.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated"))
        reason = "SchedulingGated";
    const total = pod.spec.containers.length + (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").length;
    const acc = { ready: 0, restarts: 0, last: 0, sidecarRestarts: 0, sidecarLast: 0 };
    const init = initReason(pod, acc);
    if (init)
        reason = init;
    if (!init || conditionTrue(pod, "Initialized")) {
        acc.restarts = acc.sidecarRestarts;
        acc.last = acc.sidecarLast;
        reason = containersReason(pod, reason, acc);
    }
    const terminal = st.phase === "Succeeded" || st.phase === "Failed";
    if (pod.metadata.deletionTimestamp && st.reason === "NodeLost")
        reason = "Unknown";
    else if (pod.metadata.deletionTimestamp && !terminal)
        reason = "Terminating";
    const restarts = acc.restarts !== 0 && acc.last > 0 ? `${acc.restarts} (${humanDuration(now - acc.last)} ago)` : String(acc.restarts);
    return {
        ready: `${acc.ready}/${total}`,
        status: reason,
        restarts,
        readyCount: acc.ready,
        totalCount: total,
        restartCount: acc.restarts,
    };
}
function lastTerminated(cs) {
    const at = cs.lastState?.terminated?.finishedAt;
    return at ? Date.parse(at) || 0 : 0;
}
/** The init-container part of printPod: returns the reason while initializing, else "". */
function initReason(pod, acc) {
    const statuses = pod.status?.initContainerStatuses ?? [];
    const count = (pod.spec.initContainers ?? []).length;
    for (let i = 0; i < statuses.length; i++) {
        const cs = statuses[i];
        const sidecar = isSidecar(pod, cs.name);
        acc.restarts += cs.restartCount ?? 0;
        acc.last = Math.max(acc.last, lastTerminated(cs));
        if (sidecar) {
            acc.sidecarRestarts += cs.restartCount ?? 0;
            acc.sidecarLast = Math.max(acc.sidecarLast, lastTerminated(cs));
        }
        const term = cs.state?.terminated;
        const waiting = cs.state?.waiting;
        if (term && term.exitCode === 0)
            continue;
        if (sidecar && cs.started) {
            if (cs.ready)
                acc.ready++;
            continue;
        }
        if (term) {
            if (term.reason)
                return `Init:${term.reason}`;
            return term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
        }
        if (waiting?.reason && waiting.reason !== "PodInitializing")
            return `Init:${waiting.reason}`;
        return `Init:${i}/${count}`;
    }
    return "";
}
/** The regular-container part of printPod, walking the statuses last to first as upstream does. */
function containersReason(pod, start, acc) {
    let reason = start;
    let hasRunning = false;
    const statuses = pod.status?.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
        const cs = statuses[i];
        acc.restarts += cs.restartCount ?? 0;
        acc.last = Math.max(acc.last, lastTerminated(cs));
        const { waiting, terminated, running } = cs.state ?? {};
        if (waiting?.reason)
            reason = waiting.reason;
        else if (terminated?.reason)
            reason = terminated.reason;
        else if (terminated)
            reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
        else if (cs.ready && running) {
            hasRunning = true;
            acc.ready++;
        }
    }
    if (reason === "Completed" && hasRunning)
        reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
    return reason;
}
/** `80/TCP,443:30443/TCP` (makePortString), or "<none>". */
export function servicePorts(ports) {
    const s = (ports ?? [])
        .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`))
        .join(",");
    return s || "<none>";
}
/** Up to `max` items then ` + N more...` (listWithMoreString); `empty` when there are none. */
export function listWithMore(items, max, empty) {
    if (items.length === 0)
        return empty;
    const shown = items.slice(0, max).join(",");
    return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}
/** Short access modes (GetAccessModesAsString): RWO, ROX, RWX, RWOP in that order. */
export function accessModes(modes) {
    const short = [
        ["ReadWriteOnce", "RWO"],
        ["ReadOnlyMany", "ROX"],
        ["ReadWriteMany", "RWX"],
        ["ReadWriteOncePod", "RWOP"],
    ];
    return short.filter(([long]) => (modes ?? []).includes(long)).map(([, s]) => s).join(",");
}
//# sourceMappingURL=format.js.map