/**
 * The node IPAM controller (kube-controller-manager's nodeipam with the RangeAllocator): gives every Node without
 * one a pod CIDR (spec.podCIDR and spec.podCIDRs) cut from the cluster CIDR at `--node-cidr-mask-size`.
 *
 * What is taken is read from the Nodes themselves (every cached Node's podCIDRs, plus the allocations this controller
 * wrote and has not yet seen back), so a restarted controller never hands out a block a Node holds, and a deleted
 * Node's block is free again once it is gone from the cache. Nothing is allocated before the first full list of
 * Nodes is in the cache. A Node whose CIDR was set by hand (the all-in-one daemon's --pod-cidr) is left as it is and
 * its range counts as taken. When the cluster CIDR is full: the Node's event `CIDRNotAvailable` ("Node X status is
 * now: CIDRNotAvailable", upstream's RecordNodeStatusChange) and a retry with back-off.
 * One worker: allocations never race each other.
 */
import { ApiError } from "../../api/errors.js";
import { formatCidr, type Cidr } from "../../api/cidr.js";
import type { Node } from "../../api/types.js";
import { runWorkers, type Controller, type ControllerContext } from "../foundation/controller.js";
import type { EventRecorder } from "../foundation/events.js";
import type { Informer } from "../foundation/informer.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { nextFree, nodePodCIDRs, type CidrSet } from "./cidr-set.js";

export const NODE_IPAM_CONTROLLER = "node-ipam-controller";

export class NodeIpamController implements Controller {
  readonly name = NODE_IPAM_CONTROLLER;
  private readonly queue: WorkQueue<string>;
  private readonly nodes: Informer<Node>;
  private readonly events: EventRecorder;
  /** Blocks this controller wrote, by node name, until the cache shows them (or the Node goes). */
  private readonly written = new Map<string, Cidr>();
  private next = 0;
  private workers: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly set: CidrSet,
  ) {
    this.queue = new WorkQueue<string>(ctx.clock);
    this.nodes = ctx.informers.informer<Node>("Node");
    this.events = ctx.recorder(NODE_IPAM_CONTROLLER);
  }

  start(): void {
    const changed = (n: Node): void => {
      if (nodePodCIDRs(n.spec).length === 0) this.queue.add(n.metadata.name ?? "");
      else this.written.delete(n.metadata.name ?? "");
    };
    this.nodes.addHandler({
      onAdd: changed,
      onUpdate: (_, n) => changed(n),
      onDelete: (n) => this.written.delete(n.metadata.name ?? ""),
    });
    this.workers = runWorkers(this.name, this.queue, 1, (key) => this.sync(key), this.ctx.log);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.workers;
  }

  /** The blocks taken now: every cached Node's CIDRs and the ones written but not yet seen. */
  taken(): Cidr[] {
    return [...this.nodes.list().flatMap((n) => nodePodCIDRs(n.spec)), ...this.written.values()];
  }

  sync(name: string): void {
    if (!this.nodes.hasSynced()) {
      this.queue.addAfter(name, 100);
      return;
    }
    const node = this.nodes.get("", name);
    if (!node || nodePodCIDRs(node.spec).length > 0 || this.written.has(name)) return;
    const free = nextFree(this.set, this.taken(), this.next);
    if (!free) {
      this.events.event({ ...node, metadata: { ...node.metadata, uid: name, namespace: "" } }, "Normal", "CIDRNotAvailable", `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no pod CIDR left in ${formatCidr(this.set.cluster)} for node ${name} (blocks of /${this.set.maskSize})`);
    }
    const text = formatCidr(free.cidr);
    try {
      this.ctx.api.update<Node>({ ...node, spec: { ...node.spec, podCIDR: text, podCIDRs: [text] } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return; // deleted meanwhile
      throw err; // 409: the cache is behind; the retry reads it again
    }
    this.next = free.index + 1;
    // The update's own watch event may already have come in (in-process) and found the node assigned.
    if (nodePodCIDRs(this.nodes.get("", name)?.spec).length === 0) this.written.set(name, free.cidr);
    this.ctx.log(`${NODE_IPAM_CONTROLLER}: node ${name} gets pod CIDR ${text}`);
  }
}

/** The controller's factory over one cidr set (cidrSet(--cluster-cidr, --node-cidr-mask-size)). */
export const nodeIpamController =
  (set: CidrSet) =>
  (ctx: ControllerContext): Controller =>
    new NodeIpamController(ctx, set);
