/**
 * Mirror pods (pkg/kubelet/pod/mirror_client.go and the kubelet's syncPod/housekeeping use of it): for each static
 * pod the API shows a pod of the same name and spec, annotated kubernetes.io/config.mirror with the static pod's
 * hash and owned by the Node. The kubelet runs the static pod, never the mirror: a mirror deleted through the API is
 * made again (the containers keep running), a stale one (older hash) is replaced, and one whose static pod is gone
 * is removed.
 */
import { ApiError } from "../api/errors.js";
import { MIRROR_ANNOTATION, isMirrorPod } from "./pod-objects.js";
export class MirrorPods {
    store;
    nodeName;
    log;
    conflicts = new Set();
    constructor(store, nodeName, log) {
        this.store = store;
        this.nodeName = nodeName;
        this.log = log;
    }
    /** Makes sure the API shows `pod` (a static pod) through an up-to-date mirror pod. */
    ensure(pod) {
        const ns = pod.metadata.namespace ?? "default";
        const existing = this.store.get("Pod", ns, pod.metadata.name);
        if (existing) {
            const current = existing.metadata.annotations?.[MIRROR_ANNOTATION] === pod.metadata.uid;
            if (current && !existing.metadata.deletionTimestamp)
                return;
            if (!isMirrorPod(existing)) {
                const key = `${ns}/${pod.metadata.name}`;
                if (!this.conflicts.has(key))
                    this.log?.(`static pod ${key}: a pod that is not its mirror holds the name; the static pod runs without one`);
                this.conflicts.add(key);
                return;
            }
            this.remove(existing);
        }
        this.conflicts.delete(`${ns}/${pod.metadata.name}`);
        try {
            this.store.create(this.mirrorOf(pod));
        }
        catch (err) {
            if (!(err instanceof ApiError) || err.reason !== "AlreadyExists")
                throw err;
        }
    }
    mirrorOf(pod) {
        const node = this.store.get("Node", "", this.nodeName);
        const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...meta } = pod.metadata;
        return {
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
                ...meta,
                annotations: { ...meta.annotations, [MIRROR_ANNOTATION]: pod.metadata.uid },
                ownerReferences: node ? [{ apiVersion: "v1", kind: "Node", name: this.nodeName, uid: node.metadata.uid, controller: true }] : undefined,
            },
            spec: pod.spec,
            status: { phase: "Pending", qosClass: pod.status?.qosClass },
        };
    }
    /** Deletes a mirror pod (with its uid, so a newer one is never removed by mistake). */
    remove(mirror) {
        try {
            this.store.delete("Pod", mirror.metadata.namespace ?? "default", mirror.metadata.name, { uid: mirror.metadata.uid });
        }
        catch (err) {
            if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict"))
                throw err;
        }
    }
    /** Mirror pods of this node whose static pod is not in `live` (static pod uids): left from an earlier run. */
    orphans(live) {
        return this.store
            .list("Pod", { fieldSelector: `spec.nodeName=${this.nodeName}` })
            .items.filter((p) => isMirrorPod(p) && !live.has(p.metadata.annotations[MIRROR_ANNOTATION]));
    }
}
//# sourceMappingURL=mirror-pods.js.map