/** Aligned columns, as kubectl's tabwriter prints them. */
export function formatColumns(rows) {
    const widths = [];
    for (const r of rows)
        r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join("").trimEnd()).join("\n") + (rows.length ? "\n" : "");
}
export function formatTable(t, o = {}) {
    const keep = (t.columnDefinitions ?? o.columns ?? []).map((c, i) => ({ c, i })).filter(({ c }) => o.wide || !c.priority);
    const header = keep.map(({ c }) => c.name.toUpperCase());
    const rows = t.rows.map((r) => keep.map(({ i }, k) => {
        const text = cellText(r.cells[i]);
        return k === 0 && o.kindPrefix ? `${o.kindPrefix}${text}` : text;
    }));
    if (o.withNamespace) {
        header.unshift("NAMESPACE");
        t.rows.forEach((r, i) => rows[i].unshift(r.object?.metadata?.namespace ?? ""));
    }
    return formatColumns(o.noHeaders ? rows : [header, ...rows]);
}
function cellText(v) {
    if (v === null || v === undefined)
        return "<none>";
    if (typeof v === "string")
        return v === "" ? "<none>" : v;
    return String(v);
}
/** `-o json` of one object or of a list (as kubectl: kind List, apiVersion v1). */
export function asList(items, resourceVersion = "") {
    return { apiVersion: "v1", kind: "List", metadata: { resourceVersion }, items };
}
export function toJSON(v) {
    return `${JSON.stringify(v, null, 4)}\n`;
}
export async function toYAML(v) {
    const { stringify } = await import("yaml");
    return stringify(v, { lineWidth: 0 });
}
//# sourceMappingURL=printers.js.map