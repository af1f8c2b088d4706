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
  /** Called after every change (the kubelet persists the entries so a restart resumes them). */
  onChange?: () => void;

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
    if (!e || this.expired(e, eventTime)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
    else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
      e.lastUpdate = eventTime;
    }
    this.onChange?.();
  }

  /** The back-off currently applying to key, in ms (for the CrashLoopBackOff message). */
  current(key: string): number {
    return this.entries.get(key)?.backoffMs ?? this.initialMs;
  }

  reset(key: string): void {
    if (this.entries.delete(key)) this.onChange?.();
  }

  /** Drops every entry whose key starts with prefix (a deleted pod's containers). */
  forgetPrefix(prefix: string): void {
    let changed = false;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) changed = this.entries.delete(k) || changed;
    if (changed) this.onChange?.();
  }

  /** Entries as plain data, for persisting. */
  snapshot(): Record<string, BackoffEntry> {
    return Object.fromEntries(this.entries);
  }

  /** Restores persisted entries (at start, before any pod syncs). */
  restore(saved: Record<string, BackoffEntry>): void {
    for (const [k, e] of Object.entries(saved)) {
      if (typeof e?.backoffMs === "number" && typeof e.lastUpdate === "number") this.entries.set(k, { backoffMs: e.backoffMs, lastUpdate: e.lastUpdate });
    }
  }

  private expired(e: BackoffEntry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }
}
