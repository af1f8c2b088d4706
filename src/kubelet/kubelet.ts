/**
 * The kubelet of this node: takes pods from two sources — the API (a watch on the pods bound to this node) and
 * the manifest directory (static pods, shown in the API through mirror pods) — gives each pod a worker, and wakes
 * the worker when its pod changes, when the runtime reports a container exit (event-driven, no relist), when a
 * probe result changes, or at the periodic resync. On start it re-adopts what the runtime has and tears down
 * sandboxes whose pods were deleted while it was away; housekeeping removes orphaned mirror pods (events expire
 * where the API is served: cmd/upkeep-wiring.ts).
 */
import type { Node, Pod, WatchEvent } from "../api/types.js";
import type { PodRuntime, RuntimeEvent } from "../runtime/pod-runtime.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";
import type { MirrorPods } from "./mirror-pods.js";
import { isMirrorPod, isStaticPod } from "./pod-objects.js";
import { PodWorker, type PodSyncer } from "./pod-worker.js";
import { showsMetadata, volumeReferences } from "../storage/config-objects.js";
import { specGraceSeconds } from "../api/termination-grace.js";

/** How many steps the periodic resync is spread over (each pod still syncs once a period). */
export const RESYNC_SLICES = 10;

/** The resync step a pod's worker is woken in: a stable spread of uids over the steps. */
export function sliceOf(uid: string): number {
  let h = 0;
  for (let i = 0; i < uid.length; i++) h = (h * 31 + uid.charCodeAt(i)) >>> 0;
  return h % RESYNC_SLICES;
}

export interface KubeletOptions {
  nodeName: string;
  store: Store;
  runtime: PodRuntime & { resync?(): Promise<void> };
  syncer: PodSyncer;
  clock: Clock;
  /** Periodic resync (default 10 s): catches anything an event missed; spread over the period in RESYNC_SLICES steps. */
  resyncMs?: number;
  /** Mirror pods for static pods (when static pods are enabled). */
  mirrors?: MirrorPods;
  /** Called once for each pod from the API that the node sees for the first time. */
  onPodEvent?: (pod: Pod) => void;
  /** Called when a pod has left the node (its worker finished terminating it). */
  onPodGone?: (uid: string) => void;
  /** How often housekeeping (orphaned mirror pods) runs; default a minute. */
  housekeepingMs?: number;
  log?: (msg: string) => void;
}

export class Kubelet {
  readonly workers = new Map<string, PodWorker>();
  private stopWatch?: () => void;
  private readonly stopConfigWatches: (() => void)[] = [];
  /** The node's labels and spec as last seen (what the scheduler's filters read). */
  private nodePlacement = "";
  private resyncTimer?: { cancel(): void };
  private resyncSlice = 0;
  private housekeepingTimer?: { cancel(): void };
  private readonly seenGeneration = new Map<string, string>();
  /** Static pods by uid, as the manifest directory defines them now. */
  private readonly staticPods = new Map<string, Pod>();
  private readonly syncer: PodSyncer;
  /** How long the start took until every pod had synced once (re-adoption), in ms. */
  adoptedInMs?: number;

  constructor(private readonly o: KubeletOptions) {
    this.syncer = {
      syncPod: (pod, signal, shutdown) => {
        if (isStaticPod(pod)) this.o.mirrors?.ensure(pod);
        return this.o.syncer.syncPod(pod, signal, shutdown);
      },
      terminatePod: (uid, pod, lastKnown, shutdown, shortened) => this.o.syncer.terminatePod(uid, pod, lastKnown, shutdown, shortened),
    };
  }

