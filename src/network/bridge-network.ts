/**
 * BridgeNetwork: the CNI bridge + host-local + portmap plugins' job, done in the daemon. Each pod gets a veth pair
 * (eth0 inside with an address from the pod CIDR, the host end on the node bridge), pods reach each other over the
 * bridge and the world through masquerade, and hostPorts are DNATed to them.
 *
 * Side effects and their cleanup:
 * - start(): bridge, routes, sysctls (node-setup.ts), our firewall table/chains; frees leases and veths of pods
 *   that no longer exist.
 * - prepare() → the sandbox makes the veth pair with netlink → attach(): one lease (persisted), the pod's hostPort
 *   rules (1 exec, only with hostPorts). On a failure attach() or abort() undoes everything before the error.
 * - tearDown(): frees the lease and the hostPort rules; the veth goes with the pod's namespace (a check two seconds
 *   later deletes it if something kept the namespace alive, and start() collects any left over).
 * - reset(): removes all of the above, leaving the host as before.
 */
import { join } from "node:path";
import { FieldError } from "../api/errors.js";
import { HostError } from "../sys/host-error.js";
import type { Pod } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { contains, formatCidr, formatIPv4, parseIPv4 } from "../api/cidr.js";
import { chooseFirewall, NftRunner, type FirewallKind } from "./firewall/backend.js";
import { planGc } from "./gc.js";
import { podHostPorts } from "./host-ports.js";
import { LeaseStore, type Lease } from "./ipam.js";
import { hostKernelFiles, type KernelFiles } from "../sys/kernel-files.js";
import { linkDelArgv, sandboxNetworkArgs, vethEquivalent, type VethSpec } from "./link-plan.js";
import { vethName } from "./names.js";
import type { NatPolicy } from "./nat-rules.js";
import { detectNodeIP } from "./node-ip.js";
import { applyNode, inspectHost, planBridge, recordCreatedTables, removeNode, type NodeDeps } from "./node-setup.js";
import { podFirewallFor, removeAllPodFirewalls, type PodFirewall } from "./pod-firewall.js";
import type { NetworkAttachment, NetworkSandbox, PodNetwork, PreparedNetwork } from "./pod-network.js";
import { SerialSync } from "./serial-sync.js";
import { validateSettings, type NetworkSettings, type ValidSettings } from "./settings.js";

export interface BridgeNetworkOptions extends NetworkSettings {
  /** Where leases and the host's original settings are kept (e.g. ROOT/network). */
  stateDir: string;
  runner: Runner;
  /** Kernel file access; tests may pass a fake. */
  kernel?: KernelFiles;
  /** Delay before checking that a torn-down pod's veth is gone (default 2000 ms). */
  strayCheckMs?: number;
}

/** What attach leaves in the sandbox record (all strings: the record's `network` field). */
interface AttachmentState extends Record<string, string> {
  ip: string;
  veth: string;
  ifindex: string;
  bridge: string;
}

export class BridgeNetwork implements PodNetwork {
  readonly settings: ValidSettings;
  private readonly leases: LeaseStore;
  private readonly kernel: KernelFiles;
  private readonly runner: Runner;
  private firewall: PodFirewall | undefined;
  private nodeIP: string;
  private readonly firewallSync = new SerialSync(() => this.syncFirewall(false));
  /** A rule write failed: the rules may not match the leases until the next successful write. */
  private firewallDirty = false;

  /** Validates the settings (FieldError naming the flag); touches nothing. */
  constructor(private readonly o: BridgeNetworkOptions) {
    this.settings = validateSettings(o);
    this.runner = o.runner;
    this.kernel = o.kernel ?? hostKernelFiles(o.runner);
    this.leases = new LeaseStore(join(o.stateDir, "leases.json"), this.settings.pod);
    this.nodeIP = this.settings.nodeIP ?? "127.0.0.1";
  }

  private get node(): NodeDeps {
    return { runner: this.runner, kernel: this.kernel, settings: this.settings, stateDir: this.o.stateDir };
  }

  /** The firewall backend in use (after start). */
  get firewallKind(): FirewallKind | undefined {
    return this.firewall?.kind;
  }

  async start(livePodUids: Set<string>): Promise<void> {
    const found = await inspectHost(this.node);
    this.leases.load();
    this.checkLeasesInRange(livePodUids);
    const choice = await chooseFirewall(this.runner, this.settings.firewallBackend);
    await applyNode(this.node, planBridge(this.settings, found), found);
    await this.collectGarbage(livePodUids);
    this.firewall = podFirewallFor(choice, this.runner);
    await this.firstSync();
    this.nodeIP = this.settings.nodeIP ?? (await detectNodeIP(this.runner, { owner: "node", skipInterface: this.settings.bridge }));
  }

  hostIP(): string {
    return this.nodeIP;
  }

  /** The leases held now (pod, address, veth, hostPorts). */
  activeLeases(): readonly Lease[] {
    return this.leases.all();
  }

  /** The host end of a pod's veth, as its lease says: a pod started in a warm sandbox keeps that sandbox's veth. */
  vethOf(podUid: string): string | undefined {
    return this.leases.byPod(podUid)?.veth;
  }

