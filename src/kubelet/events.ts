/**
 * Kubernetes Events for what the kubelet does to a pod (Scheduled, Pulled, Created, Started, Killing, BackOff,
 * Unhealthy, FailedMount, ...), stored as core/v1 Event objects. Every event goes through the correlator
 * (event-correlator.ts: repeats counted into one object, similar ones combined, a spam filter per object), then
 * through the node's own rate limit (the kubelet's --event-qps/--event-burst), so `describe pod` prints
 * "x5 over 2m" and a crash-looping pod cannot flood the store.
 */
import type { Event, KubeObject } from "../api/types.js";
import { nextTurnPass } from "../store/next-turn.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";
import { EventCorrelator, TokenBucket } from "./event-correlator.js";
import { rfc3339 } from "../api/time.js";

export type EventType = "Normal" | "Warning";

/** The kubelet's defaults for its event rate limit (KubeletConfiguration eventRecordQPS / eventBurst). */
export const DEFAULT_EVENT_QPS = 50;
export const DEFAULT_EVENT_BURST = 100;

export interface EventLimits {
  /** Events the node writes per second at most (0: no limit). */
  qps: number;
  /** Events it may write at once before the rate applies. */
  burst: number;
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly nodeLimit: TokenBucket;
  private lastStamp = 0n;
  /** Events dropped by the spam filter or the node's rate limit (for tests and the soak). */
  dropped = 0;
  /** Events decided (correlated, counted, timestamped) but not yet stored: written by flush() (writeLater). */
  private queued: { event: Event; update: boolean }[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly host: string,
    limits: EventLimits = { qps: DEFAULT_EVENT_QPS, burst: DEFAULT_EVENT_BURST },
    /**
     * Store each event after the current turn of the event loop instead of at once (the daemon's kubelet): a pod
     * start's Created/Started events then go to the store after the status write that says Running, off the start's
     * critical path, as the kubelet's recorder hands events to a broadcaster. Everything but the write (correlation,
     * rate limit, timestamps, the order) is decided when the event is recorded.
     */
    private readonly writeLater = false,
  ) {
    this.correlator = new EventCorrelator(() => clock.now());
    this.nodeLimit = new TokenBucket(limits.qps, limits.burst, clock.now());
  }

  /** Records an event; `component` overrides the reporting component (the scheduler's "Scheduled"). */
  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string, component = this.component): void {
    const c = this.correlator.correlate(this.makeEvent(obj, type, reason, message, fieldPath, component));
    if (c.skip || !this.nodeLimit.tryAccept(this.clock.now())) {
      this.dropped++;
      return;
    }
    if (!this.writeLater) return this.store1(c.event, c.update);
    this.queued.push({ event: c.event, update: c.update });
    this.flushLater();
  }

  private readonly flushLater = nextTurnPass(() => this.flush());

  /** Stores the events recorded and not yet written (writeLater), in the order they were recorded. */
  flush(): void {
    const queued = this.queued;
    this.queued = [];
    const all = () => {
      for (const q of queued) this.store1(q.event, q.update);
    };
    try {
      // One commit for the turn's events (a pod start records four; a burst of starts many more in one turn).
      if (this.store.writeTogether) this.store.writeTogether(all);
      else all();
    } catch {
      // The batch's commit failed: its events are lost, as any event may be (best effort).
    }
  }

  private store1(event: Event, update: boolean): void {
    try {
      this.correlator.updateState(event, this.write(event, update));
    } catch {
      // Events are best effort, as in Kubernetes: a failed event never fails the action it reports.
    }
  }

  /** Creates the event, or updates the count of the one it names (created again if it has gone, as recordToSink). */
  private write(ev: Event, update: boolean): Event {
    const ns = ev.metadata.namespace ?? "default";
    const existing = update ? this.store.get<Event>("Event", ns, ev.metadata.name!) : undefined;
    if (existing) {
      return this.store.update<Event>({ ...existing, count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message });
    }
    return this.store.create<Event>({ ...ev, metadata: { name: ev.metadata.name, namespace: ns } });
  }

  private makeEvent(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath: string | undefined, component: string): Event {
    const md = obj.metadata;
    const now = rfc3339(this.clock.now());
    return {
      apiVersion: "v1",
      kind: "Event",
      // client-go names events "<object>.<unix nanoseconds in hex>": names then sort in the order events were made,
      // which is the order `describe` shows for events within the same second.
      metadata: { name: `${md.name}.${this.nextStamp().toString(16)}`, namespace: md.namespace ?? "default" },
      involvedObject: {
        kind: obj.kind,
        namespace: md.namespace,
        name: md.name,
        uid: md.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: md.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component, ...(component === this.component ? { host: this.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: this.host,
    };
  }

  /** Unix time in nanoseconds, strictly increasing across calls. */
  private nextStamp(): bigint {
    const now = BigInt(this.clock.now()) * 1_000_000n;
    this.lastStamp = now > this.lastStamp ? now : this.lastStamp + 1n;
    return this.lastStamp;
  }
}
