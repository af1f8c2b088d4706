/**
 * A desired nftables table as data, and the two pure renderings the proxier applies with one `nft -f` each: the
 * whole table (first sync, or after a failure), or the difference from the table last applied.
 *
 * The table is a fixed part (map declarations, hook and dispatch chains) plus one fragment per service (its map
 * elements, and its own chains and sets when it has any). Fragments of unchanged services are the same objects
 * from one sync to the next (nft-rules.ts reuses them), so the difference is found by identity in time proportional
 * to the number of services, and written in space proportional to what changed: a one-endpoint change is a few map
 * elements deleted and added, whatever the number of services. Element keys belong to one fragment; the shared
 * load-balancing chains are counted, created with their first user and deleted after the last.
 */
const SEP = "\u0000";
function elementText(key, value) {
    return value ? `${key} : ${value}` : key;
}
/** Counts the uses of shared chains over all fragments (for a ruleset built without a previous one). */
export function countUses(fragments) {
    const uses = new Map();
    for (const f of fragments)
        addUses(uses, f, 1);
    return uses;
}
/** Adds (+1) or removes (-1) a fragment's uses of shared chains, in place. */
export function addUses(uses, f, d) {
    for (const [name, spec] of f.uses) {
        const u = uses.get(name);
        const n = (u?.n ?? 0) + d;
        if (n > 0)
            uses.set(name, { spec: u?.spec ?? spec, n });
        else
            uses.delete(name);
    }
}
/** The elements of one map or set (key → value), gathered from the fragments: for tests and explanations. */
export function elementsOf(r, map) {
    const out = new Map();
    for (const f of r.fragments.values())
        for (const [m, k, v] of f.elements)
            if (m === map)
                out.set(k, v);
    return out;
}
/** Every chain of the table: fixed, shared and the fragments' own. */
export function chainsOf(r) {
    const out = new Map(r.chains);
    for (const [name, u] of r.useCounts)
        out.set(name, u.spec);
    for (const f of r.fragments.values())
        for (const [name, c] of f.chains)
            out.set(name, c);
    return out;
}
/** `add table; delete table; table ... { everything }`: replaces the table in one transaction. */
export function renderFull(r) {
    const t = `${r.family} ${r.table}`;
    const elements = new Map();
    const push = (map, text) => (elements.get(map) ?? elements.set(map, []).get(map)).push(text);
    const sets = new Map(r.maps);
    const chains = new Map(r.chains);
    for (const [name, u] of r.useCounts)
        chains.set(name, u.spec);
    for (const f of r.fragments.values()) {
        for (const [map, key, value] of f.elements)
            push(map, elementText(key, value));
        for (const [name, decl] of f.sets)
            sets.set(name, decl);
        for (const [name, spec] of f.chains)
            chains.set(name, spec);
    }
    const out = [`add table ${t}`, `delete table ${t}`, `table ${t} {`];
    if (r.comment)
        out.push(`\tcomment "${r.comment}"`);
    for (const [name, m] of sets) {
        out.push(`\t${m.kind} ${name} {`, ...m.decl.map((d) => `\t\t${d}`));
        const els = elements.get(name);
        if (els?.length)
            out.push(`\t\telements = { ${els.join(",\n\t\t\t")} }`);
        out.push("\t}");
    }
    for (const [name, c] of chains) {
        out.push(`\tchain ${name} {`);
        if (c.base)
            out.push(`\t\t${c.base}`);
        for (const rule of c.rules)
            out.push(`\t\t${rule}`);
        out.push("\t}");
    }
    out.push("}");
    return `${out.join("\n")}\n`;
}
/** What changed between two rulesets, gathered before it is written out in a safe order. */
class Delta {
    addSets = [];
    delSets = [];
    addChains = [];
    rewrite = [];
    delChains = [];
    delElements = new Map();
    addElements = new Map();
    element(into, map, text) {
        (into.get(map) ?? into.set(map, []).get(map)).push(text);
    }
}
/**
 * The statements that turn `prev` into `next`, in an order nft accepts in one transaction: new sets and chains
 * first (so rules and elements may refer to them), element deletions, rewritten chains, element additions, then
 * removed chains (flushed before any is deleted, as they may jump to each other) and removed sets. Empty when
 * nothing changed; undefined when the fixed part changed shape (a declaration or a base chain), which only a full
 * render can do.
 */
