/**
 * The nftables proxier: renders the state (nft-rules.ts), then applies either the whole table or only the
 * difference from what it applied last (nft-script.ts), with one `nft -f -` per sync. A failed apply forgets what
 * was applied, so the next sync replaces the whole table.
 */
import type { Runner } from "../sys/runner.js";
import { nftEndpointCounts } from "./endpoint-counters.js";
import { EMPTY_STATE, type ProxyState } from "./model.js";
import { nftProxyTable } from "./names.js";
import { renderNftProxy, type NftProxyConfig } from "./nft-rules.js";
import { renderDelete, renderDiff, renderFull, type NftRuleset } from "./nft-script.js";
import type { EndpointCount, Proxier, SyncStats } from "./proxier.js";

export class NftablesProxier implements Proxier {
  readonly mode = "nftables";
  private applied: NftRuleset | undefined;
  /** The state the table was last written for (what its counters are read against). */
  private state: ProxyState = EMPTY_STATE;

  constructor(
    private readonly runner: Runner,
    private readonly config: NftProxyConfig,
    private readonly owner?: string,
  ) {}

  async sync(state: ProxyState): Promise<SyncStats> {
    const next = renderNftProxy(state, this.config, this.applied);
    const diff = this.applied && renderDiff(this.applied, next);
    const script = diff ?? renderFull(next);
    if (!script) {
      this.state = state;
      return { kind: "none", size: 0 };
    }
    this.applied = undefined;
    await this.runner.run(["nft", "-f", "-"], { input: script, owner: this.owner });
    this.applied = next;
    this.state = state;
    return { kind: diff === undefined ? "full" : "partial", size: script.length };
  }

  async endpointCounters(): Promise<EndpointCount[]> {
    if (this.state.services.length === 0) return [];
    const r = await this.runner.run(["nft", "-j", "list", "table", "ip", nftProxyTable(this.config.bridge)], { allowFail: true });
    return r.code === 0 ? nftEndpointCounts(r.stdout, this.state) : [];
  }

  async close(): Promise<void> {}

  async cleanup(): Promise<void> {
    this.applied = undefined;
    await removeNftProxyTable(this.runner, this.config.bridge, this.owner);
  }
}

/** Deletes our table (whichever mode made it); fine when it does not exist or nft is missing. */
export async function removeNftProxyTable(runner: Runner, bridge: string, owner?: string): Promise<void> {
  const r = await runner.run(["nft", "-f", "-"], { input: renderDelete("ip", nftProxyTable(bridge)), owner, allowFail: true });
  if (r.code !== 0 && !/No such file|not found|ENOENT/i.test(r.stderr)) throw new Error(`cannot delete nft table ip ${nftProxyTable(bridge)}: ${r.stderr.trim()}`);
}
