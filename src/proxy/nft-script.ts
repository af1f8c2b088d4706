/**
 * A desired nftables table as data (sets/maps with keyed elements, chains with rule text), and the two pure
 * renderings the proxier applies with one `nft -f` each: the whole table (first sync, or after a failure), or the
 * difference from the table last applied — added/changed/removed chains, map elements and sets only. A one-endpoint
 * change is then a delete and an add of one map element, whatever the number of services: nft's cost grows with
 * what a transaction names, and with the number of sets in the table, not with the elements of one map.
 */

export interface NftMapSpec {
  /** Declaration lines inside the braces: `typeof ...`, `flags ...`, `timeout ...`. */
  decl: string[];
  /** key → value ("" for a plain set). */
  elements: Map<string, string>;
}

export interface NftChainSpec {
  /** `type nat hook prerouting priority -100; policy accept;` for a base chain. */
  base?: string;
  rules: string[];
}

export interface NftRuleset {
  family: "ip";
  table: string;
  /** The table's comment. */
  comment?: string;
  maps: Map<string, { kind: "map" | "set" } & NftMapSpec>;
  chains: Map<string, NftChainSpec>;
}

function elementText(key: string, value: string): string {
  return value ? `${key} : ${value}` : key;
}

/** `add table; delete table; table ... { everything }`: replaces the table in one transaction. */
export function renderFull(r: NftRuleset): string {
  const t = `${r.family} ${r.table}`;
  const out = [`add table ${t}`, `delete table ${t}`, `table ${t} {`];
  if (r.comment) out.push(`\tcomment "${r.comment}"`);
  for (const [name, m] of r.maps) {
    out.push(`\t${m.kind} ${name} {`, ...m.decl.map((d) => `\t\t${d}`));
    if (m.elements.size) out.push(`\t\telements = { ${[...m.elements].map(([k, v]) => elementText(k, v)).join(",\n\t\t\t")} }`);
    out.push("\t}");
  }
  for (const [name, c] of r.chains) {
    out.push(`\tchain ${name} {`);
    if (c.base) out.push(`\t\t${c.base}`);
    for (const rule of c.rules) out.push(`\t\t${rule}`);
    out.push("\t}");
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/**
 * The statements that turn `prev` into `next`, in an order nft accepts in one transaction: new sets and chains
 * first (so rules and elements may refer to them), element deletions, rewritten chains, element additions, then
 * removed chains (flushed before any is deleted, as they may jump to each other) and removed sets. Base chains are
 * rewritten in place. Empty when nothing changed; undefined when a set changed its declaration or a base chain its
 * hook, which only a full render can do.
 */
export function renderDiff(prev: NftRuleset, next: NftRuleset): string | undefined {
  const t = `${next.family} ${next.table}`;
  const out: string[] = [];
  for (const [name, m] of next.maps) if (prev.maps.has(name) && !sameDecl(prev.maps.get(name), m)) return undefined;
  for (const [name, c] of next.chains) if (prev.chains.has(name) && prev.chains.get(name)!.base !== c.base) return undefined;
  const newSets = [...next.maps].filter(([n, m]) => !sameDecl(prev.maps.get(n), m));
  const goneSets = [...prev.maps].filter(([n, m]) => !sameDecl(next.maps.get(n), m));
  for (const [name, m] of newSets) out.push(`add ${m.kind} ${t} ${name} { ${m.decl.join("; ")}; }`);
  for (const name of next.chains.keys()) if (!prev.chains.has(name)) out.push(`add chain ${t} ${name}`);
  const elementAdds: string[] = [];
  for (const [name, m] of next.maps) {
    const old = sameDecl(prev.maps.get(name), m) ? prev.maps.get(name)!.elements : new Map<string, string>();
    const del = [...old].filter(([k, v]) => m.elements.get(k) !== v).map(([k]) => k);
    const add = [...m.elements].filter(([k, v]) => old.get(k) !== v).map(([k, v]) => elementText(k, v));
    if (del.length) out.push(`delete element ${t} ${name} { ${del.join(", ")} }`);
    if (add.length) elementAdds.push(`add element ${t} ${name} { ${add.join(", ")} }`);
  }
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old && old.rules.join("\n") === c.rules.join("\n")) continue;
    if (old) out.push(`flush chain ${t} ${name}`);
    for (const rule of c.rules) out.push(`add rule ${t} ${name} ${rule}`);
  }
  out.push(...elementAdds);
  const goneChains = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const name of goneChains) out.push(`flush chain ${t} ${name}`);
  for (const name of goneChains) out.push(`delete chain ${t} ${name}`);
  for (const [name, m] of goneSets) out.push(`delete ${m.kind} ${t} ${name}`);
  return out.length ? `${out.join("\n")}\n` : "";
}

function sameDecl(a: NftMapSpec & { kind: string } | undefined, b: NftMapSpec & { kind: string }): boolean {
  return a !== undefined && a.kind === b.kind && a.decl.join(";") === b.decl.join(";");
}

/** Deletes the table if it exists (and succeeds if it does not). */
export function renderDelete(family: string, table: string): string {
  return `add table ${family} ${table}\ndelete table ${family} ${table}\n`;
}
