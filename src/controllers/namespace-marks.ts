/**
 * The loop of the store-watching namespace controllers (ResourceQuota, ServiceAccount): watch handlers only mark a
 * namespace, and the marked ones are synced once per event-loop turn (a write from inside a watch handler would
 * re-enter the store; a burst of events for one namespace becomes one sync).
 */
import { nextTurnPass } from "../store/next-turn.js";

export class NamespaceMarks {
  private readonly dirty = new Set<string>();
  private stops: (() => void)[] = [];

  constructor(private readonly sync: (namespace: string) => void) {}

  /** Keeps the watches' stop functions; marks are synced on later turns while they run. */
  watching(stops: (() => void)[]): void {
    this.stops = stops;
  }

  /** Ends the watches; a turn already scheduled syncs nothing. */
  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
  }

  /** Marks a namespace to sync on the next turn. */
  mark(namespace: string): void {
    this.dirty.add(namespace);
    this.scheduleFlush();
  }

  private readonly scheduleFlush = nextTurnPass(() => {
    if (this.stops.length) this.flush();
  });

  /** Marks a namespace for the next flush() without scheduling one (a resync that flushes at once). */
  add(namespace: string): void {
    this.dirty.add(namespace);
  }

  /** Syncs every marked namespace now. */
  flush(): void {
    const namespaces = [...this.dirty];
    this.dirty.clear();
    for (const ns of namespaces) this.sync(ns);
  }
}
