import { desiredEndpoints, desiredSlices, MANAGED_BY_LABEL, MIRROR_CONTROLLER, mirroredSlices, podSelected, SERVICE_NAME_LABEL, SLICE_CONTROLLER } from "./endpoints.js";
import { keyOf } from "./object-index.js";
export class EndpointsController {
    store;
    log;
    dirty = new Set();
    podLabels = new Map();
    scheduled = false;
    stops = [];
    constructor(store, log = () => undefined) {
        this.store = store;
        this.log = log;
    }
    /** Reconciles every service once, then follows changes until stop(). */
    start() {
        for (const pod of this.store.list("Pod").items)
            this.podLabels.set(keyOf(pod), pod.metadata.labels ?? {});
        for (const svc of this.store.list("Service").items)
            this.dirty.add(keyOf(svc));
        this.stops = [
            this.store.watch("Service", {}, (ev) => this.mark(keyOf(ev.object))),
            this.store.watch("Pod", {}, (ev) => this.onPod(ev)),
            this.store.watch("Endpoints", {}, (ev) => this.onEndpoints(ev)),
        ];
        this.flush();
    }
    stop() {
        for (const s of this.stops)
            s();
        this.stops = [];
    }
    onPod(ev) {
        const pod = ev.object;
        const key = keyOf(pod);
        const before = this.podLabels.get(key);
        if (ev.type === "DELETED")
            this.podLabels.delete(key);
        else
            this.podLabels.set(key, pod.metadata.labels ?? {});
        const ns = pod.metadata.namespace ?? "default";
        for (const svc of this.store.list("Service", { namespace: ns }).items) {
            const withLabels = (labels) => podSelected(svc, { ...pod, metadata: { ...pod.metadata, labels } });
            if (withLabels(pod.metadata.labels) || (before && withLabels(before)))
                this.mark(keyOf(svc));
        }
    }
    /** Hand-written Endpoints of a selectorless service are mirrored to slices. */
    onEndpoints(ev) {
        const svc = this.store.get("Service", ev.object.metadata.namespace ?? "default", ev.object.metadata.name ?? "");
        if (svc && !hasSelector(svc))
            this.mark(keyOf(svc));
    }
    mark(key) {
        this.dirty.add(key);
        if (this.scheduled)
            return;
        this.scheduled = true;
        setImmediate(() => this.flush());
    }
    /** Reconciles every marked service. Writes happen outside the watch handlers that marked them. */
    flush() {
        this.scheduled = false;
        const keys = [...this.dirty];
        this.dirty.clear();
        for (const key of keys) {
            try {
                this.reconcile(key);
            }
            catch (err) {
                this.log(`endpoints controller: service ${key}: ${String(err)}`);
            }
        }
    }
    reconcile(key) {
        const [ns, name] = key.split("/");
        const svc = this.store.get("Service", ns, name);
        if (!svc || svc.spec.type === "ExternalName") {
            this.remove(ns, name, svc !== undefined);
            return;
        }
        if (!hasSelector(svc)) {
            const ep = this.store.get("Endpoints", ns, name);
            this.writeSlices(ns, name, mirroredSlices(svc, ep), MIRROR_CONTROLLER);
            return;
        }
        const pods = this.store.list("Pod", { namespace: ns }).items;
        this.write(desiredEndpoints(svc, pods), (a, b) => same(a.subsets ?? [], b.subsets ?? []) && same(a.metadata.labels, b.metadata.labels));
        this.writeSlices(ns, name, desiredSlices(svc, pods), SLICE_CONTROLLER);
    }
    /** Creates or updates `want` unless the stored object already says the same. */
    write(want, equal) {
        const md = want.metadata;
        const have = this.store.get(want.kind, md.namespace ?? "", md.name ?? "");
        if (!have) {
            this.store.create(want);
            return;
        }
        if (equal(have, want))
            return;
        this.store.update({ ...want, metadata: { ...have.metadata, labels: md.labels, ownerReferences: md.ownerReferences ?? have.metadata.ownerReferences } });
    }
    writeSlices(ns, service, want, managedBy) {
        const names = new Set(want.map((s) => s.metadata.name));
        for (const s of want)
            this.write(s, (a, b) => same(a.endpoints, b.endpoints) && same(a.ports ?? [], b.ports ?? []) && same(a.metadata.labels, b.metadata.labels));
        for (const old of this.slicesOf(ns, service)) {
            if (old.metadata.labels?.[MANAGED_BY_LABEL] === managedBy && !names.has(old.metadata.name))
                this.deleteQuietly("EndpointSlice", ns, old.metadata.name);
        }
    }
    slicesOf(ns, service) {
        return this.store.list("EndpointSlice", { namespace: ns, labelSelector: `${SERVICE_NAME_LABEL}=${service}` }).items;
    }
    /** The service is gone (or became ExternalName): its Endpoints and our slices go too. */
    remove(ns, name, keepEndpoints) {
        if (!keepEndpoints)
            this.deleteQuietly("Endpoints", ns, name);
        for (const s of this.slicesOf(ns, name)) {
            const by = s.metadata.labels?.[MANAGED_BY_LABEL];
            if (by === SLICE_CONTROLLER || by === MIRROR_CONTROLLER)
                this.deleteQuietly("EndpointSlice", ns, s.metadata.name);
        }
    }
    deleteQuietly(kind, ns, name) {
        if (!this.store.get(kind, ns, name))
            return;
        try {
            this.store.delete(kind, ns, name);
        }
        catch {
            // deleted meanwhile
        }
    }
}
function hasSelector(svc) {
    return Object.keys(svc.spec.selector ?? {}).length > 0;
}
function same(a, b) {
    return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
//# sourceMappingURL=endpoints-controller.js.map