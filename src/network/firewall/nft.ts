/**
 * nftables rule sets as data, and the pure functions that render them to `nft -f` scripts. One script is one
 * transaction: the kernel applies all of it or none (nft(8), "nft -f"), which is how every change we make is atomic.
 * Shared by the pod network (this directory) and the service proxier (src/proxy), each owning its own table.
 */

export type NftFamily = "ip" | "ip6" | "inet";
export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting";

/** The hook a base chain is attached to. Priorities are numbers: nft 1.0.6 rejects `dstnat` on the output hook. */
export interface NftBaseChain {
  type: "filter" | "nat" | "route";
  hook: NftHook;
  priority: number;
  policy?: "accept" | "drop";
}

/** A chain; `rules` are nft rule statements, one per entry, written verbatim. */
export interface NftChain {
  name: string;
  base?: NftBaseChain;
  rules: string[];
}

/** A named set or map: `type` is its key (and, for maps, `key : value`) type, e.g. "ipv4_addr . inet_service". */
export interface NftSet {
  kind: "set" | "map";
  name: string;
  type: string;
  flags?: string[];
  elements: string[];
}

export interface NftTableRef {
  family: NftFamily;
  name: string;
}

export interface NftTable extends NftTableRef {
  sets?: NftSet[];
  chains: NftChain[];
}

/** Standard hook priorities (include/uapi/linux/netfilter_ipv4.h: NF_IP_PRI_NAT_DST = -100, NF_IP_PRI_NAT_SRC = 100). */
export const NFT_PRIORITY = { dstnat: -100, filter: 0, srcnat: 100 } as const;

/** The `table FAMILY NAME { ... }` block. */
export function renderNftTable(t: NftTable): string {
  const body: string[] = [];
  for (const s of t.sets ?? []) body.push(renderSet(s));
  for (const c of t.chains) body.push(renderChain(c));
  return `table ${t.family} ${t.name} {\n${body.join("\n")}}\n`;
}

function renderSet(s: NftSet): string {
  const lines = [`\t${s.kind} ${s.name} {`, `\t\ttype ${s.type}`];
  if (s.flags?.length) lines.push(`\t\tflags ${s.flags.join(", ")}`);
  if (s.elements.length) lines.push(`\t\telements = { ${s.elements.join(",\n\t\t\t")} }`);
  lines.push("\t}");
  return `${lines.join("\n")}\n`;
}

function renderChain(c: NftChain): string {
  const lines = [`\tchain ${c.name} {`];
  if (c.base) {
    const b = c.base;
    lines.push(`\t\ttype ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy ?? "accept"};`);
  }
  for (const r of c.rules) lines.push(`\t\t${r}`);
  lines.push("\t}");
  return `${lines.join("\n")}\n`;
}

/**
 * Replaces the whole table in one transaction: `add table` makes the `delete` succeed when the table is missing,
 * then the new contents are declared. Packets see the old rules or the new, never a mix.
 */
export function renderNftReplace(t: NftTable): string {
  return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n${renderNftTable(t)}`;
}

/** Deletes the table if it exists (and succeeds if it does not). */
export function renderNftDelete(t: NftTableRef): string {
  return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n`;
}

/**
 * Rewrites some regular chains of an existing table (an incremental sync: only what changed), in one transaction.
 * Base chains must be created by a full replace first.
 */
export function renderNftChainsReplace(t: NftTableRef, chains: NftChain[]): string {
  const out: string[] = [];
  for (const c of chains) {
    out.push(`add chain ${t.family} ${t.name} ${c.name}`, `flush chain ${t.family} ${t.name} ${c.name}`);
    for (const r of c.rules) out.push(`add rule ${t.family} ${t.name} ${c.name} ${r}`);
  }
  return `${out.join("\n")}\n`;
}

/** Quotes a string for nft (comments, interface names): double quotes; nft has no escape for a quote inside. */
export function nftString(s: string): string {
  if (s.includes('"')) throw new Error(`nft strings cannot contain a double quote: ${s}`);
  return `"${s}"`;
}
