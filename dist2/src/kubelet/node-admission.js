import { cpuMilli, memoryBytes } from "../api/quantity.js";
function containerRequests(c) {
    return { cpuMilli: cpuMilli(c.resources?.requests?.cpu) ?? 0, memoryBytes: memoryBytes(c.resources?.requests?.memory) ?? 0 };
}
const add = (a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes });
const max = (a, b) => ({ cpuMilli: Math.max(a.cpuMilli, b.cpuMilli), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) });
/**
 * What a pod asks of the node (resourcehelper.PodRequests): the app containers plus the sidecars, or the largest
 * init container plus the sidecars started before it if that is more, plus the pod overhead.
 */
export function podRequests(pod) {
    let sidecars = { cpuMilli: 0, memoryBytes: 0 };
    let initPeak = { cpuMilli: 0, memoryBytes: 0 };
    for (const c of pod.spec.initContainers ?? []) {
        if (c.restartPolicy === "Always")
            sidecars = add(sidecars, containerRequests(c));
        else
            initPeak = max(initPeak, add(sidecars, containerRequests(c)));
    }
    const apps = pod.spec.containers.map(containerRequests).reduce(add, sidecars);
    const overhead = { cpuMilli: cpuMilli(pod.spec.overhead?.cpu) ?? 0, memoryBytes: memoryBytes(pod.spec.overhead?.memory) ?? 0 };
    return add(max(apps, initPeak), overhead);
}
/** Whether `pod` fits next to `admitted` (the active pods already admitted); the first resource short says why. */
export function checkFit(pod, admitted, alloc) {
    if (admitted.length + 1 > alloc.pods)
        return shortOf("pods", 1, admitted.length, alloc.pods);
    const want = podRequests(pod);
    const used = admitted.map(podRequests).reduce(add, { cpuMilli: 0, memoryBytes: 0 });
    if (want.cpuMilli > 0 && used.cpuMilli + want.cpuMilli > alloc.cpuMilli)
        return shortOf("cpu", want.cpuMilli, used.cpuMilli, alloc.cpuMilli);
    if (want.memoryBytes > 0 && used.memoryBytes + want.memoryBytes > alloc.memoryBytes) {
        return shortOf("memory", want.memoryBytes, used.memoryBytes, alloc.memoryBytes);
    }
    return undefined;
}
function shortOf(resource, requested, used, capacity) {
    return { reason: `OutOf${resource}`, message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
}
const isTerminal = (p) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
/** Remembers which pods were admitted; a pod that already has a sandbox was admitted by an earlier run. */
export class NodeAdmission {
    allocatable;
    activePods;
    hasSandbox;
    pressure;
    admitted = new Set();
    constructor(allocatable, activePods, hasSandbox, 
    /** The eviction manager's admission under node pressure (a refusal there is final, as the kubelet's). */
    pressure = () => undefined) {
        this.allocatable = allocatable;
        this.activePods = activePods;
        this.hasSandbox = hasSandbox;
        this.pressure = pressure;
    }
    admit(pod) {
        const uid = pod.metadata.uid;
        if (this.admitted.has(uid) || this.hasSandbox(uid)) {
            this.admitted.add(uid);
            return undefined;
        }
        // Refused for good earlier (or failed before it ever ran): it stays as it is.
        if (pod.status?.phase === "Failed")
            return { reason: pod.status.reason ?? "", message: pod.status.message ?? "", final: true };
        const refused = this.pressure(pod);
        if (refused)
            return { ...refused, final: true };
        const others = this.activePods().filter((p) => {
            const id = p.metadata.uid;
            return id !== uid && !isTerminal(p) && (this.admitted.has(id) || this.hasSandbox(id));
        });
        const rejection = checkFit(pod, others, this.allocatable());
        if (!rejection)
            this.admitted.add(uid);
        return rejection;
    }
    forget(uid) {
        this.admitted.delete(uid);
    }
}
//# sourceMappingURL=node-admission.js.map