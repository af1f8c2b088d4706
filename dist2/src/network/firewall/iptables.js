/**
 * iptables rule sets as data, and pure functions rendering them to `iptables-restore --noflush` input. We own only
 * our chains; the built-in chains get one jump each, added when missing and removed by the exact line
 * iptables-save shows, so the rest of the host's rules are never rewritten. One restore run per change is one
 * atomic commit per table (iptables-restore(8): "COMMIT").
 */
/** Parses iptables-save output (all tables or one). */
export function parseIptablesSave(text) {
    const out = new Map();
    let cur;
    for (const line of text.split("\n")) {
        if (line.startsWith("*")) {
            cur = { chains: new Set(), rules: [] };
            out.set(line.slice(1).trim(), cur);
        }
        else if (cur && line.startsWith(":")) {
            cur.chains.add(line.slice(1).split(" ")[0]);
        }
        else if (cur && line.startsWith("-A ")) {
            cur.rules.push(line);
        }
    }
    return out;
}
/** The existing rule lines in `from` that jump to `to` (iptables-save form: `-A FROM ... -j TO`). */
export function findJumps(saved, from, to) {
    if (!saved)
        return [];
    return saved.rules.filter((l) => l.startsWith(`-A ${from} `) && (l.endsWith(` -j ${to}`) || l.includes(` -j ${to} `)));
}
/**
 * Restore input that declares (and so flushes) each of our chains, fills them, and inserts the jumps that are not
 * there yet. Run with `--noflush` so nothing else in the table changes.
 */
export function renderIptablesRestore(tables, saved) {
    const out = [];
    for (const t of tables) {
        out.push(`*${t.table}`);
        for (const c of t.chains)
            out.push(`:${c.name} - [0:0]`);
        for (const c of t.chains)
            for (const r of c.rules)
                out.push(`-A ${c.name} ${joinArgs(r)}`);
        for (const j of t.jumps) {
            if (findJumps(saved.get(t.table), j.from, j.to).length === 0)
                out.push(`-I ${j.from} 1 ${joinArgs([...j.match, "-j", j.to])}`);
        }
        out.push("COMMIT");
    }
    return `${out.join("\n")}\n`;
}
/**
 * Restore input that removes our jumps (every line that jumps to one of our chains, however many there are) and
 * then flushes and deletes our chains that exist. Empty when there is nothing to remove.
 */
export function renderIptablesRemove(tables, saved) {
    const out = [];
    for (const t of tables) {
        const s = saved.get(t.table);
        if (!s)
            continue;
        const ours = t.chains.filter((c) => s.chains.has(c));
        if (ours.length === 0)
            continue;
        const lines = [];
        for (const rule of s.rules) {
            const from = rule.split(" ")[1];
            if (ours.includes(from))
                continue; // flushed below
            if (ours.some((c) => rule.endsWith(` -j ${c}`) || rule.includes(` -j ${c} `)))
                lines.push(`-D${rule.slice(2)}`);
        }
        for (const c of ours)
            lines.push(`-F ${c}`);
        for (const c of ours)
            lines.push(`-X ${c}`);
        out.push(`*${t.table}`, ...lines, "COMMIT");
    }
    return out.length ? `${out.join("\n")}\n` : "";
}
/** Joins arguments for iptables-restore, double-quoting any with spaces (its tokenizer understands "..."). */
export function joinArgs(args) {
    return args.map((a) => (/^[^\s"']+$/.test(a) ? a : `"${a.replace(/(["\\])/g, "\\$1")}"`)).join(" ");
}
//# sourceMappingURL=iptables.js.map