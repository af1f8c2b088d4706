/**
 * The firewall backends' effects: run one rendered script through `nft -f -` or `iptables-restore --noflush`
 * (one exec, one transaction), read back what exists, and choose a backend once at start (nftables where `nft`
 * works, iptables otherwise; overridable). Everything goes through the Runner, so `explain` shows the scripts.
 */
import { FieldError } from "../../api/errors.js";
import type { Runner } from "../../sys/runner.js";
import type { FirewallBackendSetting } from "../settings.js";
import { parseIptablesSave, type SavedIptables } from "./iptables.js";
import type { NftTableRef } from "./nft.js";

export type FirewallKind = "nftables" | "iptables";
/** Which iptables binaries: the system's alternative (`iptables-restore`), or an explicit variant. */
export type IptablesVariant = "system" | "legacy" | "nft";

export interface FirewallChoice {
  kind: FirewallKind;
  iptablesVariant: IptablesVariant;
}

/** Runs nft scripts. */
export class NftRunner {
  constructor(private readonly runner: Runner) {}

  /** Applies a script as one transaction (`nft -f -`); throws HostError with nft's message on failure. */
  async apply(script: string, owner?: string): Promise<void> {
    if (!script.trim()) return;
    await this.runner.run(["nft", "-f", "-"], { input: script, owner });
  }

  /** The tables that exist (`nft -j list tables`). */
  async tables(owner?: string): Promise<NftTableRef[]> {
    const r = await this.runner.run(["nft", "-j", "list", "tables"], { owner });
    const parsed = JSON.parse(r.stdout) as { nftables: { table?: NftTableRef }[] };
    return parsed.nftables.flatMap((e) => (e.table ? [{ family: e.table.family, name: e.table.name }] : []));
  }
}

/** Runs iptables-restore / iptables-save of one variant. */
export class IptablesRunner {
  constructor(
    private readonly runner: Runner,
    readonly variant: IptablesVariant = "system",
  ) {}

  private bin(tool: "restore" | "save"): string {
    return this.variant === "system" ? `iptables-${tool}` : `iptables-${this.variant}-${tool}`;
  }

  /** Feeds restore input with --noflush (only the chains it names change); -w waits for the xtables lock. */
  async restore(input: string, owner?: string): Promise<void> {
    if (!input.trim()) return;
    await this.runner.run([this.bin("restore"), "-w", "--noflush"], { input, owner });
  }

  /** The current rules of the given tables (one iptables-save per table, the only form both variants accept). */
  async save(tables: string[], owner?: string): Promise<SavedIptables> {
    const out: SavedIptables = new Map();
    for (const t of tables) {
      const r = await this.runner.run([this.bin("save"), "-t", t], { owner, allowFail: true });
      for (const [name, saved] of parseIptablesSave(r.code === 0 ? r.stdout : "")) out.set(name, saved);
    }
    return out;
  }

  /** One table's rules with their `[packets:bytes]` counters (`iptables-save -c`), unrecorded; "" when unreadable. */
  async saveWithCounters(table: string): Promise<string> {
    const r = await this.runner.run([this.bin("save"), "-c", "-t", table], { allowFail: true });
    return r.code === 0 ? r.stdout : "";
  }

  /** True when this variant's binaries run and can read the nat table. */
  async usable(): Promise<boolean> {
    const r = await this.runner.run([this.bin("save"), "-t", "nat"], { allowFail: true });
    return r.code === 0;
  }
}

/**
 * Picks the backend for a setting. `auto`: nftables when `nft list tables` works (kernel nf_tables and the nft
 * tool), else iptables when iptables-save works, else a FieldError naming --firewall-backend.
 */
export async function chooseFirewall(runner: Runner, setting: FirewallBackendSetting): Promise<FirewallChoice> {
  switch (setting) {
    case "nftables":
      return { kind: "nftables", iptablesVariant: "system" };
    case "iptables":
      return { kind: "iptables", iptablesVariant: "system" };
    case "iptables-legacy":
      return { kind: "iptables", iptablesVariant: "legacy" };
    case "iptables-nft":
      return { kind: "iptables", iptablesVariant: "nft" };
    case "auto":
      break;
  }
  const nft = await runner.run(["nft", "list", "tables"], { allowFail: true });
  if (nft.code === 0) return { kind: "nftables", iptablesVariant: "system" };
  if (await new IptablesRunner(runner).usable()) return { kind: "iptables", iptablesVariant: "system" };
  throw new FieldError("--firewall-backend", `auto: neither nft (${nft.stderr.trim() || "exit " + nft.code}) nor iptables-save works on this host`);
}
