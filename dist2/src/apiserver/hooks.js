export class Hooks {
    onCreate = new Map();
    onUpdate = new Map();
    /** Runs `fn` on every create of `kind` (e.g. "Service"). Returns the function that unregisters it. */
    registerCreateHook(kind, fn) {
        return add(this.onCreate, kind, fn);
    }
    /** Runs `fn` on every update and patch of `kind`, including status writes. Returns the unregister function. */
    registerUpdateHook(kind, fn) {
        return add(this.onUpdate, kind, fn);
    }
    runCreate(obj, ctx) {
        let cur = obj;
        for (const fn of this.onCreate.get(obj.kind) ?? [])
            cur = fn(cur, ctx) ?? cur;
        return cur;
    }
    runUpdate(obj, old, ctx) {
        let cur = obj;
        for (const fn of this.onUpdate.get(obj.kind) ?? [])
            cur = fn(cur, old, ctx) ?? cur;
        return cur;
    }
}
function add(map, kind, fn) {
    const list = map.get(kind) ?? [];
    list.push(fn);
    map.set(kind, list);
    return () => {
        const i = list.indexOf(fn);
        if (i >= 0)
            list.splice(i, 1);
    };
}
//# sourceMappingURL=hooks.js.map