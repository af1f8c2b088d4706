/**
 * iptables-restore input for the proxy, pure. With `--noflush`, a table's chains that the input does not name are
 * left alone, and a chain declared with `:NAME - [0:0]` is flushed and refilled — so an update names only the
 * chains whose rules changed (kube-proxy writes only changed KUBE-SVC/KUBE-SEP chains the same way) and each table
 * is one atomic COMMIT. Removed chains are flushed by their declaration and deleted (`-X`) after every chain that
 * referred to them has been rewritten. A full sync (no previous ruleset) declares everything, adds the jumps from
 * the built-in chains that iptables-save does not show, and removes stray chains of ours.
 */
import { findJumps, joinArgs } from "../network/firewall/iptables.js";
import { sharedChains } from "./iptables-rules.js";
/** The restore input; empty when nothing changed. */
export function renderProxyRestore(req) {
    const out = [];
    for (const table of ["nat", "filter"]) {
        const t = req.prev && !req.saved ? updateTable(table, req.prev, req.next, req.serviceCIDR) : fullTable(table, req);
        if (t.decl.length || t.lines.length || t.deletes.length)
            out.push(`*${table}`, ...t.decl, ...t.lines, ...t.deletes, "COMMIT");
    }
    return out.length ? `${out.join("\n")}\n` : "";
}
/** Every chain of a table with its lines: fixed, shared, and (nat) the fragments'. */
export function allChains(table, r, serviceCIDR) {
    const out = new Map([...r.fixed[table], ...sharedChains(r, { serviceCIDR })[table]]);
    if (table === "nat")
        for (const f of r.fragments.values())
            for (const [name, lines] of f.chains)
                out.set(name, lines);
    return out;
}
function fullTable(table, req) {
    const chains = allChains(table, req.next, req.serviceCIDR);
    const saved = req.saved?.get(table) ?? { chains: new Set(), rules: [] };
    const stray = [...saved.chains].filter((c) => req.isOurs(c) && !chains.has(c));
    const jumps = req.next.jumps[table];
    return {
        decl: [...chains.keys(), ...stray].map((c) => `:${c} - [0:0]`),
        lines: [...[...chains.values()].flat(), ...jumps.filter((j) => findJumps(saved, j.from, j.to).length === 0).map((j) => `-I ${j.from} 1 ${joinArgs([...j.match, "-j", j.to])}`)],
        deletes: stray.map((c) => `-X ${c}`),
    };
}
function updateTable(table, prev, next, serviceCIDR) {
    const t = { decl: [], lines: [], deletes: [] };
    const write = (name, lines) => {
        t.decl.push(`:${name} - [0:0]`);
        t.lines.push(...lines);
    };
    const before = { shared: sharedChains(prev, { serviceCIDR })[table] };
    const after = sharedChains(next, { serviceCIDR })[table];
    for (const [name, lines] of [...next.fixed[table], ...after]) {
        const old = prev.fixed[table].get(name) ?? before.shared.get(name);
        if (!sameLines(old, lines))
            write(name, lines);
    }
    if (table === "filter")
        return t;
    const removed = [];
    for (const [key, f] of next.fragments) {
        const old = prev.fragments.get(key);
        if (old !== f)
            fragmentChanges(old, f, write, removed);
    }
    for (const [key, old] of prev.fragments)
        if (!next.fragments.has(key))
            fragmentChanges(old, undefined, write, removed);
    for (const name of removed)
        t.decl.push(`:${name} - [0:0]`);
    t.deletes.push(...removed.map((name) => `-X ${name}`));
    return t;
}
function fragmentChanges(old, f, write, removed) {
    const oldChains = new Map(old?.chains ?? []);
    const newChains = new Map(f?.chains ?? []);
    for (const [name, lines] of newChains)
        if (!sameLines(oldChains.get(name), lines))
            write(name, lines);
    for (const name of oldChains.keys())
        if (!newChains.has(name))
            removed.push(name);
}
function sameLines(a, b) {
    return a !== undefined && a.length === b.length && a.every((l, i) => l === b[i]);
}
//# sourceMappingURL=iptables-restore.js.map