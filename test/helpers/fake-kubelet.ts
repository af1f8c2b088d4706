/**
 * Plays the kubelet for controller tests without a runtime: every pod bound to the node is reported Running and
 * Ready (a pod IP from a counter) unless `hold` says otherwise, and a pod marked for deletion is removed at once
 * (the kubelet's final DELETE with grace 0), or, while finalizers hold it, ends Failed (unless it succeeded) and
 * stays marked with no grace left. Work is done after the store write that triggered it returns.
 */
import { holdForFinalizers } from "../../src/api/finalizers.js";
import type { Pod } from "../../src/api/types.js";
import type { Store } from "../../src/store/store.js";

export interface FakeKubeletOptions {
  /** Pods for which this returns true are left Pending (not started). */
  hold?: (pod: Pod) => boolean;
  /** Pods for which this returns true run but never turn ready. */
  unready?: (pod: Pod) => boolean;
  /**
   * Pods (restartPolicy Never or OnFailure) for which this returns an exit code run to completion: phase Succeeded
   * (0) or Failed, every container terminated with that code.
   */
  exit?: (pod: Pod) => number | undefined;
  /** Called with each pod removed. */
  onRemoved?: (pod: Pod) => void;
  now?: () => number;
}

export class FakeKubelet {
  private stopWatch: (() => void) | undefined;
  private ip = 10;
  private pending = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly opts: FakeKubeletOptions = {},
  ) {}

  start(): void {
    const { items, resourceVersion } = this.store.list<Pod>("Pod");
    for (const p of items) this.mark(p);
    this.stopWatch = this.store.watch("Pod", { resourceVersion }, (ev) => {
      if (ev.type !== "DELETED") this.mark(ev.object as Pod);
    });
  }

  stop(): void {
    this.stopWatch?.();
  }

  /** Re-examines every pod now (after a test changed `hold` or `unready`). */
  kick(): void {
    for (const p of this.store.list<Pod>("Pod").items) this.mark(p);
  }

  private mark(pod: Pod): void {
    this.pending.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      const [ns, name] = key.split("/");
      const pod = this.store.get<Pod>("Pod", ns, name);
      if (pod) this.sync(pod);
    }
  }

  private sync(pod: Pod): void {
    const m = pod.metadata;
    if (m.deletionTimestamp) {
      // Finalizers (a Job's) keep the object: it ends Failed unless it had succeeded, marked with no grace left.
      const hold = holdForFinalizers(pod, this.stamp());
      if (hold.held) {
        const phase = pod.status?.phase === "Succeeded" ? "Succeeded" : "Failed";
        try {
          let cur = pod;
          if (pod.status?.phase !== phase) cur = this.store.update<Pod>({ ...pod, status: { ...pod.status, phase } }, { subresource: "status" });
          if (hold.marked) this.store.update<Pod>({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: hold.marked.metadata.deletionTimestamp, deletionGracePeriodSeconds: 0 } });
        } catch {
          this.mark(pod); // changed meanwhile: look again
        }
        return;
      }
      try {
        this.store.delete("Pod", m.namespace ?? "default", m.name ?? "", { uid: m.uid });
        this.opts.onRemoved?.(pod);
      } catch {
        // gone already
      }
      return;
    }
    if (!pod.spec.nodeName || this.opts.hold?.(pod)) return;
    // A finished pod stays finished (a test or the kubelet's exit handling put it there).
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
    const code = pod.spec.restartPolicy !== "Always" ? this.opts.exit?.(pod) : undefined;
    if (code !== undefined) return this.finish(pod, code);
    const ready = !this.opts.unready?.(pod);
    const readyNow = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    if (pod.status?.phase === "Running" && readyNow === ready) return;
    const stamp = new Date(this.opts.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const ip = pod.status?.podIP ?? `10.244.${Math.floor(this.ip / 250)}.${(this.ip++ % 250) + 2}`;
    const status = {
      ...pod.status,
      phase: "Running" as const,
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: "192.168.0.2",
      startTime: pod.status?.startTime ?? stamp,
      conditions: [
        { type: "PodScheduled" as const, status: "True" as const, lastTransitionTime: stamp },
        { type: "Ready" as const, status: ready ? ("True" as const) : ("False" as const), lastTransitionTime: stamp },
        { type: "ContainersReady" as const, status: ready ? ("True" as const) : ("False" as const), lastTransitionTime: stamp },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        ready,
        restartCount: 0,
        image: c.image ?? "",
        imageID: "",
        started: true,
        state: { running: { startedAt: stamp } },
        lastState: {},
      })),
    };
    this.writeStatus(pod, status);
  }

  private stamp(): string {
    return new Date(this.opts.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private finish(pod: Pod, exitCode: number): void {
    const stamp = new Date(this.opts.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const terminated = { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt: stamp, finishedAt: stamp };
    this.writeStatus(pod, {
      ...pod.status,
      phase: exitCode === 0 ? "Succeeded" : "Failed",
      startTime: pod.status?.startTime ?? stamp,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: stamp },
        { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: stamp },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, ready: false, restartCount: 0, image: c.image ?? "", imageID: "", started: false, state: { terminated }, lastState: {} })),
    });
  }

  private writeStatus(pod: Pod, status: Pod["status"]): void {
    try {
      this.store.update<Pod>({ ...pod, status }, { subresource: "status", resourceVersion: pod.metadata.resourceVersion });
    } catch {
      this.mark(pod); // changed meanwhile: look again
    }
  }
}
