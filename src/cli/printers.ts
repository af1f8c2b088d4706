/**
 * Output the way kubectl prints it: server-side Tables as aligned columns (three spaces apart, upper-case
 * headers), `-o name` as kind/name, and `-o json|yaml` as objects (a List for lists).
 */
import { goString } from "../api/json.js";
import type { KubeObject } from "../api/types.js";
import type { Table, TableColumnDefinition } from "../client/index.js";

export interface TableOptions {
  wide?: boolean;
  /** Prefix a NAMESPACE column (get -A). */
  withNamespace?: boolean;
  noHeaders?: boolean;
  /** "pod/" before names (--show-kind or several kinds). */
  kindPrefix?: string;
  /** Columns to use when the table carries none (watch events after the first). */
  columns?: TableColumnDefinition[];
}

/** Aligned columns, as kubectl's tabwriter prints them. */
export function formatColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join("").trimEnd()).join("\n") + (rows.length ? "\n" : "");
}

export function formatTable(t: Table, o: TableOptions = {}): string {
  const keep = (t.columnDefinitions ?? o.columns ?? []).map((c, i) => ({ c, i })).filter(({ c }) => o.wide || !c.priority);
  const header = keep.map(({ c }) => c.name.toUpperCase());
  const rows = t.rows.map((r) =>
    keep.map(({ i }, k) => {
      const text = cellText(r.cells[i]);
      return k === 0 && o.kindPrefix ? `${o.kindPrefix}${text}` : text;
    }),
  );
  if (o.withNamespace) {
    header.unshift("NAMESPACE");
    t.rows.forEach((r, i) => rows[i].unshift((r.object as { metadata?: { namespace?: string } } | undefined)?.metadata?.namespace ?? ""));
  }
  return formatColumns(o.noHeaders ? rows : [header, ...rows]);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "<none>";
  if (typeof v === "string") return v === "" ? "<none>" : v;
  return goString(v);
}

/** `-o json` of one object or of a list (as kubectl: kind List, apiVersion v1). */
export function asList(items: KubeObject[], resourceVersion = ""): KubeObject & { items: KubeObject[] } {
  return { apiVersion: "v1", kind: "List", metadata: { resourceVersion }, items };
}

export function toJSON(v: unknown): string {
  return `${JSON.stringify(v, null, 4)}\n`;
}

export async function toYAML(v: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(v, { lineWidth: 0 });
}
