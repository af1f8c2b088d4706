/**
 * The iptables proxier: renders the state (iptables-rules.ts) and writes it with one `iptables-restore --noflush`
 * per sync (iptables-restore.ts): everything on the first sync (reading iptables-save once to add the jumps that
 * are missing and drop stray chains of ours), then only the chains that changed. A failed restore forgets what was
 * written, so the next sync is full again. Which binaries: the system's, or the legacy/nft variant the pod network
 * chose.
 */
import { IptablesRunner } from "../network/firewall/backend.js";
import { renderIptablesRemove } from "../network/firewall/iptables.js";
import { isOurChain, renderIptablesProxy } from "./iptables-rules.js";
import { renderProxyRestore } from "./iptables-restore.js";
export class IptablesProxier {
    config;
    variant;
    owner;
    mode = "iptables";
    ipt;
    applied;
    constructor(runner, config, variant = "system", owner) {
        this.config = config;
        this.variant = variant;
        this.owner = owner;
        this.ipt = new IptablesRunner(runner, variant);
    }
    async sync(state) {
        const prev = this.applied;
        const next = renderIptablesProxy(state, this.config, prev);
        const saved = prev ? undefined : await this.ipt.save(["nat", "filter"], this.owner);
        const input = renderProxyRestore({ prev, next, saved, serviceCIDR: this.config.serviceCIDR, isOurs: (c) => isOurChain(this.config.bridge, c) });
        if (!input)
            return { kind: "none", size: 0 };
        this.applied = undefined;
        await this.ipt.restore(input, this.owner);
        this.applied = next;
        return { kind: prev ? "partial" : "full", size: input.length };
    }
    async close() { }
    async cleanup() {
        this.applied = undefined;
        await removeIptablesProxyRules(this.ipt, this.config.bridge, this.owner);
    }
}
/** Removes our jumps and chains from nat and filter of one iptables variant. */
export async function removeIptablesProxyRules(ipt, bridge, owner, tables = ["nat", "filter"]) {
    const saved = await ipt.save(tables, owner);
    const ours = tables.map((table) => ({ table: table, chains: [...(saved.get(table)?.chains ?? [])].filter((c) => isOurChain(bridge, c)) }));
    await ipt.restore(renderIptablesRemove(ours, saved), owner);
}
//# sourceMappingURL=iptables-proxier.js.map