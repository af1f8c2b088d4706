/**
 * The layout of `kubectl describe`: `Key:  value` lines whose values line up within a block, nested blocks
 * indented by two spaces, and small tables.
 */
import { formatColumns } from "./printers.js";
export class Section {
    items = [];
    /** `Key:  value` at an indent level; a value of "" prints just `Key:`. */
    line(level, key, value = "") {
        this.items.push({ kind: "kv", level, key, value: value === undefined || value === null ? "<none>" : String(value) });
    }
    raw(text) {
        this.items.push({ kind: "raw", text });
    }
    /** A labels/annotations map: first entry after the key, the rest aligned under it. */
    map(level, key, m) {
        const entries = Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
        if (!entries.length)
            return this.line(level, key, "<none>");
        entries.forEach(([k, v], i) => this.line(level, i === 0 ? key : "", `${k}=${v}`));
    }
    table(level, rows) {
        for (const l of formatColumns(rows).trimEnd().split("\n"))
            this.raw(`${"  ".repeat(level)}${l}`);
    }
    text() {
        // A key's value column is shared by every key at its level until the block it belongs to ends (a line at a
        // shallower level), so "State:" lines up with "Ready:" across the nested "Started:" lines in between.
        const widths = this.items.map((item, i) => {
            if (item.kind !== "kv")
                return 0;
            let w = 0;
            for (let j = i; j >= 0 && !this.ends(j, item.level); j--)
                w = Math.max(w, this.keyWidth(j, item.level));
            for (let j = i; j < this.items.length && !this.ends(j, item.level); j++)
                w = Math.max(w, this.keyWidth(j, item.level));
            return w + 2;
        });
        const out = this.items.map((item, i) => {
            if (item.kind === "raw")
                return item.text;
            const indent = "  ".repeat(item.level);
            const key = item.key ? `${item.key}:` : "";
            if (item.value === "" && item.key)
                return `${indent}${key}`;
            return `${indent}${key.padEnd(widths[i])}${item.value}`.trimEnd();
        });
        return `${out.join("\n")}\n`;
    }
    /** Item j ends a block of `level` keys: a raw line or a key at a shallower level. */
    ends(j, level) {
        const it = this.items[j];
        return it.kind === "raw" || it.level < level;
    }
    keyWidth(j, level) {
        const it = this.items[j];
        return it.kind === "kv" && it.level === level && it.value !== "" ? it.key.length + 1 : 0;
    }
}
/** kubectl's date format in describe: "Fri, 27 Nov 2026 04:19:27 +0000". */
export function describeTime(iso) {
    if (!iso)
        return "<unknown>";
    return new Date(iso).toUTCString().replace("GMT", "+0000");
}
//# sourceMappingURL=describe-section.js.map