/**
 * The kubelet's container restart back-off (k8s.io/client-go/util/flowcontrol.Backoff as used in
 * pkg/kubelet/kuberuntime): the first restart is immediate; each later crash waits 10 s, 20 s, 40 s ... up to
 * 300 s after the container finished; an entry idle for twice the maximum (a container that ran 10 minutes) starts
 * over. Entries are plain data so the kubelet can persist them and resume after its own restart.
 */
import type { Clock } from "./clock.js";

export interface BackoffEntry {
  /** Current back-off in ms. */
  backoffMs: number;
  /** When the entry was last advanced (the finish time of the crash it was advanced for). */
  lastUpdate: number;
}

export class Backoff {
  readonly entries = new Map<string, BackoffEntry>();

  constructor(
    private readonly clock: Clock,
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  /** Until when `key` must wait after an exit at `eventTime`; undefined when it may restart now. */
  backoffUntil(key: string, eventTime: number): number | undefined {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) return undefined;
    const until = eventTime + e.backoffMs;
    return this.clock.now() < until ? until : undefined;
  }

  /** Records a restart after an exit at `eventTime`: the next crash waits longer. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** The back-off currently applying to key, in ms (for the CrashLoopBackOff message). */
  current(key: string): number {
    return this.entries.get(key)?.backoffMs ?? this.initialMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with prefix (a deleted pod's containers). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(e: BackoffEntry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }
}
