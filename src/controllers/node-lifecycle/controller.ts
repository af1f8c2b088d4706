/**
 * The node lifecycle controller (pkg/controller/nodelifecycle, "node-lifecycle-controller"), over Node, Lease
 * (kube-node-lease) and Pod informers:
 * - every --node-monitor-period (5 s) it checks each Node's signs of life (health.ts): silent for longer than
 *   --node-monitor-grace-period (50 s; 60 s before the kubelet ever wrote Ready), the node's Ready, MemoryPressure,
 *   DiskPressure and PIDPressure become Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status."); a
 *   node leaving Ready gets the event `NodeNotReady` ("Node X status is now: NodeNotReady") and its pods Ready=False
 *   (MarkPodsNotReady, each with the event NodeNotReady "Node is not ready");
 * - Ready False / Unknown queue the node for the NoExecute taint not-ready / unreachable, released per zone at the
 *   zone's rate (zones.ts, timed-queue.ts); a node already carrying the other one is switched at once; Ready True
 *   removes both at once. The taint eviction controller then evicts the pods;
 * - on every Node change, the NoSchedule taints of its conditions and cordon (taints.ts, TaintNodesByCondition).
 * The tainting pass runs every 100 ms while a zone has nodes waiting (upstream's nodeEvictionPeriod), not otherwise.
 */
import { ApiError } from "../../api/errors.js";
import { NODE_LEASE_NAMESPACE, type Lease } from "../../api/lease.js";
import type { Node, Pod, Taint } from "../../api/types.js";
import { runWorkers, type Controller, type ControllerContext } from "../foundation/controller.js";
import type { EventRecorder } from "../foundation/events.js";
import type { Informer } from "../foundation/informer.js";
import { WorkQueue } from "../foundation/work-queue.js";
import { gracePeriodOf, observeHealth, readyCondition, unknownConditions, type NodeHealth } from "./health.js";
import { hasTaint, noExecuteFor, noScheduleTaintDiff, NOT_READY_NO_EXECUTE, swapTaints, UNREACHABLE_NO_EXECUTE } from "./taints.js";
import { RateLimitedTimedQueue } from "./timed-queue.js";
import { computeZoneState, disruptionStep, EXCLUDE_DISRUPTION_LABEL, zoneKey, zoneQps, type EvictionRates, type ZoneState } from "./zones.js";
import { rfc3339 } from "../../api/time.js";

export const NODE_LIFECYCLE_CONTROLLER = "node-lifecycle-controller";
const TAINT_PASS_MS = 100;

export interface NodeLifecycleSettings extends EvictionRates {
  /** --node-monitor-period. */
  monitorPeriodMs: number;
  /** --node-monitor-grace-period. */
  monitorGraceMs: number;
  /** --node-startup-grace-period. */
  startupGraceMs: number;
}

export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleSettings = {
  monitorPeriodMs: 5000,
  monitorGraceMs: 50_000,
  startupGraceMs: 60_000,
  evictionQps: 0.1,
  secondaryEvictionQps: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};


