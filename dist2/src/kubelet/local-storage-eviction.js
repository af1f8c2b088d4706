import { formatQuantity, tryParseQuantity } from "../api/quantity.js";
/** The kubelet's podEphemeralStorageMessageFmt and containerEphemeralStorageMessageFmt. */
export const podEphemeralStorageMessage = (limit) => `Pod ephemeral local storage usage exceeds the total limit of containers ${limit}. `;
export const containerEphemeralStorageMessage = (name, limit) => `Container ${name} exceeded its local ephemeral storage limit ${JSON.stringify(limit)}. `;
function limitOf(c) {
    const q = c.resources?.limits?.["ephemeral-storage"];
    if (q === undefined)
        return undefined;
    const v = tryParseQuantity(q);
    return typeof v === "string" ? undefined : v;
}
const sum = (qs) => qs.length === 0 ? undefined : { nanos: qs.reduce((n, q) => n + q.nanos, 0n), format: qs[0].format };
/**
 * The pod's ephemeral-storage limit (resourcehelper.PodLimits): the sum over its app containers and sidecars,
 * or the largest limit of a one-off init container if that is more; undefined when no container sets one.
 */
export function podEphemeralStorageLimit(pod) {
    const inits = pod.spec.initContainers ?? [];
    const sidecars = inits.filter((c) => c.restartPolicy === "Always");
    const total = sum([...pod.spec.containers, ...sidecars].map(limitOf).filter((q) => q !== undefined));
    let out = total;
    for (const c of inits) {
        if (c.restartPolicy === "Always")
            continue;
        const q = limitOf(c);
        if (q && (!out || q.nanos > out.nanos))
            out = q;
    }
    return out;
}
/** Whether the pod has any ephemeral-storage limit (only those pods need measuring). */
export const hasEphemeralStorageLimit = (pod) => [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((c) => limitOf(c) !== undefined);
/** The eviction message for `pod` over its local storage limits, or undefined. The pod limit is checked first. */
export function localStorageViolation(pod, usage) {
    const podLimit = podEphemeralStorageLimit(pod);
    if (podLimit && usage.diskBytes !== undefined && BigInt(usage.diskBytes) * 1000000000n > podLimit.nanos) {
        return podEphemeralStorageMessage(formatQuantity(podLimit));
    }
    for (const s of usage.containers) {
        const c = pod.spec.containers.find((x) => x.name === s.name);
        const limit = c && limitOf(c);
        if (!limit || limit.nanos === 0n || s.diskBytes === undefined)
            continue;
        if (BigInt(s.diskBytes) * 1000000000n > limit.nanos)
            return containerEphemeralStorageMessage(s.name, formatQuantity(limit));
    }
    return undefined;
}
//# sourceMappingURL=local-storage-eviction.js.map