/**
 * The Node object's lifecycle (the kubelet's node status manager): registered at start, refreshed every 10 s with
 * the pressure conditions of the moment. Also answers what the node can give pods (allocatable) for admission.
 */
import type { Node } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Allocatable } from "./node-admission.js";
import { pressureOf, type NodeUsage } from "./node-pressure.js";
import { allocatable, buildNode, type NodeFacts, type NodeSettings } from "./node-status.js";
import { rfc3339 } from "./status-writer.js";

export interface HeartbeatOptions {
  store: Store;
  facts: NodeFacts;
  settings: NodeSettings;
  readUsage: () => NodeUsage;
  now: () => number;
  intervalMs?: number;
  log?: (msg: string) => void;
}

export class NodeHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: HeartbeatOptions) {}

  /** Writes the Node now and every interval after. */
  start(): void {
    this.write();
    this.timer = setInterval(() => {
      try {
        this.write();
      } catch (err) {
        this.o.log?.(`node status: ${String(err)}`);
      }
    }, this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  write(): void {
    const { store, facts, settings } = this.o;
    const prev = store.get<Node>("Node", "", settings.name);
    const node = buildNode(facts, settings, prev, rfc3339(this.o.now()), pressureOf(this.o.readUsage(), settings.evictionHard));
    if (!prev) store.create(node);
    else store.update({ ...node, metadata: prev.metadata }, { subresource: "status" });
  }

  allocatable(): Allocatable {
    const a = allocatable(this.o.facts, this.o.settings);
    return { cpuMilli: a.cpuMilli, memoryBytes: a.memoryBytes, pods: a.pods };
  }
}
