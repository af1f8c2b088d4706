/**
 * Applies the pod network's NatPolicy with the chosen backend: one `nft -f` or one `iptables-restore` per change.
 * One interface, two implementations, one chooser (podFirewallFor); removeAllPodFirewalls cleans both backends,
 * since `nodelet reset` must not depend on which backend a previous run used.
 */
import type { Runner } from "../sys/runner.js";
import { IptablesRunner, NftRunner, type FirewallChoice, type FirewallKind } from "./firewall/backend.js";
import { renderIptablesRemove, renderIptablesRestore } from "./firewall/iptables.js";
import { renderNftDelete, renderNftReplace } from "./firewall/nft.js";
import { iptablesChain, nftTableName } from "./names.js";
import { natTableNft, natTablesIptables, ourIptablesChains, type NatPolicy } from "./nat-rules.js";

export interface PodFirewall {
  readonly kind: FirewallKind;
  /**
   * Makes our rules say exactly `p`, atomically. `full` also (re)creates the hooks into the built-in chains (at
   * start); otherwise only what pods change (the hostPort rules) is rewritten.
   */
  sync(p: NatPolicy, opts: { full: boolean; owner?: string }): Promise<void>;
  /** Removes every rule, chain and table of this bridge; idempotent. */
  remove(bridge: string, owner?: string): Promise<void>;
}

/** nftables: the whole table `ip nodelet-<bridge>` replaced in one transaction, every time (it is small). */
export class NftPodFirewall implements PodFirewall {
  readonly kind = "nftables";
  private readonly nft: NftRunner;
  constructor(runner: Runner) {
    this.nft = new NftRunner(runner);
  }

  async sync(p: NatPolicy, opts: { full: boolean; owner?: string }): Promise<void> {
    await this.nft.apply(renderNftReplace(natTableNft(p)), opts.owner);
  }

  async remove(bridge: string, owner?: string): Promise<void> {
    await this.nft.apply(renderNftDelete({ family: "ip", name: nftTableName(bridge) }), owner);
  }
}

/** iptables: our chains in nat and filter; a full sync reads iptables-save to add only the missing jumps. */
export class IptablesPodFirewall implements PodFirewall {
  readonly kind = "iptables";
  private readonly ipt: IptablesRunner;
  constructor(
    runner: Runner,
    variant: FirewallChoice["iptablesVariant"],
    /** Restricts remove() to these tables (legacy tables that exist; see removeAllPodFirewalls). */
    private readonly removeOnly?: string[],
  ) {
    this.ipt = new IptablesRunner(runner, variant);
  }

  async sync(p: NatPolicy, opts: { full: boolean; owner?: string }): Promise<void> {
    const tables = natTablesIptables(p);
    if (opts.full) {
      const saved = await this.ipt.save(tables.map((t) => t.table), opts.owner);
      await this.ipt.restore(renderIptablesRestore(tables, saved), opts.owner);
      return;
    }
    // Only the hostPort chain changes between full syncs: rewrite it alone, no jumps, no iptables-save.
    const hp = iptablesChain(p.bridge, "HP");
    const nat = tables.find((t) => t.table === "nat")!;
    const only = [{ table: nat.table, chains: nat.chains.filter((c) => c.name === hp), jumps: [] }];
    await this.ipt.restore(renderIptablesRestore(only, new Map()), opts.owner);
  }

  async remove(bridge: string, owner?: string): Promise<void> {
    const ours = ourIptablesChains(bridge).filter((t) => !this.removeOnly || this.removeOnly.includes(t.table));
    if (ours.length === 0) return;
    const saved = await this.ipt.save(ours.map((t) => t.table), owner);
    await this.ipt.restore(renderIptablesRemove(ours, saved), owner);
  }
}

export function podFirewallFor(choice: FirewallChoice, runner: Runner): PodFirewall {
  return choice.kind === "nftables" ? new NftPodFirewall(runner) : new IptablesPodFirewall(runner, choice.iptablesVariant);
}

/**
 * Removes this bridge's rules from nftables and from both iptables variants, skipping tools that are missing.
 * Legacy iptables is only looked at when its tables exist: iptables-legacy-save would otherwise make the kernel
 * instantiate them, leaving the host changed by a cleanup. The first error (other than a missing tool) is thrown
 * after every backend was tried.
 */
export async function removeAllPodFirewalls(runner: Runner, bridge: string, legacyTables: string[], owner?: string): Promise<void> {
  const errors: unknown[] = [];
  const attempts: PodFirewall[] = [new NftPodFirewall(runner), new IptablesPodFirewall(runner, "nft")];
  if (legacyTables.length) attempts.push(new IptablesPodFirewall(runner, "legacy", legacyTables));
  for (const fw of attempts) {
    try {
      await fw.remove(bridge, owner);
    } catch (err) {
      if (!/ENOENT|not found|No such file/.test(String(err))) errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}
