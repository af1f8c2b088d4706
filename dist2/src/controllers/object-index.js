export class ObjectIndex {
    valuesOf;
    /** value → "namespace/name" of the holder. */
    holders = new Map();
    /** "namespace/name" → the values it holds. */
    held = new Map();
    /** `valuesOf` says which values an object holds (e.g. its clusterIP). */
    constructor(valuesOf) {
        this.valuesOf = valuesOf;
    }
    /** Loads the current objects of `kind` and follows changes; returns the function that stops following. */
    follow(store, kind) {
        const list = store.list(kind);
        for (const obj of list.items)
            this.set(obj);
        return store.watch(kind, { resourceVersion: list.resourceVersion }, (ev) => {
            if (ev.type === "DELETED")
                this.remove(ev.object);
            else if (ev.type === "ADDED" || ev.type === "MODIFIED")
                this.set(ev.object);
        });
    }
    /** Who holds `value`, or undefined. */
    holder(value) {
        return this.holders.get(value);
    }
    get size() {
        return this.holders.size;
    }
    set(obj) {
        this.remove(obj);
        const key = keyOf(obj);
        const values = this.valuesOf(obj);
        for (const v of values)
            this.holders.set(v, key);
        if (values.length)
            this.held.set(key, values);
    }
    remove(obj) {
        const key = keyOf(obj);
        for (const v of this.held.get(key) ?? [])
            if (this.holders.get(v) === key)
                this.holders.delete(v);
        this.held.delete(key);
    }
}
export function keyOf(obj) {
    return `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}
//# sourceMappingURL=object-index.js.map