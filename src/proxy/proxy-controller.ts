/**
 * The service proxy of the node: the chooser of the proxier for --proxy-mode, the node route for the service CIDR,
 * the sync loop (change tracker → one coalesced sync at a time) and the health check node ports of Services with
 * externalTrafficPolicy Local (health-check-server.ts), whose listeners stop with the proxy. Start removes what another mode left behind
 * (kube-proxy's CleanupLeftovers), so switching --proxy-mode leaves only the new mode's rules. stop(cleanup)
 * removes everything; removeAllProxyRules does the same without a running proxy, for `nodelet reset`.
 */
import type { FirewallChoice } from "../network/firewall/backend.js";
import { IptablesRunner } from "../network/firewall/backend.js";
import { SerialSync } from "../network/serial-sync.js";
import type { Store } from "../store/store.js";
import type { Runner } from "../sys/runner.js";
import { ChangeTracker } from "./change-tracker.js";
import { IptablesProxier, removeIptablesProxyRules } from "./iptables-proxier.js";
import { EMPTY_STATE, type ProxyState } from "./model.js";
import { NftablesProxier, removeNftProxyTable } from "./nft-proxier.js";
import { addServiceRoute, removeServiceRoute } from "./node-route.js";
import type { Proxier, ProxyMode, SyncStats } from "./proxier.js";
import { UserspaceGuard } from "./userspace-guard.js";
import { UserspaceProxier } from "./userspace-proxier.js";
import { ServiceHealthServer } from "./health-check-server.js";
import { staleUdpEndpoints } from "./stale-udp.js";

export interface ProxySettings {
  mode: ProxyMode;
  /** This node's name: EndpointSlice endpoints with this nodeName are the Local traffic policies' endpoints. */
  nodeName: string;
  /**
   * The node's address, where health check node ports listen (every address when absent). Its own address, so
   * node agents sharing a host's network namespace on addresses of their own (`nodelet cluster up`) each serve theirs.
   */
  nodeIP?: string;
  bridge: string;
  clusterCIDR: string;
  podCIDR: string;
  serviceCIDR: string;
  /** kube-proxy's --iptables-masquerade-bit 14 = 0x4000 (the pod network's hostPort mark is 0x2000). */
  masqueradeMark?: number;
  /** The pod network's firewall choice: the iptables variant to use, and which backend guards userspace mode. */
  firewall: FirewallChoice;
}

const OWNER = "proxy";
const RESYNC_MS = 30_000;

/** One proxier for the mode. */
export function createProxier(runner: Runner, s: ProxySettings, log: (m: string) => void = () => undefined): Proxier {
  const c = { bridge: s.bridge, clusterCIDR: s.clusterCIDR, podCIDR: s.podCIDR, serviceCIDR: s.serviceCIDR, masqueradeMark: s.masqueradeMark ?? 0x4000 };
  switch (s.mode) {
    case "nftables":
      return new NftablesProxier(runner, c, OWNER);
    case "iptables":
      return new IptablesProxier(runner, c, s.firewall.iptablesVariant, OWNER);
    case "userspace":
      return new UserspaceProxier(new UserspaceGuard(runner, { bridge: s.bridge, serviceCIDR: s.serviceCIDR, firewall: s.firewall.kind, iptablesVariant: s.firewall.iptablesVariant }, OWNER), log);
  }
}

export class ProxyController {
  readonly proxier: Proxier;
  private readonly tracker: ChangeTracker;
  private readonly health: ServiceHealthServer;
  private readonly loop = new SerialSync(() => this.syncOnce());
  private applied: ProxyState = EMPTY_STATE;
  private resync: NodeJS.Timeout | undefined;
  /** The last sync's outcome, for logs and tests. */
  lastSync: (SyncStats & { ms: number; error?: string }) | undefined;

  constructor(
    store: Store,
    private readonly runner: Runner,
    private readonly s: ProxySettings,
    private readonly log: (m: string) => void = () => undefined,
    /** legacy iptables tables that exist (reset only looks at legacy rules when they do). */
    private readonly legacyTables: () => string[] = () => [],
  ) {
    this.proxier = createProxier(runner, s, log);
    this.tracker = new ChangeTracker(store, s.nodeName, () => void this.sync().catch(() => undefined));
    this.health = new ServiceHealthServer(() => this.lastSync !== undefined && this.lastSync.error === undefined, log, s.nodeIP);
  }

