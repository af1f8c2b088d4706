import { subjectKey } from "./rules.js";
/** Bindings of one scope (the cluster, or one namespace), by subject key. */
class BindingSet {
    bySubject = new Map();
    keysOf = new Map();
    get size() {
        return this.keysOf.size;
    }
    set(b) {
        this.remove(b.metadata.name ?? "");
        const name = b.metadata.name ?? "";
        const ns = b.metadata.namespace ?? "";
        const keys = [...new Set((b.subjects ?? []).map((s) => subjectKey(s, ns)).filter((k) => !!k))];
        for (const k of keys) {
            let m = this.bySubject.get(k);
            if (!m)
                this.bySubject.set(k, (m = new Map()));
            m.set(name, b);
        }
        this.keysOf.set(name, keys);
    }
    remove(name) {
        for (const k of this.keysOf.get(name) ?? []) {
            const m = this.bySubject.get(k);
            m?.delete(name);
            if (m?.size === 0)
                this.bySubject.delete(k);
        }
        this.keysOf.delete(name);
    }
    /** The bindings filed under any of `keys`, each once, in name order (so reasons are stable). */
    matching(keys) {
        const out = new Map();
        for (const k of keys)
            for (const [name, b] of this.bySubject.get(k) ?? [])
                out.set(name, b);
        return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
    }
}
export class PolicyIndex {
    clusterRoles = new Map();
    roles = new Map();
    crbs = new BindingSet();
    rbs = new Map();
    stops = [];
    /** Loads the four kinds from `store` and follows their changes until stop(). */
    follow(store) {
        this.track(store, "ClusterRole", (o) => this.clusterRoles.set(o.metadata.name ?? "", o), (o) => this.clusterRoles.delete(o.metadata.name ?? ""));
        this.track(store, "Role", (o) => this.roles.set(nsKey(o), o), (o) => this.roles.delete(nsKey(o)));
        this.track(store, "ClusterRoleBinding", (o) => this.crbs.set(o), (o) => this.crbs.remove(o.metadata.name ?? ""));
        this.track(store, "RoleBinding", (o) => this.namespaceSet(o.metadata.namespace ?? "").set(o), (o) => this.rbs.get(o.metadata.namespace ?? "")?.remove(o.metadata.name ?? ""));
        return this;
    }
    stop() {
        for (const s of this.stops.splice(0))
            s();
    }
    clusterRole(name) {
        return this.clusterRoles.get(name);
    }
    role(namespace, name) {
        return this.roles.get(`${namespace}/${name}`);
    }
    clusterRoleBindings(keys) {
        return this.crbs.matching(keys);
    }
    roleBindings(namespace, keys) {
        return this.rbs.get(namespace)?.matching(keys) ?? [];
    }
    namespaceSet(ns) {
        let s = this.rbs.get(ns);
        if (!s)
            this.rbs.set(ns, (s = new BindingSet()));
        return s;
    }
    track(store, kind, set, remove) {
        const list = store.list(kind);
        for (const o of list.items)
            set(o);
        this.stops.push(store.watch(kind, { resourceVersion: list.resourceVersion }, (ev) => {
            if (ev.type === "DELETED")
                remove(ev.object);
            else if (ev.type === "ADDED" || ev.type === "MODIFIED")
                set(ev.object);
        }));
    }
}
function nsKey(o) {
    return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}
//# sourceMappingURL=policy-index.js.map