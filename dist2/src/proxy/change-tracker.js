import { compareEntries, serviceEntries } from "./model.js";
const SERVICE_NAME = "kubernetes.io/service-name";
export class ChangeTracker {
    store;
    onChange;
    services = new Map();
    /** "namespace/service" → slice name → slice. */
    slices = new Map();
    /** The service a slice was filed under (its label may change). */
    sliceOwner = new Map();
    entries = new Map();
    dirty = new Set();
    sorted;
    stops = [];
    scheduled = false;
    constructor(store, onChange) {
        this.store = store;
        this.onChange = onChange;
    }
    start() {
        const svcs = this.store.list("Service");
        for (const s of svcs.items)
            this.setService(s);
        const sls = this.store.list("EndpointSlice");
        for (const s of sls.items)
            this.setSlice(s);
        this.stops = [
            this.store.watch("Service", { resourceVersion: svcs.resourceVersion }, (ev) => this.event(ev, (o) => this.setService(o), (o) => this.deleteService(o))),
            this.store.watch("EndpointSlice", { resourceVersion: sls.resourceVersion }, (ev) => this.event(ev, (o) => this.setSlice(o), (o) => this.deleteSlice(o))),
        ];
    }
    stop() {
        for (const s of this.stops)
            s();
        this.stops = [];
    }
    /** The state now: entries of changed services recomputed, the others reused. */
    state() {
        for (const key of this.dirty) {
            const svc = this.services.get(key);
            const next = svc ? serviceEntries(svc, [...(this.slices.get(key)?.values() ?? [])]) : [];
            if (next.length)
                this.entries.set(key, next);
            else
                this.entries.delete(key);
            this.sorted = undefined;
        }
        this.dirty.clear();
        this.sorted ??= [...this.entries.values()].flat().sort(compareEntries);
        return { services: this.sorted };
    }
    event(ev, set, del) {
        if (ev.type === "DELETED")
            del(ev.object);
        else if (ev.type === "ADDED" || ev.type === "MODIFIED")
            set(ev.object);
        else
            return;
        this.changed();
    }
    setService(s) {
        const key = svcKey(s.metadata.namespace, s.metadata.name);
        this.services.set(key, s);
        this.dirty.add(key);
    }
    deleteService(s) {
        const key = svcKey(s.metadata.namespace, s.metadata.name);
        this.services.delete(key);
        this.dirty.add(key);
    }
    setSlice(s) {
        this.deleteSlice(s);
        const owner = s.metadata.labels?.[SERVICE_NAME];
        if (!owner || s.addressType !== "IPv4")
            return;
        const key = svcKey(s.metadata.namespace, owner);
        const group = this.slices.get(key) ?? this.slices.set(key, new Map()).get(key);
        group.set(s.metadata.name ?? "", s);
        this.sliceOwner.set(svcKey(s.metadata.namespace, s.metadata.name), key);
        this.dirty.add(key);
    }
    deleteSlice(s) {
        const id = svcKey(s.metadata.namespace, s.metadata.name);
        const key = this.sliceOwner.get(id);
        if (!key)
            return;
        this.sliceOwner.delete(id);
        this.slices.get(key)?.delete(s.metadata.name ?? "");
        this.dirty.add(key);
    }
    changed() {
        if (this.scheduled)
            return;
        this.scheduled = true;
        setImmediate(() => {
            this.scheduled = false;
            this.onChange();
        });
    }
}
function svcKey(namespace, name) {
    return `${namespace ?? "default"}/${name ?? ""}`;
}
//# sourceMappingURL=change-tracker.js.map