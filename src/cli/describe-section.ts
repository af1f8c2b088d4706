/**
 * The layout of `kubectl describe`: `Key:  value` lines whose values line up within a block, nested blocks
 * indented by two spaces, and small tables.
 */
import { formatColumns } from "./printers.js";

type Item = { kind: "kv"; level: number; key: string; value: string } | { kind: "raw"; text: string };

export class Section {
  private readonly items: Item[] = [];

  /** `Key:  value` at an indent level; a value of "" prints just `Key:`. */
  line(level: number, key: string, value: string | number | undefined | null = ""): void {
    this.items.push({ kind: "kv", level, key, value: value === undefined || value === null ? "<none>" : String(value) });
  }

  raw(text: string): void {
    this.items.push({ kind: "raw", text });
  }

  /** A labels/annotations map: first entry after the key, the rest aligned under it. */
  map(level: number, key: string, m: Record<string, string> | undefined): void {
    const entries = Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) return this.line(level, key, "<none>");
    entries.forEach(([k, v], i) => this.line(level, i === 0 ? key : "", `${k}=${v}`));
  }

  table(level: number, rows: string[][]): void {
    for (const l of formatColumns(rows).trimEnd().split("\n")) this.raw(`${"  ".repeat(level)}${l}`);
  }

  text(): string {
    const out: string[] = [];
    // Values of consecutive key lines at the same level share one column.
    let i = 0;
    while (i < this.items.length) {
      const item = this.items[i];
      if (item.kind === "raw") {
        out.push(item.text);
        i++;
        continue;
      }
      let j = i;
      while (j < this.items.length && this.items[j].kind === "kv" && (this.items[j] as { level: number }).level === item.level) j++;
      const block = this.items.slice(i, j) as Extract<Item, { kind: "kv" }>[];
      const width = Math.max(...block.filter((b) => b.value !== "").map((b) => b.key.length + 1), 0) + 2;
      for (const b of block) {
        const indent = "  ".repeat(b.level);
        const key = b.key ? `${b.key}:` : "";
        out.push(b.value === "" && b.key ? `${indent}${key}` : `${indent}${key.padEnd(width)}${b.value}`.trimEnd());
      }
      i = j;
    }
    return `${out.join("\n")}\n`;
  }
}

/** kubectl's date format in describe: "Fri, 27 Nov 2026 04:19:27 +0000". */
export function describeTime(iso: string | undefined): string {
  if (!iso) return "<unknown>";
  return new Date(iso).toUTCString().replace("GMT", "+0000");
}
