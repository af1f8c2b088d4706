import { IptablesRunner, NftRunner } from "./firewall/backend.js";
import { renderIptablesRemove, renderIptablesRestore } from "./firewall/iptables.js";
import { renderNftDelete, renderNftReplace } from "./firewall/nft.js";
import { iptablesChain, nftTableName } from "./names.js";
import { natTableNft, natTablesIptables, ourIptablesChains } from "./nat-rules.js";
/** nftables: the whole table `ip nodelet-<bridge>` replaced in one transaction, every time (it is small). */
export class NftPodFirewall {
    kind = "nftables";
    nft;
    constructor(runner) {
        this.nft = new NftRunner(runner);
    }
    async sync(p, opts) {
        await this.nft.apply(renderNftReplace(natTableNft(p)), opts.owner);
    }
    async remove(bridge, owner) {
        await this.nft.apply(renderNftDelete({ family: "ip", name: nftTableName(bridge) }), owner);
    }
}
/** iptables: our chains in nat and filter; a full sync reads iptables-save to add only the missing jumps. */
export class IptablesPodFirewall {
    removeOnly;
    kind = "iptables";
    ipt;
    constructor(runner, variant, 
    /** Restricts remove() to these tables (legacy tables that exist; see removeAllPodFirewalls). */
    removeOnly) {
        this.removeOnly = removeOnly;
        this.ipt = new IptablesRunner(runner, variant);
    }
    async sync(p, opts) {
        const tables = natTablesIptables(p);
        if (opts.full) {
            const saved = await this.ipt.save(tables.map((t) => t.table), opts.owner);
            await this.ipt.restore(renderIptablesRestore(tables, saved), opts.owner);
            return;
        }
        // Only the hostPort chain changes between full syncs: rewrite it alone, no jumps, no iptables-save.
        const hp = iptablesChain(p.bridge, "HP");
        const nat = tables.find((t) => t.table === "nat");
        const only = [{ table: nat.table, chains: nat.chains.filter((c) => c.name === hp), jumps: [] }];
        await this.ipt.restore(renderIptablesRestore(only, new Map()), opts.owner);
    }
    async remove(bridge, owner) {
        const ours = ourIptablesChains(bridge).filter((t) => !this.removeOnly || this.removeOnly.includes(t.table));
        if (ours.length === 0)
            return;
        const saved = await this.ipt.save(ours.map((t) => t.table), owner);
        await this.ipt.restore(renderIptablesRemove(ours, saved), owner);
    }
}
export function podFirewallFor(choice, runner) {
    return choice.kind === "nftables" ? new NftPodFirewall(runner) : new IptablesPodFirewall(runner, choice.iptablesVariant);
}
/**
 * Removes this bridge's rules from nftables and from both iptables variants, skipping tools that are missing.
 * Legacy iptables is only looked at when its tables exist: iptables-legacy-save would otherwise make the kernel
 * instantiate them, leaving the host changed by a cleanup. The first error (other than a missing tool) is thrown
 * after every backend was tried.
 */
export async function removeAllPodFirewalls(runner, bridge, legacyTables, owner) {
    const errors = [];
    const attempts = [new NftPodFirewall(runner), new IptablesPodFirewall(runner, "nft")];
    if (legacyTables.length)
        attempts.push(new IptablesPodFirewall(runner, "legacy", legacyTables));
    for (const fw of attempts) {
        try {
            await fw.remove(bridge, owner);
        }
        catch (err) {
            if (!/ENOENT|not found|No such file/.test(String(err)))
                errors.push(err);
        }
    }
    if (errors.length)
        throw errors[0];
}
//# sourceMappingURL=pod-firewall.js.map