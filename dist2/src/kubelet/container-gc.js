/** How many instances of each container name are kept (the current one and the previous one). */
export const KEEP_PER_CONTAINER = 2;
/** The ids of the dead containers of one pod that may be removed. */
export function collectableContainers(records, keep = KEEP_PER_CONTAINER) {
    const byName = new Map();
    for (const c of records) {
        const key = `${c.init ? "init" : "app"}/${c.name}`;
        const list = byName.get(key) ?? [];
        list.push(c);
        byName.set(key, list);
    }
    const out = [];
    for (const list of byName.values()) {
        list.sort((a, b) => b.attempt - a.attempt);
        for (const c of list.slice(keep))
            if (c.state === "exited")
                out.push(c.id);
    }
    return out;
}
//# sourceMappingURL=container-gc.js.map