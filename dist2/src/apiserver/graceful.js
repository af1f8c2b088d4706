import { rfc3339 } from "../store/metadata.js";
export const DEFAULT_GRACE_SECONDS = 30;
export function planPodDeletion(pod, requested, now) {
    const req = requested !== undefined && requested < 0 ? 1 : requested;
    const m = pod.metadata;
    if (m.deletionTimestamp) {
        const current = m.deletionGracePeriodSeconds ?? 0;
        if (current === 0)
            return { action: "remove" };
        if (req === undefined || req >= current)
            return { action: "unchanged" };
        if (req === 0)
            return { action: "remove" };
        const deadline = Date.parse(m.deletionTimestamp) - current * 1000 + req * 1000;
        return { action: "mark", deletionTimestamp: rfc3339(new Date(deadline)), gracePeriodSeconds: req, firstMark: false };
    }
    let grace = req ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === "Succeeded" || phase === "Failed")
        grace = 0;
    if (grace === 0)
        return { action: "remove" };
    return { action: "mark", deletionTimestamp: rfc3339(new Date(now + grace * 1000)), gracePeriodSeconds: grace, firstMark: true };
}
//# sourceMappingURL=graceful.js.map