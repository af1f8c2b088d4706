/**
 * The scheduling queue (internal/queue/scheduling_queue.go PriorityQueue), pure over a clock: activeQ ordered by
 * priority (higher first) then by when the pod was added (PrioritySort); backoffQ for pods that failed, each waiting
 * 1 s doubled per failed attempt up to 10 s (podInitialBackoffDuration, podMaxBackoffDuration); unschedulable pods
 * parked until a cluster event that could make them fit moves them back (to backoffQ while their backoff lasts), or
 * after 5 minutes (podMaxInUnschedulablePodsDuration).
 */
import type { Pod } from "../api/types.js";

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

interface Entry {
  pod: Pod;
  /** When it first entered the queue (the PrioritySort tie-break). */
  timestamp: number;
  attempts: number;
  /** When the last attempt failed. */
  failedAt?: number;
}

const priority = (p: Pod) => p.spec.priority ?? 0;
const uidOf = (p: Pod) => p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`;

export class SchedulingQueue {
  private readonly active = new Map<string, Entry>();
  private readonly backoff = new Map<string, Entry>();
  private readonly unschedulable = new Map<string, Entry>();
  /** Popped and not yet done with (being scheduled). */
  private readonly inFlight = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** backoff of an entry: 1 s · 2^(attempts − 1), at most 10 s. */
  static backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.min(attempts - 1, 10));
  }

  private backoffEnds(e: Entry): number {
    return (e.failedAt ?? 0) + SchedulingQueue.backoffMs(e.attempts);
  }

  /** A new pending pod, or a newer version of one already queued (kept where it is). */
  add(pod: Pod): void {
    const uid = uidOf(pod);
    for (const q of [this.active, this.backoff, this.unschedulable, this.inFlight]) {
      const e = q.get(uid);
      if (e) {
        e.pod = pod;
        // An update may make an unschedulable pod schedulable (PodUpdate is a queueing hint upstream).
        if (q === this.unschedulable) this.requeue(uid, e);
        return;
      }
    }
    this.active.set(uid, { pod, timestamp: this.now(), attempts: 0 });
  }

  /** The pod left the queue for good (bound elsewhere, deleted, another scheduler's). */
  delete(pod: Pod): void {
    const uid = uidOf(pod);
    for (const q of [this.active, this.backoff, this.unschedulable, this.inFlight]) q.delete(uid);
  }

  /** The highest-priority active pod (oldest first among equals); it stays in flight until done() or failed(). */
  pop(): Pod | undefined {
    this.flush();
    let best: [string, Entry] | undefined;
    for (const [uid, e] of this.active) {
      if (!best || priority(e.pod) > priority(best[1].pod) || (priority(e.pod) === priority(best[1].pod) && e.timestamp < best[1].timestamp)) best = [uid, e];
    }
    if (!best) return undefined;
    this.active.delete(best[0]);
    best[1].attempts++;
    this.inFlight.set(best[0], best[1]);
    return best[1].pod;
  }

  /** The pod was bound (or is no longer ours). */
  done(pod: Pod): void {
    this.inFlight.delete(uidOf(pod));
  }

  /**
   * The attempt failed: an unschedulable pod waits for a cluster event; an error (`unschedulable` false) goes to
   * backoffQ straight away.
   */
  failed(pod: Pod, unschedulable: boolean): void {
    const uid = uidOf(pod);
    const e = this.inFlight.get(uid);
    if (!e) return;
    this.inFlight.delete(uid);
    e.failedAt = this.now();
    if (unschedulable) this.unschedulable.set(uid, e);
    else this.backoff.set(uid, e);
  }

  private requeue(uid: string, e: Entry): void {
    this.unschedulable.delete(uid);
    if (this.backoffEnds(e) > this.now()) this.backoff.set(uid, e);
    else this.active.set(uid, e);
  }

  /** MoveAllToActiveOrBackoffQueue: a cluster event that may let unschedulable pods fit (a node, a freed pod). */
  moveAllToActiveOrBackoff(): void {
    for (const [uid, e] of [...this.unschedulable]) this.requeue(uid, e);
  }

  /** Backoffs that ended go to activeQ; pods unschedulable for 5 minutes are tried again. */
  flush(): void {
    const now = this.now();
    for (const [uid, e] of [...this.backoff]) {
      if (this.backoffEnds(e) <= now) {
        this.backoff.delete(uid);
        this.active.set(uid, e);
      }
    }
    for (const [uid, e] of [...this.unschedulable]) if (now - (e.failedAt ?? 0) >= MAX_UNSCHEDULABLE_MS) this.requeue(uid, e);
  }

  /** When the next backoff or unschedulable timeout ends (undefined when nothing waits). */
  nextWakeup(): number | undefined {
    const times = [...[...this.backoff.values()].map((e) => this.backoffEnds(e)), ...[...this.unschedulable.values()].map((e) => (e.failedAt ?? 0) + MAX_UNSCHEDULABLE_MS)];
    return times.length ? Math.min(...times) : undefined;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Sizes, for tests and logs. */
  counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }
}
