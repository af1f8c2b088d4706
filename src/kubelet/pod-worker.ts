/**
 * One worker per pod serialises everything done to it (the kubelet's podWorkers): a wake-up while a sync runs
 * just marks the worker dirty and it syncs again afterwards. A sync either drives the pod towards its spec
 * (plan → execute → status) or, once the pod is being deleted, terminates it and removes it from the node. A
 * deletion that arrives while a sync is busy (a hanging postStart hook, a long preStop) aborts that sync's waits so
 * termination starts at once.
 */
import type { Pod } from "../api/types.js";
import type { Clock } from "./clock.js";

export interface PodSyncer {
  /** Drives a live pod towards its spec. Returns a time (ms) to be woken at, if any. */
  syncPod(pod: Pod, signal?: AbortSignal): Promise<number | undefined>;
  /** Stops and removes a pod being deleted (`pod`), or gone from the store (undefined; `lastKnown` was its spec). */
  terminatePod(uid: string, pod: Pod | undefined, lastKnown?: Pod): Promise<void>;
}

export class PodWorker {
  private pod: Pod | undefined;
  private lastKnown: Pod | undefined;
  private running = false;
  private dirty = false;
  private timer?: { cancel(): void };
  private timerAt = Infinity;
  private terminated = false;
  private abort?: AbortController;
  /** Resolves when the worker has finished terminating its pod. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  /** Resolves after the first sync (re-adoption is measured by it). */
  readonly firstSync: Promise<void>;
  private resolveFirst!: () => void;

  constructor(
    readonly uid: string,
    private readonly syncer: PodSyncer,
    private readonly clock: Clock,
    private readonly onError: (uid: string, err: unknown) => void,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.firstSync = new Promise((r) => (this.resolveFirst = r));
  }

  /** The pod as last seen, or undefined once it is gone. */
  get current(): Pod | undefined {
    return this.pod;
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  /** Keeps the latest copy of the pod without syncing (our own status writes coming back). */
  refresh(pod: Pod): void {
    this.pod = pod;
    this.lastKnown = pod;
  }

  update(pod: Pod | undefined): void {
    this.pod = pod;
    if (pod) this.lastKnown = pod;
    if (!pod || pod.metadata.deletionTimestamp) this.abort?.abort();
    this.wake();
  }

  /** Sync as soon as possible. */
  wake(): void {
    if (this.terminated) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    queueMicrotask(() => void this.loop());
  }

  /** Sync at `at` (ms) unless woken earlier; keeps the earliest requested time. */
  wakeAt(at: number): void {
    if (this.terminated || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timerAt = Infinity;
      this.wake();
    }, at - this.clock.now());
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      try {
        const pod = this.pod;
        if (!pod || pod.metadata.deletionTimestamp) {
          await this.syncer.terminatePod(this.uid, pod, this.lastKnown);
          this.terminated = true;
          this.timer?.cancel();
          this.resolveDone();
          break;
        }
        this.abort = new AbortController();
        const next = await this.syncer.syncPod(pod, this.abort.signal);
        if (next !== undefined) this.wakeAt(next);
      } catch (err) {
        this.onError(this.uid, err);
        // Retry failures after a pause rather than spinning.
        this.wakeAt(this.clock.now() + 1000);
      } finally {
        this.abort = undefined;
        this.resolveFirst();
      }
    } while (this.dirty && !this.terminated);
    this.running = false;
  }
}