export class NodeLifecycleController implements Controller {
  readonly name = NODE_LIFECYCLE_CONTROLLER;
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly events: EventRecorder;
  private readonly noSchedule: WorkQueue<string>;
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();
  private monitorTimer: { cancel(): void } | undefined;
  private taintTimer: { cancel(): void } | undefined;
  private workers: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: ControllerContext,
    readonly settings: NodeLifecycleSettings = DEFAULT_NODE_LIFECYCLE,
  ) {
    this.nodes = ctx.informers.informer<Node>("Node");
    this.leases = ctx.informers.informer<Lease>("Lease");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.events = ctx.recorder(NODE_LIFECYCLE_CONTROLLER);
    this.noSchedule = new WorkQueue<string>(ctx.clock);
  }

  start(): void {
    this.stopped = false;
    const changed = (n: Node): void => this.noSchedule.add(n.metadata.name ?? "");
    this.nodes.addHandler({
      onAdd: changed,
      onUpdate: (_, n) => changed(n),
      onDelete: (n) => {
        const name = n.metadata.name ?? "";
        this.health.delete(name);
        for (const q of this.tainters.values()) q.remove(name);
      },
    });
    this.workers = runWorkers(`${this.name} (taints by condition)`, this.noSchedule, 1, (name) => this.syncNoSchedule(name), this.ctx.log);
    this.scheduleMonitor(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.monitorTimer?.cancel();
    this.taintTimer?.cancel();
    this.noSchedule.shutDown();
    await this.workers;
  }

  private scheduleMonitor(ms: number): void {
    if (this.stopped) return;
    this.monitorTimer = this.ctx.clock.setTimeout(() => {
      try {
        this.monitor();
      } catch (err) {
        this.ctx.log(`${this.name}: monitoring node health: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.scheduleMonitor(this.settings.monitorPeriodMs);
    }, ms);
  }

  /** monitorNodeHealth: one pass over every Node. */
  monitor(): void {
    if (!this.nodes.hasSynced() || !this.leases.hasSynced() || !this.pods.hasSynced()) return;
    const zoneReady = new Map<string, (ReturnType<typeof readyCondition>)[]>();
    const nodes = this.nodes.list();
    for (const node of nodes) {
      const { observed, current } = this.updateHealth(node);
      const zone = zoneKey(node);
      if (!this.tainters.has(zone)) this.tainters.set(zone, new RateLimitedTimedQueue(this.settings.evictionQps, this.ctx.clock.now()));
      if (node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined) zoneReady.set(zone, [...(zoneReady.get(zone) ?? []), current]);
      if (!current) continue;
      this.taintForReady(node, observed);
      if (current.status !== "True" && observed === "True") {
        this.events.event({ ...node, metadata: { ...node.metadata, uid: node.metadata.name, namespace: "" } }, "Normal", "NodeNotReady", `Node ${node.metadata.name ?? ""} status is now: NodeNotReady`);
        this.markPodsNotReady(node.metadata.name ?? "");
      }
    }
    this.handleDisruption(zoneReady, nodes);
    this.taintPass();
  }

  /** tryUpdateNodeHealth: the Ready status seen before this pass, and the Ready condition after it. */
  private updateHealth(node: Node): { observed: string; current: ReturnType<typeof readyCondition> } {
    const name = node.metadata.name ?? "";
    const now = this.ctx.clock.now();
    const observed = readyCondition(node)?.status ?? "Unknown";
    const health = observeHealth(this.health.get(name), node, this.leases.get(NODE_LEASE_NAMESPACE, name), now);
    this.health.set(name, health);
    const grace = gracePeriodOf(node, this.settings.monitorGraceMs, this.settings.startupGraceMs);
    const conditions = unknownConditions(node, health, now, grace, rfc3339(now));
    if (!conditions) return { observed, current: readyCondition(node) };
    const updated: Node = { ...node, status: { ...node.status, conditions } };
    const current = readyCondition(updated);
    if (JSON.stringify(current) !== JSON.stringify(readyCondition(node))) {
      try {
        const written = this.ctx.api.updateStatus<Node>(updated);
        this.health.set(name, { ...health, ready: readyCondition(written), readyTransitionTimestamp: now });
        this.ctx.log(`${this.name}: node ${name} stopped posting status for ${Math.round((now - health.probeTimestamp) / 1000)}s: Ready=Unknown`);
      } catch (err) {
        this.ctx.log(`${this.name}: marking node ${name} Unknown: ${err instanceof Error ? err.message : String(err)}`);
        return { observed, current: readyCondition(node) };
      }
    }
    return { observed, current };
  }

  /** processTaintBaseEviction. */
  private taintForReady(node: Node, observed: string): void {
    const name = node.metadata.name ?? "";
    const zone = this.tainters.get(zoneKey(node))!;
    if (observed === "True") {
      zone.remove(name);
      this.writeTaints(name, [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE]);
      return;
    }
    const want = noExecuteFor(observed);
    const other = observed === "False" ? UNREACHABLE_NO_EXECUTE : NOT_READY_NO_EXECUTE;
    if (hasTaint(node, other)) this.writeTaints(name, [want.add!], want.remove);
    else zone.add(name, this.ctx.clock.now());
  }

  /** doNoExecuteTaintingPass: releases queued nodes at each zone's rate; reschedules itself while any wait. */
  private taintPass(): void {
    this.taintTimer?.cancel();
    this.taintTimer = undefined;
    const now = this.ctx.clock.now();
    let waiting = false;
    for (const q of this.tainters.values()) {
      q.try(now, (name) => {
        const node = this.nodes.get("", name);
        if (!node) return { done: true };
        const status = readyCondition(node)?.status ?? "Unknown";
        const want = noExecuteFor(status);
        if (!want.add) return { done: true }; // ready again: nothing to do
        return { done: this.writeTaints(name, [want.add], want.remove), retryMs: 50 };
      });
      // A zone at rate 0 releases nothing until its state changes, which the next monitor pass sees.
      waiting ||= q.size > 0 && q.qps > 0;
    }
    if (waiting && !this.stopped) this.taintTimer = this.ctx.clock.setTimeout(() => this.taintPass(), TAINT_PASS_MS);
  }

  private handleDisruption(zoneReady: Map<string, (ReturnType<typeof readyCondition>)[]>, nodes: Node[]): void {
    const now = this.ctx.clock.now();
    const next = new Map([...zoneReady].map(([k, v]) => [k, computeZoneState(v, this.settings.unhealthyZoneThreshold)] as const));
    for (const k of [...this.zoneStates.keys()]) if (!next.has(k)) this.zoneStates.delete(k);
    const step = disruptionStep(this.zoneStates, next);
    const setRate = (k: string): void => this.tainters.get(k)?.swapLimiter(zoneQps(next.get(k)!, zoneReady.get(k)!.length, this.settings), now);
    switch (step.kind) {
      case "enterMasterDisruption":
        this.ctx.log(`${this.name}: every node is not Ready; entering master disruption mode (no taints, no evictions)`);
        for (const n of nodes) {
          for (const q of this.tainters.values()) q.remove(n.metadata.name ?? "");
          this.writeTaints(n.metadata.name ?? "", [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE]);
        }
        for (const q of this.tainters.values()) q.swapLimiter(0, now);
        for (const k of next.keys()) this.zoneStates.set(k, "FullDisruption");
        return;
      case "exitMasterDisruption":
        this.ctx.log(`${this.name}: some nodes are Ready; exiting master disruption mode`);
        for (const n of nodes) {
          const h = this.health.get(n.metadata.name ?? "");
          if (h) this.health.set(n.metadata.name ?? "", { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
        }
        for (const k of next.keys()) {
          setRate(k);
          this.zoneStates.set(k, next.get(k)!);
        }
        return;
      case "zonesChanged":
        for (const k of step.zones) {
          this.ctx.log(`${this.name}: zone ${JSON.stringify(k)} is now ${next.get(k)}`);
          setRate(k);
          this.zoneStates.set(k, next.get(k)!);
        }
        return;
      case "none":
        for (const k of next.keys()) if (!this.zoneStates.has(k)) this.zoneStates.set(k, next.get(k)!);
    }
  }

  /** MarkPodsNotReady: the node's pods' Ready condition False. */
  private markPodsNotReady(nodeName: string): void {
    const now = rfc3339(this.ctx.clock.now());
    for (const pod of this.pods.list().filter((p) => p.spec?.nodeName === nodeName)) {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === "Ready");
      if (!ready || ready.status === "False") continue;
      try {
        this.ctx.api.updateStatus<Pod>({ ...pod, status: { ...pod.status, conditions: conditions.map((c) => (c.type === "Ready" ? { ...c, status: "False" as const, lastTransitionTime: now } : c)) } });
        this.events.event(pod, "Warning", "NodeNotReady", "Node is not ready");
      } catch (err) {
        this.ctx.log(`${this.name}: marking pod ${pod.metadata.namespace}/${pod.metadata.name} not ready: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The NoSchedule taints of one node's conditions and cordon. */
  private syncNoSchedule(name: string): void {
    const node = this.nodes.get("", name);
    if (!node) return;
    const { add, remove } = noScheduleTaintDiff(node);
    if (add.length || remove.length) {
      if (!this.writeTaints(name, add, remove)) throw new Error(`could not update the taints of node ${name}`);
    }
  }

  /** SwapNodeControllerTaint on the freshest Node (one retry on a conflict). True when done or nothing to do. */
  private writeTaints(name: string, add: Taint[], remove: Taint[]): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      const node = attempt === 0 ? this.nodes.get("", name) : this.ctx.api.get<Node>("Node", "", name);
      if (!node) return true;
      const taints = swapTaints(node, add, remove, rfc3339(this.ctx.clock.now()));
      if (!taints) return true;
      try {
        // No taint left: the field goes, as upstream's empty list is left out of the JSON.
        const { taints: _gone, ...rest } = node.spec ?? {};
        this.ctx.api.update<Node>({ ...node, spec: taints.length ? { ...rest, taints } : rest });
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return true;
        if (!(err instanceof ApiError && err.code === 409) || attempt === 1) {
          this.ctx.log(`${this.name}: updating taints of node ${name}: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        }
      }
    }
    return false;
  }
}

export const nodeLifecycleController =
  (settings: NodeLifecycleSettings = DEFAULT_NODE_LIFECYCLE) =>
  (ctx: ControllerContext): Controller =>
    new NodeLifecycleController(ctx, settings);
