/**
 * nftables rule sets as data, and the pure functions that render them to `nft -f` scripts. One script is one
 * transaction: the kernel applies all of it or none (nft(8), "nft -f"), which is how every change we make is atomic.
 * Shared by the pod network (this directory) and the service proxier (src/proxy), each owning its own table.
 */
/** Standard hook priorities (include/uapi/linux/netfilter_ipv4.h: NF_IP_PRI_NAT_DST = -100, NF_IP_PRI_NAT_SRC = 100). */
export const NFT_PRIORITY = { dstnat: -100, filter: 0, srcnat: 100 };
/** The `table FAMILY NAME { ... }` block. */
export function renderNftTable(t) {
    const body = [];
    for (const s of t.sets ?? [])
        body.push(renderSet(s));
    for (const c of t.chains)
        body.push(renderChain(c));
    return `table ${t.family} ${t.name} {\n${body.join("\n")}}\n`;
}
function renderSet(s) {
    const lines = [`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`];
    if (s.flags?.length)
        lines.push(`\t\tflags ${s.flags.join(", ")}`);
    if (s.elements.length)
        lines.push(`\t\telements = { ${s.elements.join(",\n\t\t\t")} }`);
    lines.push("\t}");
    return `${lines.join("\n")}\n`;
}
function renderChain(c) {
    const lines = [`\tchain ${c.name} {`];
    if (c.base) {
        const b = c.base;
        lines.push(`\t\ttype ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy ?? "accept"};`);
    }
    for (const r of c.rules)
        lines.push(`\t\t${r}`);
    lines.push("\t}");
    return `${lines.join("\n")}\n`;
}
/**
 * Replaces the whole table in one transaction: `add table` makes the `delete` succeed when the table is missing,
 * then the new contents are declared. Packets see the old rules or the new, never a mix.
 */
export function renderNftReplace(t) {
    return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n${renderNftTable(t)}`;
}
/** Deletes the table if it exists (and succeeds if it does not). */
export function renderNftDelete(t) {
    return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n`;
}
/**
 * Rewrites some regular chains of an existing table (an incremental sync: only what changed), in one transaction.
 * Base chains must be created by a full replace first.
 */
export function renderNftChainsReplace(t, chains) {
    const out = [];
    for (const c of chains) {
        out.push(`add chain ${t.family} ${t.name} ${c.name}`, `flush chain ${t.family} ${t.name} ${c.name}`);
        for (const r of c.rules)
            out.push(`add rule ${t.family} ${t.name} ${c.name} ${r}`);
    }
    return `${out.join("\n")}\n`;
}
/** Quotes a string for nft (comments, interface names): double quotes; nft has no escape for a quote inside. */
export function nftString(s) {
    if (s.includes('"'))
        throw new Error(`nft strings cannot contain a double quote: ${s}`);
    return `"${s}"`;
}
//# sourceMappingURL=nft.js.map