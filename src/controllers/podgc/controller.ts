/**
 * The pod garbage collector ("pod-garbage-collector", kube-controller-manager's podgc): every 20 s on the
 * controller's clock it applies plan.ts to the pods and Nodes the informers hold. An orphaned pod's node is checked
 * once more against the API before anything is written (a stale informer must not delete a node's pods); the pod
 * then gets DisruptionTarget=True (DeletionByPodGC, "PodGC: node no longer exists") and, unless finished, phase
 * Failed, and is deleted with grace period 0 (no kubelet remains to finish it). Deletions carry the pod's uid, so a
 * pod re-created under the name meanwhile is left alone.
 */
import { ApiError } from "../../api/errors.js";
import type { Node, Pod, PodCondition } from "../../api/types.js";
import { rfc3339 } from "../../api/time.js";
import type { Controller, ControllerContext } from "../foundation/controller.js";
import type { Informer } from "../foundation/informer.js";
import { POD_GC_CHECK_PERIOD_MS, podGcPlan, type PodGcDeletion } from "./plan.js";

export const POD_GC_CONTROLLER = "pod-garbage-collector";

export class PodGcController implements Controller {
  readonly name = POD_GC_CONTROLLER;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private missingSince = new Map<string, number>();
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly threshold: number,
  ) {
    this.pods = ctx.informers.informer<Pod>("Pod");
    this.nodes = ctx.informers.informer<Node>("Node");
  }

  start(): void {
    const tick = () => {
      this.pass();
      this.timer = this.ctx.clock.setTimeout(tick, POD_GC_CHECK_PERIOD_MS);
    };
    this.timer = this.ctx.clock.setTimeout(tick, POD_GC_CHECK_PERIOD_MS);
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One pass: returns the deletions made. */
  pass(): PodGcDeletion[] {
    const nodes = new Set(this.nodes.list().map((n) => n.metadata.name ?? ""));
    const plan = podGcPlan(this.pods.list(), nodes, this.missingSince, this.ctx.clock.now(), this.threshold);
    this.missingSince = plan.missingSince;
    const done: PodGcDeletion[] = [];
    for (const d of plan.deletions) {
      try {
        if (d.reason === "orphaned") {
          if (this.ctx.api.get<Node>("Node", "", d.pod.spec.nodeName ?? "")) continue; // the informer was behind
          this.markOrphaned(d.pod);
        }
        this.ctx.api.delete("Pod", d.pod.metadata.namespace ?? "", d.pod.metadata.name ?? "", { uid: d.pod.metadata.uid, gracePeriodSeconds: 0 });
        done.push(d);
        this.ctx.log(`${POD_GC_CONTROLLER}: deleted ${d.reason} pod ${d.pod.metadata.namespace ?? ""}/${d.pod.metadata.name ?? ""}`);
      } catch (err) {
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) continue; // gone or replaced meanwhile
        this.ctx.log(`${POD_GC_CONTROLLER}: deleting pod ${d.pod.metadata.namespace ?? ""}/${d.pod.metadata.name ?? ""}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return done;
  }

  private markOrphaned(pod: Pod): void {
    const cond: PodCondition = { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists", lastTransitionTime: rfc3339(this.ctx.clock.now()) };
    const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget"), cond];
    this.ctx.api.updateStatus<Pod>({ ...pod, status: { ...pod.status, ...(finished ? {} : { phase: "Failed" }), conditions } });
  }
}

/** The factory with --terminated-pod-gc-threshold (0: terminated pods are not collected). */
export const podGcController =
  (threshold: number) =>
  (ctx: ControllerContext): Controller =>
    new PodGcController(ctx, threshold);
