const empty = () => ({ killPod: false, createSandbox: false, containersToKill: [], containersToStart: [], backingOff: [] });
/** The most recent container (highest attempt) of each name. */
export function latestByName(containers, init) {
    const out = new Map();
    for (const c of containers) {
        if (c.init !== init)
            continue;
        const cur = out.get(c.name);
        if (!cur || c.attempt > cur.attempt)
            out.set(c.name, c);
    }
    return out;
}
/** Whether an exited container restarts under the pod's policy (sidecars always restart). */
export function shouldRestart(policy, exitCode, sidecar = false) {
    if (sidecar || policy === "Always")
        return true;
    if (policy === "OnFailure")
        return exitCode !== 0;
    return false;
}
export const isSidecar = (c) => c.restartPolicy === "Always";
export function computePodActions(pod, seen) {
    const policy = pod.spec.restartPolicy ?? "Always";
    const inits = latestByName(seen.containers, true);
    const apps = latestByName(seen.containers, false);
    if (failedForGood(pod))
        return stopForGood(seen);
    const deadline = activeDeadline(pod);
    if (deadline !== undefined && seen.now >= deadline && !isTerminal(pod))
        return deadlineExceeded(seen);
    const actions = seen.sandbox?.state !== "ready" ? sandboxActions(pod, seen, policy, inits, apps) : runningPodActions(pod, seen, policy, inits, apps);
    if (deadline !== undefined && !isTerminal(pod))
        actions.recheckAt = deadline;
    return actions;
}
function runningPodActions(pod, seen, policy, inits, apps) {
    const actions = empty();
    if (!initContainersDone(pod, seen, policy, inits, apps.size > 0, actions))
        return finish(actions, seen, inits, apps, false);
    for (const c of pod.spec.containers)
        planRunning(c, seen, apps.get(c.name), actions, false, policy);
    stopSidecarsWhenMainDone(pod, policy, inits, apps, actions);
    return finish(actions, seen, inits, apps, true);
}
/** When the pod's activeDeadlineSeconds runs out (ms), counted from status.startTime as the kubelet does. */
export function activeDeadline(pod) {
    const secs = pod.spec.activeDeadlineSeconds;
    const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
    if (secs === undefined || Number.isNaN(start))
        return undefined;
    return start + secs * 1000;
}
const isTerminal = (pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
/** The eviction manager failed the pod (PodIsEvicted). */
export const isEvicted = (pod) => pod.status?.phase === "Failed" && pod.status.reason === "Evicted";
/**
 * Failed for a pod-level reason (Evicted, DeadlineExceeded, refused by admission): the kubelet never runs a pod in
 * a terminal phase again, whatever its restart policy; whatever still runs is stopped.
 */
const failedForGood = (pod) => pod.status?.phase === "Failed" && Boolean(pod.status.reason);
function stopForGood(seen) {
    const actions = empty();
    actions.killPod = seen.sandbox?.state === "ready" || seen.containers.some((c) => c.state !== "exited");
    return actions;
}
/** pkg/kubelet/active_deadline.go: the pod fails with reason DeadlineExceeded and everything in it stops. */
function deadlineExceeded(seen) {
    const actions = empty();
    actions.killPod = seen.sandbox?.state === "ready" || seen.containers.some((c) => c.state !== "exited");
    actions.podFailed = { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };
    return actions;
}
/** No ready sandbox: create one (and start from the first init container), unless the pod has run to its end. */
function sandboxActions(pod, seen, policy, inits, apps) {
    const actions = empty();
    actions.killPod = seen.sandbox !== undefined || seen.containers.some((c) => c.state !== "exited");
    const ranBefore = seen.containers.length > 0;
    // kubelet: a pod that must not restart and has already run keeps its dead sandbox (its phase is final).
    if (ranBefore && policy === "Never")
        return actions;
    const done = pod.spec.containers.every((c) => {
        const last = apps.get(c.name);
        return last?.state === "exited" && !shouldRestart(policy, last.exitCode);
    });
    if (ranBefore && done)
        return actions;
    actions.createSandbox = true;
    const firstInit = pod.spec.initContainers?.[0];
    if (firstInit) {
        actions.containersToStart.push(startOf(firstInit, true, inits.get(firstInit.name)));
        return actions;
    }
    for (const c of pod.spec.containers) {
        const last = apps.get(c.name);
        if (last?.state === "exited" && !shouldRestart(policy, last.exitCode))
            continue;
        actions.containersToStart.push(startOf(c, false, last));
    }
    return actions;
}
function startOf(c, init, last) {
    return { name: c.name, init, attempt: last ? last.attempt + 1 : 0, restartAfter: last?.finishedAt };
}
/**
 * Walks the init containers in order. Returns true when all regular init containers have succeeded and every
 * sidecar is running and started; otherwise records the one next step and returns false. A sidecar that crashes
 * after the pod initialized is restarted here too (it keeps restartPolicy Always whatever the pod's policy).
 */
function initContainersDone(pod, seen, policy, inits, initialized, actions) {
    for (const c of pod.spec.initContainers ?? []) {
        const last = inits.get(c.name);
        if (isSidecar(c)) {
            planRunning(c, seen, last, actions, true, policy);
            // Once app containers have run (the kubelet's podHasInitialized), a restarting sidecar blocks nothing.
            if ((last?.state !== "running" || seen.notStarted.has(c.name)) && !initialized)
                return false;
            continue;
        }
        if (!last || ranInEarlierSandbox(last, seen)) {
            // A re-created sandbox runs its init containers again, as the kubelet does.
            actions.containersToStart.push(startOf(c, true, last));
            return false;
        }
        if (last.state !== "exited")
            return false;
        if (last.exitCode === 0)
            continue;
        if (policy === "Never") {
            actions.podFailed = {};
            actions.killPod = true;
        }
        else {
            startWithBackoff(c, true, last, seen, actions);
        }
        return false;
    }
    return true;
}
function ranInEarlierSandbox(c, seen) {
    const since = seen.sandbox?.createdAt;
    return since !== undefined && c.createdAt !== undefined && c.state === "exited" && c.createdAt < since;
}
/** A container that should be running: start it, restart it, or kill it when unhealthy or changed. */
function planRunning(c, seen, last, actions, sidecar, policy) {
    if (!last) {
        actions.containersToStart.push(startOf(c, sidecar, undefined));
        return;
    }
    if (last.state === "running" || last.state === "created") {
        const kill = killFor(c, last, seen);
        if (kill) {
            actions.containersToKill.push(kill);
            // kubelet restarts a container it killed for these reasons right away if the policy allows it.
            if (shouldRestart(policy, 137, sidecar))
                actions.containersToStart.push(startOf(c, sidecar, last));
        }
        return;
    }
    if (shouldRestart(policy, last.exitCode, sidecar))
        startWithBackoff(c, sidecar, last, seen, actions);
}
/** The kill a running container needs: its spec changed, or a liveness/startup probe gave up on it. */
function killFor(c, last, seen) {
    if (last.specHash !== seen.specHash(c)) {
        return { id: last.id, name: c.name, reason: "SpecChanged", message: `Container ${c.name} definition changed, will be restarted` };
    }
    const probe = seen.unhealthy.get(c.name);
    if (!probe)
        return undefined;
    return { id: last.id, name: c.name, reason: "Unhealthy", probe, message: `Container ${c.name} failed ${probe} probe, will be restarted` };
}
function startWithBackoff(c, init, last, seen, actions) {
    const until = seen.backoffUntil.get(c.name);
    if (until !== undefined)
        actions.backingOff.push({ name: c.name, until });
    else
        actions.containersToStart.push(startOf(c, init, last));
}
/**
 * KEP-753: once every regular container of a pod that will not restart them has finished, its sidecars are
 * stopped, last defined first (they would otherwise keep the pod Running forever).
 */
function stopSidecarsWhenMainDone(pod, policy, inits, apps, actions) {
    if (policy === "Always")
        return;
    const mainDone = pod.spec.containers.every((c) => {
        const last = apps.get(c.name);
        return last?.state === "exited" && !shouldRestart(policy, last.exitCode);
    });
    if (!mainDone)
        return;
    const sidecars = new Set((pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name));
    actions.containersToStart = actions.containersToStart.filter((s) => !s.init);
    actions.backingOff = actions.backingOff.filter((b) => !sidecars.has(b.name));
    actions.containersToKill = actions.containersToKill.filter((k) => !sidecars.has(k.name));
    for (const c of [...(pod.spec.initContainers ?? [])].reverse()) {
        const last = inits.get(c.name);
        if (isSidecar(c) && last && last.state !== "exited") {
            actions.containersToKill.push({ id: last.id, name: c.name, reason: "SidecarTermination", message: `Stopping container ${c.name}` });
        }
    }
}
/** kubelet: nothing to start, nothing waiting and nothing left running → the pod is done; stop its sandbox. */
function finish(actions, seen, inits, apps, initsDone) {
    if (actions.killPod || !initsDone)
        return actions;
    const killed = new Set(actions.containersToKill.map((k) => k.id));
    const keep = [...inits.values(), ...apps.values()].filter((c) => c.state !== "exited" && !killed.has(c.id));
    if (actions.containersToStart.length === 0 && actions.backingOff.length === 0 && keep.length === 0 && seen.containers.length > 0) {
        actions.killPod = true;
    }
    return actions;
}
//# sourceMappingURL=plan.js.map