/**
 * iptables-restore input for the proxy, pure. With `--noflush`, a table's chains that the input does not name are
 * left alone, and a chain declared with `:NAME - [0:0]` is flushed and refilled — so a sync names only the chains
 * whose rules changed (kube-proxy writes only changed KUBE-SVC/KUBE-SEP chains the same way), and each table is
 * one atomic COMMIT. Removed chains are flushed by their declaration and deleted (`-X`) after every chain that
 * referred to them has been rewritten.
 */
import { findJumps, joinArgs, type SavedTable } from "../network/firewall/iptables.js";
import type { IptablesJump } from "../network/firewall/iptables.js";
import type { ChainSet } from "./iptables-rules.js";

export interface TableChange {
  table: "nat" | "filter";
  prev: ChainSet | undefined;
  next: ChainSet;
  /** Present on a full sync: what exists now (jumps are added where missing, stray chains of ours removed). */
  saved?: SavedTable;
  jumps: IptablesJump[];
  isOurs: (chain: string) => boolean;
}

function sameRules(a: string[][] | undefined, b: string[][]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r.join("\u0000") === b[i].join("\u0000"));
}

/** The restore input for the given tables; empty when nothing changed. */
export function renderRestore(changes: TableChange[]): string {
  const out: string[] = [];
  for (const t of changes) {
    const lines = renderTable(t);
    if (lines.length) out.push(`*${t.table}`, ...lines, "COMMIT");
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

function renderTable(t: TableChange): string[] {
  const full = t.saved !== undefined;
  const changed = [...t.next].filter(([name, rules]) => full || !sameRules(t.prev?.get(name), rules));
  const existing = full ? [...t.saved!.chains].filter(t.isOurs) : [...(t.prev?.keys() ?? [])];
  const removed = existing.filter((name) => !t.next.has(name));
  const decl = [...changed.map(([name]) => name), ...removed].map((name) => `:${name} - [0:0]`);
  const rules = changed.flatMap(([name, rs]) => rs.map((r) => `-A ${name} ${joinArgs(r)}`));
  const jumps = full ? t.jumps.filter((j) => findJumps(t.saved, j.from, j.to).length === 0).map((j) => `-I ${j.from} 1 ${joinArgs([...j.match, "-j", j.to])}`) : [];
  const deletes = removed.map((name) => `-X ${name}`);
  return [...decl, ...rules, ...jumps, ...deletes];
}
