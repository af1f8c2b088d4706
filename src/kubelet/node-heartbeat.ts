/**
 * The Node object's lifecycle (the kubelet's node status manager): registered at start, refreshed every 10 s and
 * whenever the pressure conditions change, with those conditions and their taints. Also answers what the node can
 * give pods (allocatable) for admission.
 */
import type { Node } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { PressureCondition } from "./eviction.js";
import type { Allocatable } from "./node-admission.js";
import { allocatable, buildNode, type NodeFacts, type NodeSettings } from "./node-status.js";
import { rfc3339 } from "../api/time.js";

export interface HeartbeatOptions {
  store: Store;
  facts: NodeFacts;
  settings: NodeSettings;
  /** The pressure conditions of the moment (the eviction manager's). */
  pressure: () => PressureCondition[];
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
    this.timer = setInterval(() => this.writeSafely(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** write(), with a failure logged rather than thrown (the timer's and the eviction manager's calls). */
  writeSafely(): void {
    try {
      this.write();
    } catch (err) {
      this.o.log?.(`node status: ${String(err)}`);
    }
  }

  write(): void {
    const { store, facts, settings } = this.o;
    const prev = store.get<Node>("Node", "", settings.name);
    const node = buildNode(facts, settings, prev, rfc3339(this.o.now()), this.o.pressure());
    if (!prev) {
      store.create(node);
      return;
    }
    // Taints live in the spec: written (as the node lifecycle controller does) only when they change.
    if (JSON.stringify(prev.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? [])) {
      store.update({ ...prev, spec: { ...prev.spec, taints: node.spec?.taints } });
    }
    store.update({ ...node, metadata: prev.metadata }, { subresource: "status" });
  }

  allocatable(): Allocatable {
    const a = allocatable(this.o.facts, this.o.settings);
    return { cpuMilli: a.cpuMilli, memoryBytes: a.memoryBytes, pods: a.pods };
  }
}
