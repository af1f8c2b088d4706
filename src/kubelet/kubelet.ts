/**
 * The kubelet of this node: watches the pods bound to it, gives each a worker, wakes the worker when the pod
 * changes, when the runtime reports a container exit (event-driven, no relist) or at the periodic resync, and
 * keeps the Node object current. On start it re-adopts what the runtime has and tears down sandboxes whose pods
 * were deleted while it was away.
 */
import type { Pod, WatchEvent } from "../api/types.js";
import type { PodRuntime, RuntimeEvent } from "../runtime/pod-runtime.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";
import { PodWorker, type PodSyncer } from "./pod-worker.js";

export interface KubeletOptions {
  nodeName: string;
  store: Store;
  runtime: PodRuntime & { resync?(): Promise<void> };
  syncer: PodSyncer;
  clock: Clock;
  /** Periodic resync (default 10 s): catches anything an event missed. */
  resyncMs?: number;
  onPodEvent?: (pod: Pod) => void;
  log?: (msg: string) => void;
}

export class Kubelet {
  readonly workers = new Map<string, PodWorker>();
  private stopWatch?: () => void;
  private resyncTimer?: { cancel(): void };
  private readonly seenGeneration = new Map<string, string>();

  constructor(private readonly o: KubeletOptions) {}

  async start(): Promise<void> {
    await this.o.runtime.start();
    this.o.runtime.onEvent((ev) => this.onRuntimeEvent(ev));
    const { items, resourceVersion } = this.o.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${this.o.nodeName}` });
    const live = new Set<string>();
    for (const pod of items) {
      live.add(pod.metadata.uid!);
      this.podChanged(pod);
    }
    // Sandboxes whose pod object is gone: the pod was deleted while we were not running.
    for (const s of this.o.runtime.sandboxes()) if (!live.has(s.podUid)) this.worker(s.podUid).update(undefined);
    this.stopWatch = this.o.store.watch("Pod", { resourceVersion, fieldSelector: `spec.nodeName=${this.o.nodeName}` }, (ev) => this.onWatch(ev));
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopWatch?.();
    this.resyncTimer?.cancel();
    await this.o.runtime.stop();
  }

  private scheduleResync(): void {
    this.resyncTimer = this.o.clock.setTimeout(() => void this.resync(), this.o.resyncMs ?? 10_000);
  }

  /** Catch-up pass: the runtime rescans exits and sandboxes, and every worker syncs. */
  async resync(): Promise<void> {
    try {
      await this.o.runtime.resync?.();
    } catch (err) {
      this.o.log?.(`resync: ${String(err)}`);
    }
    for (const w of this.workers.values()) w.wake();
    this.scheduleResync();
  }

  private onWatch(ev: WatchEvent): void {
    const pod = ev.object as Pod;
    if (ev.type === "DELETED") {
      this.worker(pod.metadata.uid!).update(undefined);
      return;
    }
    if (ev.type === "ADDED" || ev.type === "MODIFIED") this.podChanged(pod);
  }

  /**
   * A pod object changed. Our own status writes come back as MODIFIED too; they only refresh the worker's copy,
   * a sync is needed only when the spec (generation) or the deletion state changed.
   */
  private podChanged(pod: Pod): void {
    const uid = pod.metadata.uid!;
    const key = `${pod.metadata.generation}/${pod.metadata.deletionTimestamp ?? ""}/${pod.metadata.deletionGracePeriodSeconds ?? ""}`;
    const w = this.worker(uid);
    if (this.seenGeneration.get(uid) === key && w.current) {
      w.refresh(pod);
      return;
    }
    const first = !this.seenGeneration.has(uid);
    this.seenGeneration.set(uid, key);
    if (first) this.o.onPodEvent?.(pod);
    w.update(pod);
  }

  private onRuntimeEvent(ev: RuntimeEvent): void {
    this.workers.get(ev.podUid)?.wake();
  }

  private worker(uid: string): PodWorker {
    let w = this.workers.get(uid);
    if (!w || w.isTerminated) {
      w = new PodWorker(uid, this.o.syncer, this.o.clock, (id, err) => this.o.log?.(`pod ${id}: ${err instanceof Error ? err.stack : String(err)}`));
      this.workers.set(uid, w);
      void w.done.then(() => {
        if (this.workers.get(uid) === w) this.workers.delete(uid);
        this.seenGeneration.delete(uid);
      });
    }
    return w;
  }

  /** Resolves once no worker is busy terminating (for clean shutdown in tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.workers.values()].filter((w) => !w.current).map((w) => w.done));
  }
}
