/**
 * Writes a pod's status (the kubelet's status manager): gathers what generatePodStatus needs from the runtime and
 * the probe results, computes the status, and stores it through the status subresource when it changed. The
 * object written is the pod itself, or for a static pod its mirror pod (pod-objects.ts).
 */
import { ApiError } from "../api/errors.js";
import { generatePodStatus } from "./pod-status.js";
export function observed(c) {
    return {
        id: c.id,
        name: c.name,
        attempt: c.attempt,
        init: c.init,
        state: c.state,
        exitCode: c.exitCode,
        specHash: c.specHash,
        finishedAt: c.finishedAt ? Date.parse(c.finishedAt) : undefined,
        createdAt: Date.parse(c.createdAt),
    };
}
/** The running instances of a pod's containers with their specs (for probe views). */
export function runningInstances(pod, records) {
    const out = [];
    for (const c of records) {
        if (c.state !== "running")
            continue;
        const spec = (c.init ? pod.spec.initContainers ?? [] : pod.spec.containers).find((s) => s.name === c.name);
        if (spec)
            out.push({ spec, id: c.id, startedAt: Date.parse(c.startedAt ?? c.createdAt), init: c.init });
    }
    return out;
}
export function rfc3339(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
export class StatusWriter {
    d;
    constructor(d) {
        this.d = d;
    }
    /** Computes and stores the pod's status if it changed; a pod being deleted or gone is left alone. */
    write(pod, extras) {
        const fresh = this.d.objects.statusObject(pod);
        if (!fresh || fresh.metadata.deletionTimestamp)
            return;
        const status = generatePodStatus({ ...pod, status: fresh.status }, this.input(pod, extras, fresh));
        if (JSON.stringify(status) === JSON.stringify(fresh.status ?? {}))
            return;
        try {
            this.d.store.update({ ...fresh, status }, { subresource: "status" });
        }
        catch (err) {
            if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict"))
                throw err;
        }
    }
    input(pod, extras, fresh) {
        const uid = pod.metadata.uid;
        const sandbox = this.d.runtime.sandbox(uid);
        const records = this.d.runtime.containers(uid);
        const view = this.d.probes.view(uid, runningInstances(pod, records));
        const hostNetwork = fresh.spec.hostNetwork ?? pod.spec.hostNetwork;
        return {
            containers: records.map((c) => ({
                ...observed(c),
                startedAt: c.startedAt,
                finishedAtIso: c.finishedAt,
                reason: c.oomKilled ? "OOMKilled" : c.reason,
                message: c.message,
                signal: c.signal,
                imageId: c.imageId,
            })),
            sandboxReady: sandbox?.state === "ready",
            waiting: extras.waiting,
            readiness: view.readiness,
            started: view.started,
            podIPs: hostNetwork ? [this.d.hostIP()] : sandbox?.ips ?? [],
            hostIP: this.d.hostIP(),
            now: rfc3339(this.d.clock.now()),
            terminal: extras.terminal,
            pending: extras.pending,
        };
    }
}
//# sourceMappingURL=status-writer.js.map