  /** A live pod holding an address outside --pod-cidr means the setting changed under running pods. */
  private checkLeasesInRange(live: Set<string>): void {
    const stray = this.leases.all().find((l) => live.has(l.podUid) && !contains(this.settings.pod, parseIPv4(l.ip) ?? -1));
    if (stray) {
      throw new FieldError("--pod-cidr", `pod ${stray.pod} still has ${stray.ip}, outside ${formatCidr(this.settings.pod)}; delete its pods or keep the old --pod-cidr`);
    }
  }

  /**
   * The one way a pod gets its network: allocate the address and let the sandbox make the pair with netlink as it
   * creates its namespace (prepare → sandbox → attach, or abort), from one veth description (link-plan.ts) that
   * renders both the sandbox's flags and the equivalent `ip` commands. A host end left by this pod's previous
   * sandbox (the kernel frees a dead namespace's devices asynchronously) is deleted first.
   */
  async prepare(pod: Pod, podUid: string): Promise<PreparedNetwork> {
    const veth = vethName(podUid);
    const lease = this.leases.allocate({ podUid, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, veth, hostPorts: podHostPorts(pod) });
    this.runner.comment(podUid, `IPAM: ${lease.ip} from ${formatCidr(this.settings.pod)} (lease in ${this.leases.file})`);
    if (this.kernel.ifindex(veth) !== undefined) await this.runner.run(linkDelArgv(veth), { owner: podUid, allowFail: true });
    const spec = this.vethSpec(lease);
    return { shimArgs: sandboxNetworkArgs(spec, this.settings.hairpin), ips: [lease.ip], equivalent: vethEquivalent(spec), token: lease };
  }

  async attach(_pod: Pod, sandbox: NetworkSandbox, prepared: PreparedNetwork): Promise<NetworkAttachment> {
    const lease = prepared.token as Lease;
    try {
      if (lease.hostPorts.length) await this.hostPortsAdded(lease, sandbox.podUid);
    } catch (err) {
      await this.undoSetUp(lease, true, sandbox.podUid);
      throw err;
    }
    const state: AttachmentState = { ip: lease.ip, veth: lease.veth, ifindex: String(this.kernel.ifindex(lease.veth) ?? ""), bridge: this.settings.bridge };
    return { ips: [lease.ip], state };
  }

  async claim(pod: Pod, podUid: string, warm: NetworkSandbox): Promise<NetworkAttachment> {
    const lease = this.leases.rekey(warm.podUid, { podUid, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, hostPorts: podHostPorts(pod) });
    this.runner.comment(podUid, `IPAM: ${lease.ip} and veth ${lease.veth}, made ahead by a warm sandbox, are this pod's now (lease in ${this.leases.file})`);
    try {
      if (lease.hostPorts.length) await this.hostPortsAdded(lease, podUid);
    } catch (err) {
      this.leases.rekey(podUid, { podUid: warm.podUid, pod: `${warm.namespace}/${warm.name}`, hostPorts: [] });
      await this.firewallSync.request().catch(() => undefined);
      throw err;
    }
    const state: AttachmentState = { ip: lease.ip, veth: lease.veth, ifindex: warm.network?.ifindex ?? String(this.kernel.ifindex(lease.veth) ?? ""), bridge: this.settings.bridge };
    return { ips: [lease.ip], state };
  }

  attachmentBroken(sandbox: NetworkSandbox): string | undefined {
    const st = sandbox.network as Partial<AttachmentState> | undefined;
    const lease = this.leases.byPod(sandbox.podUid);
    if (!lease) return "its address lease is gone";
    if (!st?.veth || !st.ifindex) return "its network attachment was never recorded";
    if (st.bridge !== this.settings.bridge) return `it is attached to bridge ${st.bridge ?? "?"}, not ${this.settings.bridge}`;
    if (lease.ip !== st.ip || lease.veth !== st.veth) return `its lease is ${lease.ip} on ${lease.veth}, not ${st.ip ?? "?"} on ${st.veth}`;
    if (String(this.kernel.ifindex(st.veth) ?? "") !== st.ifindex) return `its veth ${st.veth} is gone (its network namespace died or the link was deleted)`;
    return undefined;
  }

  freeAddresses(): number {
    return this.leases.freeCount();
  }

  async abort(prepared: PreparedNetwork, podUid: string): Promise<void> {
    const lease = prepared.token as Lease;
    await this.undoSetUp(lease, this.kernel.ifindex(lease.veth) !== undefined, podUid);
  }

  private vethSpec(lease: Lease): VethSpec {
    const s = this.settings;
    return { hostName: lease.veth, bridge: s.bridge, netnsPid: 0, podIfName: "eth0", ip: parseIPv4(lease.ip)!, prefix: s.pod.prefix, gateway: s.gateway };
  }

  private async undoSetUp(lease: Lease, created: boolean, uid: string): Promise<void> {
    this.leases.release(uid);
    if (created) await this.runner.run(linkDelArgv(lease.veth), { owner: uid, allowFail: true });
    if (lease.hostPorts.length) await this.firewallSync.request().catch(() => undefined);
  }

