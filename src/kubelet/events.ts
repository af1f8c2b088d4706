/**
 * Kubernetes Events for what the kubelet does to a pod (Scheduled, Pulled, Created, Started, Killing, BackOff,
 * Unhealthy, FailedMount, ...), stored as core/v1 Event objects. Repeats of the same event are folded into one
 * object with a count and lastTimestamp, as client-go's event correlator does, so `describe pod` prints
 * "x5 over 2m".
 */
import type { Event, KubeObject } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";

export type EventType = "Normal" | "Warning";

export class EventRecorder {
  /** (object uid, type, reason, message) → event name, for folding repeats. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly host: string,
  ) {}

  /** Records an event; `component` overrides the reporting component (the scheduler's "Scheduled"). */
  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string, component = this.component): void {
    const md = obj.metadata;
    const namespace = md.namespace ?? "default";
    const key = `${md.uid}\0${type}\0${reason}\0${message}\0${fieldPath ?? ""}`;
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
      const existingName = this.seen.get(key);
      const existing = existingName ? this.store.get<Event>("Event", namespace, existingName) : undefined;
      if (existing) {
        this.store.update<Event>({ ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: now });
        return;
      }
      // client-go names events "<object>.<unix nanoseconds in hex>": names then sort in the order events were made,
      // which is the order `describe` shows for events within the same second.
      const name = `${md.name}.${this.nextStamp().toString(16)}`;
      const ev: Event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
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
      this.store.create(ev);
      this.seen.set(key, name);
    } catch {
      // Events are best effort, as in Kubernetes: a failed event never fails the action it reports.
    }
  }

  private lastStamp = 0n;

  /** Unix time in nanoseconds, strictly increasing across calls. */
  private nextStamp(): bigint {
    const now = BigInt(this.clock.now()) * 1_000_000n;
    this.lastStamp = now > this.lastStamp ? now : this.lastStamp + 1n;
    return this.lastStamp;
  }

  /** Forgets folding state of a deleted object (its events stay in the store until their namespace goes). */
  forget(uid: string): void {
    for (const k of this.seen.keys()) if (k.startsWith(`${uid}\0`)) this.seen.delete(k);
  }
}
