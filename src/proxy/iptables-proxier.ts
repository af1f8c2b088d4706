/**
 * The iptables proxier: renders the state (iptables-rules.ts) and writes it with one `iptables-restore --noflush`
 * per sync (iptables-restore.ts): everything on the first sync (reading iptables-save once to add the jumps that
 * are missing and drop stray chains of ours), then only the chains that changed. A failed restore forgets what was
 * written, so the next sync is full again. Which binaries: the system's, or the legacy/nft variant the pod network
 * chose.
 */
import { IptablesRunner, type IptablesVariant } from "../network/firewall/backend.js";
import { renderIptablesRemove } from "../network/firewall/iptables.js";
import type { Runner } from "../sys/runner.js";
import { isOurChain, renderIptablesProxy, type IptablesProxyConfig, type IptablesRuleset } from "./iptables-rules.js";
import { renderProxyRestore } from "./iptables-restore.js";
import { iptablesEndpointCounts } from "./endpoint-counters.js";
import { EMPTY_STATE, type ProxyState } from "./model.js";
import { iptablesPrefix } from "./names.js";
import type { EndpointCount, Proxier, SyncStats } from "./proxier.js";

export class IptablesProxier implements Proxier {
  readonly mode = "iptables";
  private readonly ipt: IptablesRunner;
  private applied: IptablesRuleset | undefined;
  /** The state the rules were last written for (what their counters are read against). */
  private state: ProxyState = EMPTY_STATE;

  constructor(
    runner: Runner,
    private readonly config: IptablesProxyConfig,
    readonly variant: IptablesVariant = "system",
    private readonly owner?: string,
  ) {
    this.ipt = new IptablesRunner(runner, variant);
  }

  async sync(state: ProxyState): Promise<SyncStats> {
    const prev = this.applied;
    const next = renderIptablesProxy(state, this.config, prev);
    const saved = prev ? undefined : await this.ipt.save(["nat", "filter"], this.owner);
    const input = renderProxyRestore({ prev, next, saved, serviceCIDR: this.config.serviceCIDR, isOurs: (c) => isOurChain(this.config.bridge, c) });
    if (!input) {
      this.state = state;
      return { kind: "none", size: 0 };
    }
    this.applied = undefined;
    await this.ipt.restore(input, this.owner);
    this.applied = next;
    this.state = state;
    return { kind: prev ? "partial" : "full", size: input.length };
  }

  async endpointCounters(): Promise<EndpointCount[]> {
    if (this.state.services.length === 0) return [];
    const save = await this.ipt.saveWithCounters("nat");
    return iptablesEndpointCounts(save, iptablesPrefix(this.config.bridge), this.state);
  }

  async close(): Promise<void> {}

  async cleanup(): Promise<void> {
    this.applied = undefined;
    await removeIptablesProxyRules(this.ipt, this.config.bridge, this.owner);
  }
}

/** Removes our jumps and chains from nat and filter of one iptables variant. */
export async function removeIptablesProxyRules(ipt: IptablesRunner, bridge: string, owner?: string, tables: string[] = ["nat", "filter"]): Promise<void> {
  const saved = await ipt.save(tables, owner);
  const ours = tables.map((table) => ({ table: table as "nat" | "filter", chains: [...(saved.get(table)?.chains ?? [])].filter((c) => isOurChain(bridge, c)) }));
  await ipt.restore(renderIptablesRemove(ours, saved), owner);
}