  /** Rewrites the hostPort rules; for UDP also forgets conntrack entries made before the DNAT existed. */
  private async hostPortsAdded(lease: Lease, owner: string): Promise<void> {
    await this.firewallSync.request();
    // A UDP "connection" to the hostPort seen before the rule existed stays bound to its old path until it
    // expires; the CNI portmap plugin deletes those entries the same way.
    for (const m of lease.hostPorts.filter((h) => h.protocol === "UDP")) {
      await this.runner.run(["conntrack", "-D", "-p", "udp", "--orig-port-dst", String(m.hostPort)], { owner, allowFail: true });
    }
  }

  async tearDown(sandbox: NetworkSandbox): Promise<void> {
    const state = sandbox.network as Partial<AttachmentState> | undefined;
    const lease = this.leases.byPod(sandbox.podUid);
    // Free the lease only when it is the one this sandbox got (a newer sandbox of the same pod may hold another).
    const freed = lease && (!state?.ip || state.ip === lease.ip) ? this.leases.release(sandbox.podUid) : undefined;
    if (freed) this.runner.comment(sandbox.podUid, `IPAM: released ${freed.ip}`);
    // Before start() there are no rules yet: start's full write renders them from the leases.
    if (this.firewall && (freed?.hostPorts.length || this.firewallDirty)) await this.firewallSync.request();
    if (state?.veth && state.ifindex) this.checkStrayLater(state.veth, Number(state.ifindex), sandbox.podUid);
  }

  /**
   * The veth should vanish with the namespace when the pause process is killed after tearDown; if the same device
   * (same ifindex: indexes are not reused soon) is still there later, something holds the namespace: delete it.
   */
  private checkStrayLater(veth: string, ifindex: number, owner: string): void {
    const timer = setTimeout(() => {
      if (this.kernel.ifindex(veth) !== ifindex) return;
      void this.runner.run(linkDelArgv(veth), { owner, allowFail: true });
    }, this.o.strayCheckMs ?? 2000);
    timer.unref();
  }

  /** Frees leases of pods not in `live` and deletes our veths on the bridge that no live lease owns. */
  async collectGarbage(livePodUids: Set<string>): Promise<void> {
    const plan = planGc(this.kernel.bridgePorts(this.settings.bridge), this.leases.all(), livePodUids);
    this.leases.retain(livePodUids);
    for (const link of plan.deleteLinks) await this.runner.run(linkDelArgv(link), { owner: "node", allowFail: true });
    if (plan.releasePods.length && this.firewall) await this.firewallSync.request();
  }

  /**
   * The full rule write at start. iptables-nft creates the `ip nat` / `ip filter` nft tables when they are missing;
   * noting which tables appeared lets reset() remove them again (one `nft list tables` before and after).
   */
  private async firstSync(): Promise<void> {
    if (this.firewall?.kind !== "iptables") return this.syncFirewall(true);
    const nft = new NftRunner(this.runner);
    const before = await nft.tables("node").catch(() => undefined);
    await this.syncFirewall(true);
    const after = before && (await nft.tables("node").catch(() => undefined));
    if (before && after) recordCreatedTables(this.node, before, after);
  }

  private policy(): NatPolicy {
    const s = this.settings;
    return {
      bridge: s.bridge,
      podCIDR: formatCidr(s.pod),
      clusterCIDRs: [formatCidr(s.cluster), formatCidr(s.service)],
      masqueradeMark: s.masqueradeMark,
      hostPorts: this.leases.all().flatMap((l) => l.hostPorts.map((m) => ({ ...m, podIP: l.ip, pod: l.pod }))),
    };
  }

  private async syncFirewall(full: boolean): Promise<void> {
    if (!this.firewall) throw new HostError("sync firewall rules", this.settings.bridge, "", "the network is not started");
    this.firewallDirty = true;
    await this.firewall.sync(this.policy(), { full, owner: "node" });
    this.firewallDirty = false;
  }

  /**
   * `nodelet reset` / `--cleanup-on-exit`: removes our rules (from every backend), the bridge and the veths on it,
   * our routes and leases, and restores ip_forward. Works without start(); idempotent.
   */
  async reset(): Promise<void> {
    await this.firewallSync.idle();
    await removeAllPodFirewalls(this.runner, this.settings.bridge, this.kernel.legacyIptablesTables(), "node");
    await removeNode(this.node);
    this.leases.clear();
    this.firewall = undefined;
  }

  /** A one-line summary for the daemon's start log. */
  describe(): string {
    const s = this.settings;
    return `bridge ${s.bridge} ${formatIPv4(s.gateway)}/${s.pod.prefix}, pods ${formatCidr(s.pod)} of ${formatCidr(s.cluster)}, services ${formatCidr(s.service)}, firewall ${this.firewall?.kind ?? "not started"}`;
  }
}

/** The factory the daemon calls with its settings: validates them (FieldError naming the flag) and builds the network. */
export function createBridgeNetwork(o: BridgeNetworkOptions): BridgeNetwork {
  return new BridgeNetwork(o);
}
