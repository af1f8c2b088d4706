/**
 * Plays the kubelet for controller tests without a runtime: every pod bound to the node is reported Running and
 * Ready (a pod IP from a counter) unless `hold` says otherwise, and a pod marked for deletion is removed at once
 * (the kubelet's final DELETE with grace 0), or, while finalizers hold it, ends Failed (unless it succeeded) and
 * stays marked with no grace left. Work is done after the store write that triggered it returns.
 */
import { holdForFinalizers } from "../../src/api/finalizers.js";
import type { Pod } from "../../src/api/types.js";
import type { Store } from "../../src/store/store.js";
import { rfc3339 } from "../../src/api/time.js";

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
  /**
   * Only the pods bound to this node, as one node's kubelet (its list and watch ask for `spec.nodeName=NAME`);
   * omitted: every bound pod, as if each node were this one.
   */
  nodeName?: string;
  /** The node's address for status.hostIP (default 192.168.0.2). */
  hostIP?: string;
}

/**
 * The status a kubelet reports for a pod whose containers all started: phase Running, the pod IP, PodScheduled,
 * Ready and ContainersReady (True unless `ready` is false), each container running since `stamp`. Pure.
 */
export function runningStatus(pod: Pod, o: { ip: string; hostIP: string; ready: boolean; stamp: string }): NonNullable<Pod["status"]> {
  const { ip, ready, stamp } = o;
  return {
    ...pod.status,
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: o.hostIP,
    startTime: pod.status?.startTime ?? stamp,
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: stamp },
      { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: stamp },
      { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: stamp },
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
}

export class FakeKubelet {
  private stopWatch: (() => void) | undefined;
  private ip = 10;
  private pending = new Set<string>();
  private scheduled = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: FakeKubeletOptions = {},
  ) {}

  start(): void {
    const fieldSelector = this.opts.nodeName ? `spec.nodeName=${this.opts.nodeName}` : undefined;
    const { items, resourceVersion } = this.store.list<Pod>("Pod", { fieldSelector });
    for (const p of items) this.mark(p);
    this.stopWatch = this.store.watch("Pod", { resourceVersion, fieldSelector }, (ev) => {
      if (ev.type !== "DELETED") this.mark(ev.object as Pod);
    });
  }

  stop(): void {
    this.stopWatch?.();
    clearTimeout(this.retry);
  }

  /** Re-examines every pod now (after a test changed `hold` or `unready`). */
  kick(): void {
    const fieldSelector = this.opts.nodeName ? `spec.nodeName=${this.opts.nodeName}` : undefined;
    for (const p of this.store.list<Pod>("Pod", { fieldSelector }).items) this.mark(p);
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
      try {
        const pod = this.store.get<Pod>("Pod", ns, name);
        if (pod) this.sync(pod);
      } catch {
        // A remote store's call failed (a hollow node's, under load): the pod is looked at again in a second.
        this.pending.add(key);
        if (!this.retry) this.retry = setTimeout(() => ((this.retry = undefined), this.flush()), 1000);
      }
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
    const stamp = rfc3339(this.opts.now?.() ?? Date.now());
    const ip = pod.status?.podIP ?? `10.244.${Math.floor(this.ip / 250)}.${(this.ip++ % 250) + 2}`;
    this.writeStatus(pod, runningStatus(pod, { ip, hostIP: this.opts.hostIP ?? "192.168.0.2", ready, stamp }));
  }

  private stamp(): string {
    return rfc3339(this.opts.now?.() ?? Date.now());
  }

  private finish(pod: Pod, exitCode: number): void {
    const stamp = rfc3339(this.opts.now?.() ?? Date.now());
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
