/**
 * One worker per pod serialises everything done to it (the kubelet's podWorkers): a wake-up while a sync runs
 * just marks the worker dirty and it syncs again afterwards. A sync either drives the pod towards its spec
 * (plan → execute → status) or, once the pod is being deleted, terminates it and removes it from the node. A
 * deletion that arrives while a sync is busy (a hanging postStart hook, a long preStop) aborts that sync's waits so
 * termination starts at once. stop() (the daemon shutting down) aborts whatever the worker is waiting for, sync or
 * termination, and resolves once it is idle; a termination cut short is resumed by the next daemon, which finds the
 * pod (deleted, or gone with its sandbox still on disk) and terminates it again. A later delete with a shorter grace
 * period (`delete --grace-period 0 --force` during a graceful stop) aborts the termination under way, which starts
 * again with the shorter grace (the kubelet's gracePeriodShortened).
 */
import type { Pod } from "../api/types.js";
import type { Clock } from "./clock.js";
import { specGraceSeconds } from "../api/termination-grace.js";

export interface PodSyncer {
  /**
   * Drives a live pod towards its spec. Returns a time (ms) to be woken at, if any. `signal` ends its waits (the
   * pod is being deleted, or the daemon stops); `shutdown` says the daemon stops.
   */
  syncPod(pod: Pod, signal?: AbortSignal, shutdown?: AbortSignal): Promise<number | undefined>;
  /**
   * Stops and removes a pod being deleted (`pod`), or gone from the store (undefined; `lastKnown` was its spec).
   * `shutdown` aborts it part way (the daemon is stopping), `shortened` too (a shorter grace period arrived, the
   * worker terminates again with it): it then returns without finishing.
   */
  terminatePod(uid: string, pod: Pod | undefined, lastKnown?: Pod, shutdown?: AbortSignal, shortened?: AbortSignal): Promise<void>;
}

/** The grace period a pod's termination gets: its deletion's, else its spec's (default 30); 0 once it is gone. */
export function terminationGrace(pod: Pod | undefined): number {
  if (!pod) return 0;
  return pod.metadata.deletionGracePeriodSeconds ?? specGraceSeconds(pod.spec);
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
  /** The termination under way: its grace period, and what aborts it when a shorter one arrives. */
  private terminating?: { grace: number; shortened: AbortController };
  /** Aborted by stop(): every wait of the worker ends, and it syncs no more. */
  private readonly shutdown = new AbortController();
  private idle?: { promise: Promise<void>; resolve: () => void };
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
    if (this.terminating && terminationGrace(pod) < this.terminating.grace) this.terminating.shortened.abort();
    this.wake();
  }

  /**
   * Stops the worker: no more syncs or retries, and the sync or termination under way is aborted. Resolves when
   * the worker is idle (its current step may take a moment to notice the abort).
   */
  stop(): Promise<void> {
    this.shutdown.abort();
    this.timer?.cancel();
    if (!this.running) return Promise.resolve();
    if (!this.idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.idle = { promise, resolve };
    }
    return this.idle.promise;
  }

  /** Sync as soon as possible. */
  wake(): void {
    if (this.terminated || this.shutdown.signal.aborted) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    queueMicrotask(() => void this.loop());
  }

  /** Sync at `at` (ms) unless woken earlier; keeps the earliest requested time. */
  wakeAt(at: number): void {
    if (this.terminated || this.shutdown.signal.aborted || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timerAt = Infinity;
      this.wake();
    }, at - this.clock.now());
  }

  private async loop(): Promise<void> {
    const stopping = this.shutdown.signal;
    do {
      this.dirty = false;
      if (stopping.aborted) break;
      try {
        const pod = this.pod;
        if (!pod || pod.metadata.deletionTimestamp) {
          const shortened = new AbortController();
          this.terminating = { grace: terminationGrace(pod), shortened };
          try {
            await this.syncer.terminatePod(this.uid, pod, this.lastKnown, stopping, shortened.signal);
          } finally {
            this.terminating = undefined;
          }
          if (stopping.aborted) break;
          if (shortened.signal.aborted) continue;
          this.terminated = true;
          this.timer?.cancel();
          this.resolveDone();
          break;
        }
        this.abort = new AbortController();
        const next = await this.syncer.syncPod(pod, AbortSignal.any([this.abort.signal, stopping]), stopping);
        if (next !== undefined) this.wakeAt(next);
      } catch (err) {
        // What fails because the daemon is going away (its store closing under a late step) is not the pod's fault.
        if (stopping.aborted) break;
        this.onError(this.uid, err);
        // Retry failures after a pause rather than spinning.
        this.wakeAt(this.clock.now() + 1000);
      } finally {
        this.abort = undefined;
        this.resolveFirst();
      }
    } while (this.dirty && !this.terminated && !stopping.aborted);
    this.running = false;
    this.idle?.resolve();
  }
}