export function renderDiff(prev, next) {
    if (!sameFixedShape(prev, next))
        return undefined;
    const d = new Delta();
    for (const [name, c] of next.chains)
        if (!sameRules(prev.chains.get(name), c))
            d.rewrite.push([name, c]);
    const touchedUses = new Set();
    for (const [key, f] of next.fragments) {
        const old = prev.fragments.get(key);
        if (old === f)
            continue;
        fragmentDelta(d, old, f);
        for (const x of [old, f])
            for (const [name] of x?.uses ?? [])
                touchedUses.add(name);
    }
    for (const [key, old] of prev.fragments) {
        if (next.fragments.has(key))
            continue;
        fragmentDelta(d, old, undefined);
        for (const [name] of old.uses)
            touchedUses.add(name);
    }
    for (const name of touchedUses) {
        const had = prev.useCounts.get(name);
        const has = next.useCounts.get(name);
        if (!had && has) {
            d.addChains.push(name);
            d.rewrite.push([name, has.spec]);
        }
        if (had && !has)
            d.delChains.push(name);
    }
    return renderDelta(`${next.family} ${next.table}`, d);
}
/** A fragment replaced (old → f), added (old undefined) or removed (f undefined). */
function fragmentDelta(d, old, f) {
    const before = new Map((old?.elements ?? []).map(([m, k, v]) => [`${m}${SEP}${k}`, v]));
    const after = new Map((f?.elements ?? []).map(([m, k, v]) => [`${m}${SEP}${k}`, v]));
    for (const [mk, v] of before) {
        if (after.get(mk) === v)
            continue;
        d.element(d.delElements, mk.slice(0, mk.indexOf(SEP)), mk.slice(mk.indexOf(SEP) + 1));
    }
    for (const [mk, v] of after) {
        if (before.get(mk) === v)
            continue;
        d.element(d.addElements, mk.slice(0, mk.indexOf(SEP)), elementText(mk.slice(mk.indexOf(SEP) + 1), v));
    }
    const oldChains = new Map(old?.chains ?? []);
    const newChains = new Map(f?.chains ?? []);
    for (const [name, c] of newChains) {
        if (!oldChains.has(name))
            d.addChains.push(name);
        if (!sameRules(oldChains.get(name), c))
            d.rewrite.push([name, c]);
    }
    for (const name of oldChains.keys())
        if (!newChains.has(name))
            d.delChains.push(name);
    const oldSets = new Map(old?.sets ?? []);
    const newSets = new Map(f?.sets ?? []);
    for (const [name, s] of newSets)
        if (!oldSets.has(name))
            d.addSets.push([name, s]);
    for (const name of oldSets.keys())
        if (!newSets.has(name))
            d.delSets.push(name);
}
function renderDelta(t, d) {
    // A chain or set that moved between fragments (deleted by one, added by another) stays.
    const delChains = d.delChains.filter((n) => !d.addChains.includes(n));
    const addChains = d.addChains.filter((n) => !d.delChains.includes(n));
    const delSets = d.delSets.filter((n) => !d.addSets.some(([a]) => a === n));
    const addSets = d.addSets.filter(([n]) => !d.delSets.includes(n));
    const out = [];
    for (const [name, s] of addSets)
        out.push(`add ${s.kind} ${t} ${name} { ${s.decl.join("; ")}; }`);
    for (const name of addChains)
        out.push(`add chain ${t} ${name}`);
    for (const [map, keys] of d.delElements)
        out.push(`delete element ${t} ${map} { ${keys.join(", ")} }`);
    for (const [name, c] of d.rewrite) {
        if (!addChains.includes(name))
            out.push(`flush chain ${t} ${name}`);
        for (const rule of c.rules)
            out.push(`add rule ${t} ${name} ${rule}`);
    }
    for (const [map, els] of d.addElements)
        out.push(`add element ${t} ${map} { ${els.join(", ")} }`);
    for (const name of delChains)
        out.push(`flush chain ${t} ${name}`);
    for (const name of delChains)
        out.push(`delete chain ${t} ${name}`);
    for (const name of delSets)
        out.push(`delete set ${t} ${name}`);
    return out.length ? `${out.join("\n")}\n` : "";
}
function sameFixedShape(a, b) {
    if (a.table !== b.table || a.maps.size !== b.maps.size || a.chains.size !== b.chains.size)
        return false;
    for (const [name, m] of b.maps) {
        const o = a.maps.get(name);
        if (!o || o.kind !== m.kind || o.decl.join(";") !== m.decl.join(";"))
            return false;
    }
    for (const [name, c] of b.chains)
        if (!a.chains.has(name) || a.chains.get(name).base !== c.base)
            return false;
    return true;
}
function sameRules(a, b) {
    return a !== undefined && a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);
}
/** Deletes the table if it exists (and succeeds if it does not). */
export function renderDelete(family, table) {
    return `add table ${family} ${table}\ndelete table ${family} ${table}\n`;
}
//# sourceMappingURL=nft-script.js.map