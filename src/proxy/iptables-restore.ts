/**
 * iptables-restore input for the proxy, pure. With `--noflush`, a table's chains that the input does not name are
 * left alone, and a chain declared with `:NAME - [0:0]` is flushed and refilled — so an update names only the
 * chains whose rules changed (kube-proxy writes only changed KUBE-SVC/KUBE-SEP chains the same way) and each table
 * is one atomic COMMIT. Removed chains are flushed by their declaration and deleted (`-X`) after every chain that
 * referred to them has been rewritten. A full sync (no previous ruleset) declares everything, adds the jumps from
 * the built-in chains that iptables-save does not show, and removes stray chains of ours.
 */
import { findJumps, joinArgs, type SavedIptables } from "../network/firewall/iptables.js";
import type { IptablesJump } from "../network/firewall/iptables.js";
import { sharedChains, type IptablesFragment, type IptablesRuleset } from "./iptables-rules.js";

export interface RestoreRequest {
  prev?: IptablesRuleset;
  next: IptablesRuleset;
  serviceCIDR: string;
  /** What exists now (full sync only). */
  saved?: SavedIptables;
  isOurs: (chain: string) => boolean;
}

type Table = "nat" | "filter";

interface TableText {
  decl: string[];
  lines: string[];
  deletes: string[];
}

/** The restore input; empty when nothing changed. */
export function renderProxyRestore(req: RestoreRequest): string {
  const out: string[] = [];
  for (const table of ["nat", "filter"] as Table[]) {
    const t = req.prev && !req.saved ? updateTable(table, req.prev, req.next, req.serviceCIDR) : fullTable(table, req);
    if (t.decl.length || t.lines.length || t.deletes.length) out.push(`*${table}`, ...t.decl, ...t.lines, ...t.deletes, "COMMIT");
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

/** Every chain of a table with its lines: fixed, shared, and (nat) the fragments'. */
export function allChains(table: Table, r: IptablesRuleset, serviceCIDR: string): Map<string, string[]> {
  const out = new Map([...r.fixed[table], ...sharedChains(r, { serviceCIDR })[table]]);
  if (table === "nat") for (const f of r.fragments.values()) for (const [name, lines] of f.chains) out.set(name, lines);
  return out;
}

function fullTable(table: Table, req: RestoreRequest): TableText {
  const chains = allChains(table, req.next, req.serviceCIDR);
  const saved = req.saved?.get(table) ?? { chains: new Set<string>(), rules: [] };
  const stray = [...saved.chains].filter((c) => req.isOurs(c) && !chains.has(c));
  const jumps: IptablesJump[] = req.next.jumps[table];
  return {
    decl: [...chains.keys(), ...stray].map((c) => `:${c} - [0:0]`),
    lines: [...[...chains.values()].flat(), ...jumps.filter((j) => findJumps(saved, j.from, j.to).length === 0).map((j) => `-I ${j.from} 1 ${joinArgs([...j.match, "-j", j.to])}`)],
    deletes: stray.map((c) => `-X ${c}`),
  };
}

function updateTable(table: Table, prev: IptablesRuleset, next: IptablesRuleset, serviceCIDR: string): TableText {
  const t: TableText = { decl: [], lines: [], deletes: [] };
  const write = (name: string, lines: string[]) => {
    t.decl.push(`:${name} - [0:0]`);
    t.lines.push(...lines);
  };
  const before = { shared: sharedChains(prev, { serviceCIDR })[table] };
  const after = sharedChains(next, { serviceCIDR })[table];
  for (const [name, lines] of [...next.fixed[table], ...after]) {
    const old = prev.fixed[table].get(name) ?? before.shared.get(name);
    if (!sameLines(old, lines)) write(name, lines);
  }
  if (table === "filter") return t;
  const removed: string[] = [];
  for (const [key, f] of next.fragments) {
    const old = prev.fragments.get(key);
    if (old !== f) fragmentChanges(old, f, write, removed);
  }
  for (const [key, old] of prev.fragments) if (!next.fragments.has(key)) fragmentChanges(old, undefined, write, removed);
  for (const name of removed) t.decl.push(`:${name} - [0:0]`);
  t.deletes.push(...removed.map((name) => `-X ${name}`));
  return t;
}

function fragmentChanges(old: IptablesFragment | undefined, f: IptablesFragment | undefined, write: (name: string, lines: string[]) => void, removed: string[]): void {
  const oldChains = new Map(old?.chains ?? []);
  const newChains = new Map(f?.chains ?? []);
  for (const [name, lines] of newChains) if (!sameLines(oldChains.get(name), lines)) write(name, lines);
  for (const name of oldChains.keys()) if (!newChains.has(name)) removed.push(name);
}

function sameLines(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((l, i) => l === b[i]);
}
