/**
 * The taint eviction controller (pkg/controller/tainteviction, "taint-eviction-controller"): pods on a node with
 * NoExecute taints are deleted at once when they do not tolerate one, or after the smallest tolerationSeconds of the
 * tolerations they use (eviction-plan.ts); a deletion is cancelled when the taints go or the pod tolerates them for
 * ever. The deletion first sets the pod's DisruptionTarget condition (reason DeletionByTaintManager, "Taint manager:
 * deleting due to NoExecute taint") and records `TaintManagerEviction` "Marking for deletion Pod NS/NAME"; a
 * cancelled one records "Cancelling deletion of Pod NS/NAME". Timers run on the controller's clock; a restarted
 * controller counts tolerationSeconds from its start, as upstream's in-memory queue does.
 */
import { ApiError } from "../../api/errors.js";
import type { Node, Pod, PodCondition } from "../../api/types.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import type { EventRecorder } from "../foundation/events.js";
import type { Informer } from "../foundation/informer.js";
import { evictionPlan } from "./eviction-plan.js";
import { taintsOf } from "./taints.js";
import { rfc3339 } from "../../api/time.js";

export const TAINT_EVICTION_CONTROLLER = "taint-eviction-controller";

interface Scheduled {
  createdAt: number;
  fireAt: number;
  timer: { cancel(): void };
}

export class TaintEvictionController implements Controller {
  readonly name = TAINT_EVICTION_CONTROLLER;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly events: EventRecorder;
  private readonly scheduled = new Map<string, Scheduled>();
  private stopped = false;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.informer<Node>("Node");
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.events = ctx.recorder(TAINT_EVICTION_CONTROLLER);
  }

  start(): void {
    this.stopped = false;
    const noExecute = (n: Node | undefined): string => JSON.stringify(taintsOf(n ?? ({} as Node)).filter((t) => t.effect === "NoExecute").map((t) => [t.key, t.value ?? ""]));
    this.nodes.addHandler({
      onAdd: (n) => this.nodeChanged(n),
      onUpdate: (old, n) => noExecute(old) !== noExecute(n) && this.nodeChanged(n),
      onDelete: (n) => this.podsOn(n.metadata.name ?? "").forEach((p) => this.cancel(keyOf(p), false)),
    });
    this.pods.addHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (_, p) => this.podChanged(p),
      onDelete: (p) => this.cancel(keyOf(p), false),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.scheduled.values()) s.timer.cancel();
    this.scheduled.clear();
  }

  /** The pods with a deletion scheduled, and when (controller clock, ms). */
  pending(): Map<string, number> {
    return new Map([...this.scheduled].map(([k, s]) => [k, s.fireAt]));
  }

  private podsOn(nodeName: string): Pod[] {
    return this.pods.list().filter((p) => p.spec?.nodeName === nodeName);
  }

  private nodeChanged(node: Node): void {
    for (const pod of this.podsOn(node.metadata.name ?? "")) this.process(pod, node);
  }

  private podChanged(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const node = this.nodes.get("", nodeName);
    if (node) this.process(pod, node);
  }

  private process(pod: Pod, node: Node): void {
    const key = keyOf(pod);
    if (pod.metadata.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return this.cancel(key, false);
    const plan = evictionPlan(taintsOf(node), pod.spec?.tolerations);
    if (plan.kind !== "after") return this.cancel(key, true);
    const now = this.ctx.clock.now();
    const prev = this.scheduled.get(key);
    // An earlier schedule stands (its start time counts), as upstream keeps the queued work created first.
    if (prev && (plan.ms > 0 ? prev.createdAt < now : prev.fireAt <= now)) return;
    if (prev) this.cancel(key, true);
    const createdAt = plan.ms > 0 && prev ? prev.createdAt : now;
    const fireAt = createdAt + plan.ms;
    const timer = this.ctx.clock.setTimeout(() => this.fire(key), Math.max(0, fireAt - now));
    this.scheduled.set(key, { createdAt, fireAt, timer });
  }

  private cancel(key: string, withEvent: boolean): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    s.timer.cancel();
    this.scheduled.delete(key);
    if (withEvent) {
      const pod = this.podByKey(key);
      if (pod) this.events.event(pod, "Normal", "TaintManagerEviction", `Cancelling deletion of Pod ${key}`);
    }
  }

  private podByKey(key: string): Pod | undefined {
    const i = key.indexOf("/");
    return this.pods.get(key.slice(0, i), key.slice(i + 1));
  }

  private fire(key: string): void {
    this.scheduled.delete(key);
    if (this.stopped) return;
    const pod = this.podByKey(key);
    if (!pod) return;
    this.events.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    try {
      this.markDisruptionTarget(pod);
      this.ctx.api.delete("Pod", pod.metadata.namespace ?? "", pod.metadata.name ?? "", { uid: pod.metadata.uid });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return; // gone or replaced meanwhile
      this.ctx.log(`${TAINT_EVICTION_CONTROLLER}: deleting pod ${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private markDisruptionTarget(pod: Pod): void {
    const conditions = pod.status?.conditions ?? [];
    const want: PodCondition = { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" };
    const old = conditions.find((c) => c.type === "DisruptionTarget");
    if (old && old.status === want.status && old.reason === want.reason && old.message === want.message) return;
    const cond = { ...want, lastTransitionTime: rfc3339(this.ctx.clock.now()) };
    this.ctx.api.updateStatus<Pod>({ ...pod, status: { ...pod.status, conditions: [...conditions.filter((c) => c.type !== "DisruptionTarget"), cond] } });
  }
}

const keyOf = (p: Pod): string => `${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""}`;

export const taintEvictionController = (ctx: ControllerContext): Controller => new TaintEvictionController(ctx);
