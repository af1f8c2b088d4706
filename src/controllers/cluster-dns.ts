/**
 * The cluster DNS's endpoints in a cluster of nodes: the control plane keeps `kube-system/kube-dns` (the Service at
 * the DNS address pods are given) and its Endpoints — one address per Node, that node's DNS listener (its pod
 * CIDR's gateway, where `nodelet node` serves DNS on port 53). Every node's server answers for the whole cluster
 * (it reads the API), so the Service's traffic may go to any of them, as to any kube-dns replica; a Node not Ready
 * is listed under notReadyAddresses and gets none. Nodes write nothing here (the Node authorizer lets them not), and
 * no node's address overwrites another's. The all-in-one daemon publishes its own gateway instead (service-wiring).
 */
import { formatIPv4, gatewayOf, parseCidr } from "../api/cidr.js";
import type { EndpointAddress, Node } from "../api/types.js";
import { DNS_NAMESPACE, DNS_SERVICE, ensureKubeDns, type DnsListeners } from "./kube-dns.js";
import { runWorkers, type Controller, type ControllerContext, type ControllerFactory } from "./foundation/controller.js";
import type { Informer } from "./foundation/informer.js";
import { WorkQueue } from "./foundation/work-queue.js";
import { nodePodCIDRs } from "./node-ipam/cidr-set.js";

export const CLUSTER_DNS_CONTROLLER = "cluster-dns-controller";
const DNS_PORT = 53;
const KEY = `${DNS_NAMESPACE}/${DNS_SERVICE}`;

/** Each Node's DNS listener (its first pod CIDR's first address), ready or not, by node name. Pure. */
export function nodeDnsListeners(nodes: Node[]): DnsListeners {
  const ready: EndpointAddress[] = [];
  const notReady: EndpointAddress[] = [];
  for (const n of [...nodes].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))) {
    const cidr = nodePodCIDRs(n.spec)[0];
    if (!cidr || n.metadata.deletionTimestamp) continue;
    const address: EndpointAddress = { ip: formatIPv4(gatewayOf(cidr)), nodeName: n.metadata.name };
    const isReady = n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    (isReady ? ready : notReady).push(address);
  }
  return { ready, notReady };
}

class ClusterDnsController implements Controller {
  readonly name = CLUSTER_DNS_CONTROLLER;
  private readonly queue: WorkQueue<string>;
  private readonly nodes: Informer<Node>;
  private workers: Promise<void> | undefined;
  private last = "";

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clusterIP: string,
  ) {
    this.queue = new WorkQueue<string>(ctx.clock);
    this.nodes = ctx.informers.informer<Node>("Node");
  }

  start(): void {
    const changed = (): void => this.queue.add(KEY);
    this.nodes.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.workers = runWorkers(this.name, this.queue, 1, () => this.sync(), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.workers;
  }

  sync(): void {
    if (!this.nodes.hasSynced()) {
      this.queue.addAfter(KEY, 100);
      return;
    }
    const listeners = nodeDnsListeners(this.nodes.list());
    // Nodes' heartbeats change nothing here: write only when the listeners change (and once at start, to repair).
    const text = JSON.stringify(listeners);
    if (text === this.last) return;
    ensureKubeDns(this.ctx.api, this.clusterIP, listeners, DNS_PORT);
    this.last = text;
  }
}

/** The controller for the DNS Service at `clusterIP` (--cluster-dns, else the service CIDR's tenth address). */
export function clusterDnsController(clusterIP: string): ControllerFactory {
  if (!parseCidr(`${clusterIP}/32`)) throw new Error(`cluster DNS address "${clusterIP}" is not an IPv4 address`);
  return (ctx) => new ClusterDnsController(ctx, clusterIP);
}
