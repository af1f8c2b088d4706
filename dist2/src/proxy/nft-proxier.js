import { nftProxyTable } from "./names.js";
import { renderNftProxy } from "./nft-rules.js";
import { renderDelete, renderDiff, renderFull } from "./nft-script.js";
export class NftablesProxier {
    runner;
    config;
    owner;
    mode = "nftables";
    applied;
    constructor(runner, config, owner) {
        this.runner = runner;
        this.config = config;
        this.owner = owner;
    }
    async sync(state) {
        const next = renderNftProxy(state, this.config, this.applied);
        const diff = this.applied && renderDiff(this.applied, next);
        const script = diff ?? renderFull(next);
        if (!script)
            return { kind: "none", size: 0 };
        this.applied = undefined;
        await this.runner.run(["nft", "-f", "-"], { input: script, owner: this.owner });
        this.applied = next;
        return { kind: diff === undefined ? "full" : "partial", size: script.length };
    }
    async close() { }
    async cleanup() {
        this.applied = undefined;
        await removeNftProxyTable(this.runner, this.config.bridge, this.owner);
    }
}
/** Deletes our table (whichever mode made it); fine when it does not exist or nft is missing. */
export async function removeNftProxyTable(runner, bridge, owner) {
    const r = await runner.run(["nft", "-f", "-"], { input: renderDelete("ip", nftProxyTable(bridge)), owner, allowFail: true });
    if (r.code !== 0 && !/No such file|not found|ENOENT/i.test(r.stderr))
        throw new Error(`cannot delete nft table ip ${nftProxyTable(bridge)}: ${r.stderr.trim()}`);
}
//# sourceMappingURL=nft-proxier.js.map