  /** Starts with the static pods the manifest directory holds now (so their containers are re-adopted too). */
  async start(staticPods: Pod[] = []): Promise<void> {
    const began = this.o.clock.now();
    await this.o.runtime.start();
    this.o.runtime.onEvent((ev) => this.onRuntimeEvent(ev));
    const { items, resourceVersion } = this.o.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${this.o.nodeName}` });
    for (const pod of staticPods) this.staticPods.set(pod.metadata.uid!, pod);
    const live = new Set(this.staticPods.keys());
    for (const pod of this.staticPods.values()) this.worker(pod.metadata.uid!).update(pod);
    for (const pod of items) {
      if (isMirrorPod(pod)) continue;
      live.add(pod.metadata.uid!);
      this.podChanged(pod);
    }
    // Sandboxes whose pod object is gone: the pod was deleted while we were not running.
    for (const s of this.o.runtime.sandboxes()) if (!live.has(s.podUid)) this.worker(s.podUid).update(undefined);
    this.removeOrphanMirrors();
    this.stopWatch = this.o.store.watch("Pod", { resourceVersion, fieldSelector: `spec.nodeName=${this.o.nodeName}` }, (ev) => this.onWatch(ev));
    for (const kind of ["ConfigMap", "Secret"] as const) {
      this.stopConfigWatches.push(this.o.store.watch(kind, { resourceVersion }, (ev) => this.configChanged(kind, ev)));
    }
    this.stopConfigWatches.push(this.o.store.watch("Node", { resourceVersion }, (ev) => this.nodeChanged(ev)));
    this.scheduleResync();
    this.scheduleHousekeeping();
    void Promise.all([...this.workers.values()].map((w) => w.firstSync)).then(() => (this.adoptedInMs = this.o.clock.now() - began));
  }

  /**
   * Stops taking work (watch, resync, housekeeping), stops every pod worker and waits for them, at most
   * `boundMs`: a worker still busy then (a step that does not notice the abort) is left behind, and what it was
   * doing is resumed by the next start. Callers close the store only after this.
   */
  async stop(boundMs = 1000): Promise<void> {
    this.stopWatch?.();
    for (const stop of this.stopConfigWatches.splice(0)) stop();
    this.resyncTimer?.cancel();
    this.housekeepingTimer?.cancel();
    const workers = [...this.workers.values()];
    const idle = Promise.all(workers.map((w) => w.stop()));
    let timer: { cancel(): void } | undefined;
    const bound = new Promise<"late">((resolve) => (timer = this.o.clock.setTimeout(() => resolve("late"), boundMs)));
    if ((await Promise.race([idle, bound])) === "late") this.o.log?.(`stopping: pod workers still busy after ${boundMs} ms are left to the next start`);
    timer?.cancel();
    await this.o.runtime.stop();
  }

  /**
   * The periodic resync in RESYNC_SLICES steps: each step wakes the workers of one slice (by uid), and the last one
   * also rescans the runtime, so every pod still syncs once a period. Waking all of them at once held the event loop
   * for the whole node's syncs in one burst (100 pods: tens of ms every period, in the way of any pod starting then);
   * the kubelet spreads its workers' resyncs the same way, with jitter (pod_workers.go workerResyncIntervalJitterFactor).
   */
  private scheduleResync(): void {
    const stepMs = (this.o.resyncMs ?? 10_000) / RESYNC_SLICES;
    this.resyncTimer = this.o.clock.setTimeout(() => void this.resyncStep(), stepMs);
  }

  private async resyncStep(): Promise<void> {
    const slice = this.resyncSlice;
    this.resyncSlice = (slice + 1) % RESYNC_SLICES;
    if (slice === RESYNC_SLICES - 1) {
      try {
        await this.o.runtime.resync?.();
      } catch (err) {
        this.o.log?.(`resync: ${String(err)}`);
      }
    }
    for (const [uid, w] of this.workers) if (sliceOf(uid) === slice) w.wake();
    this.scheduleResync();
  }

  private scheduleHousekeeping(): void {
    if (!this.o.mirrors) return;
    this.housekeepingTimer = this.o.clock.setTimeout(() => this.housekeep(), this.o.housekeepingMs ?? 60_000);
  }

  /** One housekeeping pass (its failure is logged, not thrown), then the next one is scheduled. */
  private housekeep(): void {
    try {
      this.removeOrphanMirrors();
    } catch (err) {
      this.o.log?.(`housekeeping: ${String(err)}`);
    }
    this.scheduleHousekeeping();
  }

  /** Catch-up pass at once: the runtime rescans exits and sandboxes, and every worker syncs. */
  async resync(): Promise<void> {
    try {
      await this.o.runtime.resync?.();
    } catch (err) {
      this.o.log?.(`resync: ${String(err)}`);
    }
    for (const w of this.workers.values()) w.wake();
  }

  /**
   * The manifest directory changed: new static pods start, removed ones stop with their grace period (an edited
   * file is both: its pods have new uids).
   */
  staticPodsChanged(pods: Pod[]): void {
    const want = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const [uid, pod] of want) {
      if (this.staticPods.has(uid)) continue;
      this.staticPods.set(uid, pod);
      this.worker(uid).update(pod);
    }
    for (const [uid, pod] of this.staticPods) {
      if (want.has(uid)) continue;
      this.staticPods.delete(uid);
      const grace = specGraceSeconds(pod.spec);
      const at = new Date(this.o.clock.now() + grace * 1000).toISOString();
      this.workers.get(uid)?.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: at, deletionGracePeriodSeconds: grace } });
    }
  }

  /**
   * A ConfigMap or Secret changed: the pods whose volumes show it sync now, so the new content reaches them without
   * waiting for the resync (a pod waiting for a missing one starts as soon as it appears).
   */
  private configChanged(kind: "ConfigMap" | "Secret", ev: WatchEvent): void {
    const { namespace, name } = ev.object.metadata;
    for (const w of this.workers.values()) {
      const pod = w.current;
      if (!pod || (pod.metadata.namespace ?? "default") !== namespace) continue;
      const refs = volumeReferences(pod);
      if ((kind === "ConfigMap" ? refs.configMaps : refs.secrets).has(name!)) w.wake();
    }
  }

  /**
   * This node's labels, taints or cordon changed: pods still waiting (Pending) sync now, so one the scheduler's
   * filters kept off the node starts as soon as they allow it (and one newly ruled out is not started).
   */
  private nodeChanged(ev: WatchEvent): void {
    const node = ev.object as Node;
    if (node.metadata.name !== this.o.nodeName) return;
    const placement = JSON.stringify([node.metadata.labels ?? {}, node.spec ?? {}]);
    if (placement === this.nodePlacement) return;
    this.nodePlacement = placement;
    for (const w of this.workers.values()) if (w.current?.status?.phase === "Pending") w.wake();
  }

  private onWatch(ev: WatchEvent): void {
    const pod = ev.object as Pod;
    if (isMirrorPod(pod)) {
      this.mirrorChanged(ev.type, pod);
      return;
    }
    if (ev.type === "DELETED") {
      // A relist's DELETED (the store lost the pod's last state) may carry only its name: its worker is found by it.
      const uid = pod.metadata.uid ?? this.uidOf(pod.metadata.namespace ?? "default", pod.metadata.name ?? "");
      if (uid) this.worker(uid).update(undefined);
      return;
    }
    if (ev.type === "ADDED" || ev.type === "MODIFIED") this.podChanged(pod);
  }

  /**
   * A mirror pod changed. Deleted through the API (marked or gone): its static pod's worker makes it again on its
   * next sync; the mark is answered at once by removing it, as the kubelet does.
   */
  private mirrorChanged(type: WatchEvent["type"], mirror: Pod): void {
    const owner = this.workers.get(mirror.metadata.annotations!["kubernetes.io/config.mirror"]);
    const live = owner?.current && !owner.current.metadata.deletionTimestamp;
    if (type === "DELETED") {
      if (live) owner.wake();
      return;
    }
    if (!live || mirror.metadata.deletionTimestamp) {
      // Not from inside the store's watch callback: the write that notified us is still being delivered.
      setImmediate(() => this.o.mirrors?.remove(mirror));
    }
  }

  private removeOrphanMirrors(): void {
    for (const m of this.o.mirrors?.orphans(new Set(this.staticPods.keys())) ?? []) this.o.mirrors!.remove(m);
  }

  /**
   * A pod object changed. Our own status writes come back as MODIFIED too; they only refresh the worker's copy,
   * a sync is needed only when the spec (generation) or the deletion state changed.
   */
  private podChanged(pod: Pod): void {
    const uid = pod.metadata.uid!;
    let key = `${pod.metadata.generation}/${pod.metadata.deletionTimestamp ?? ""}/${pod.metadata.deletionGracePeriodSeconds ?? ""}`;
    // Labels and annotations change without a new generation; a pod whose downwardAPI files show them syncs then.
    if (showsMetadata(pod)) key += JSON.stringify([pod.metadata.labels ?? {}, pod.metadata.annotations ?? {}]);
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
    if (ev.type === "WarmSandboxDiscarded") return; // said while its start runs: nothing for the worker to redo
    this.workers.get(ev.podUid)?.wake();
  }

  /** Wakes the worker of a pod (a probe result changed). */
  wake(uid: string): void {
    this.workers.get(uid)?.wake();
  }

  /** The pods the node runs now (API pods and static pods), as their workers last saw them. */
  activePods(): Pod[] {
    return [...this.workers.values()].map((w) => w.current).filter((p): p is Pod => p !== undefined && !p.metadata.deletionTimestamp);
  }

  /** The uid of the pod a worker holds under this name. */
  private uidOf(namespace: string, name: string): string | undefined {
    for (const [uid, w] of this.workers) {
      const p = w.current;
      if (p && p.metadata.name === name && (p.metadata.namespace ?? "default") === namespace) return uid;
    }
    return undefined;
  }

  private worker(uid: string): PodWorker {
    let w = this.workers.get(uid);
    if (!w || w.isTerminated) {
      w = new PodWorker(uid, this.syncer, this.o.clock, (id, err) => this.o.log?.(`pod ${id}: ${err instanceof Error ? err.stack : String(err)}`));
      this.workers.set(uid, w);
      const mine = w;
      void w.done.then(() => {
        if (this.workers.get(uid) === mine) this.workers.delete(uid);
        this.seenGeneration.delete(uid);
        this.o.onPodGone?.(uid);
      });
    }
    return w;
  }

  /** Resolves once no worker is busy terminating (for clean shutdown in tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.workers.values()].filter((w) => !w.current || w.current.metadata.deletionTimestamp).map((w) => w.done));
  }
}
