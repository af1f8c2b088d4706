/**
 * The pod's Quality of Service class, computed as the kubelet and API server compute it
 * (pkg/apis/core/helper/qos, ComputePodQOS): only cpu and memory count, summed over init and app containers.
 * - BestEffort: no container requests or limits any cpu or memory;
 * - Guaranteed: every container has cpu and memory limits, and the summed requests equal the summed limits;
 * - Burstable: anything else.
 * Like the API server's, it expects a defaulted pod (requests already copied from limits).
 */
import { compareQuantity, tryParseQuantity } from "./quantity.js";
const QOS_RESOURCES = ["cpu", "memory"];
/** Adds the positive quantities of `list` for cpu and memory into `sums`; returns the names that had one. */
function accumulate(list, sums) {
    const found = new Set();
    for (const [name, value] of Object.entries(list ?? {})) {
        if (!QOS_RESOURCES.includes(name))
            continue;
        const q = tryParseQuantity(value);
        if (typeof q === "string" || compareQuantity(q, { nanos: 0n, format: "DecimalSI" }) <= 0)
            continue;
        found.add(name);
        sums.set(name, (sums.get(name) ?? 0n) + q.nanos);
    }
    return found;
}
export function podQOSClass(pod) {
    const requests = new Map();
    const limits = new Map();
    let guaranteed = true;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
        accumulate(c.resources?.requests, requests);
        const limited = accumulate(c.resources?.limits, limits);
        if (!QOS_RESOURCES.every((r) => limited.has(r)))
            guaranteed = false;
    }
    if (requests.size === 0 && limits.size === 0)
        return "BestEffort";
    if (guaranteed) {
        for (const [name, value] of requests)
            if (limits.get(name) !== value)
                guaranteed = false;
    }
    return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
//# sourceMappingURL=qos.js.map