  /** Routes the service CIDR to the node, removes other modes' leftovers, writes the rules, follows changes. */
  async start(): Promise<void> {
    await addServiceRoute(this.runner, this.s.serviceCIDR, OWNER);
    await removeOtherModes(this.runner, this.s, this.legacyTables());
    this.tracker.start();
    await this.sync();
    // kube-proxy's periodic sync: a failed write (or a userspace listener that could not bind) is retried even when
    // nothing changes; with nothing to do a sync only renders and compares.
    this.resync = setInterval(() => void this.sync().catch(() => undefined), RESYNC_MS);
    this.resync.unref();
  }

  /** Requests a sync and waits for one that began after the request. */
  sync(): Promise<void> {
    return this.loop.request();
  }

  private async syncOnce(): Promise<void> {
    const state = this.tracker.state();
    const t0 = performance.now();
    try {
      const stats = await this.proxier.sync(state);
      this.lastSync = { ...stats, ms: performance.now() - t0 };
    } catch (err) {
      this.lastSync = { kind: "full", size: 0, ms: performance.now() - t0, error: String(err) };
      this.log(`proxy (${this.s.mode}): sync failed, the next sync rewrites everything: ${String(err)}`);
      await this.health.sync(state);
      throw err;
    }
    await this.health.sync(state);
    if (this.s.mode !== "userspace") await this.forgetStaleUdp(this.applied, state);
    this.applied = state;
  }

  /**
   * A UDP "connection" stays DNATed to an endpoint that is gone until it expires; kube-proxy deletes those entries
   * (conntrack -D --orig-dst SERVICE --dst-nat ENDPOINT), so clients switch to a live endpoint at once.
   */
  private async forgetStaleUdp(prev: ProxyState, next: ProxyState): Promise<void> {
    for (const { clusterIP, endpointIP } of staleUdpEndpoints(prev, next)) {
      await this.runner.run(["conntrack", "-D", "-p", "udp", "--orig-dst", clusterIP, "--dst-nat", endpointIP], { owner: OWNER, allowFail: true });
    }
  }

  /** Stops following; with cleanup, removes the rules and the route. */
  async stop(cleanup: boolean): Promise<void> {
    clearInterval(this.resync);
    this.tracker.stop();
    await this.loop.idle();
    await this.health.close();
    if (!cleanup) return this.proxier.close();
    await this.proxier.cleanup();
    await removeServiceRoute(this.runner, this.s.serviceCIDR, OWNER);
  }
}

/** Before starting a mode: remove what the other modes of this bridge may have left. */
async function removeOtherModes(runner: Runner, s: ProxySettings, legacyTables: string[]): Promise<void> {
  if (s.mode !== "nftables" && !(s.mode === "userspace" && s.firewall.kind === "nftables")) await removeNftProxyTable(runner, s.bridge, OWNER);
  if (s.mode !== "iptables") await removeIptablesEverywhere(runner, s.bridge, legacyTables);
}

async function removeIptablesEverywhere(runner: Runner, bridge: string, legacyTables: string[]): Promise<void> {
  const variants: { ipt: IptablesRunner; tables: string[] }[] = [{ ipt: new IptablesRunner(runner, "nft"), tables: ["nat", "filter"] }];
  const legacy = ["nat", "filter"].filter((t) => legacyTables.includes(t));
  if (legacy.length) variants.push({ ipt: new IptablesRunner(runner, "legacy"), tables: legacy });
  for (const v of variants) {
    try {
      await removeIptablesProxyRules(v.ipt, bridge, OWNER, v.tables);
    } catch (err) {
      if (!/ENOENT|not found|No such file/.test(String(err))) throw err;
    }
  }
}

/** `nodelet reset`: removes every proxy rule of this bridge in every backend, and the service route. */
export async function removeAllProxyRules(runner: Runner, bridge: string, serviceCIDR: string, legacyTables: string[]): Promise<void> {
  await removeNftProxyTable(runner, bridge, OWNER);
  await removeIptablesEverywhere(runner, bridge, legacyTables);
  await removeServiceRoute(runner, serviceCIDR, OWNER);
}
