/**
 * Events a controller records about the objects it manages (client-go's EventRecorder): `SuccessfulCreate`,
 * `ScalingReplicaSet`, `FailedCreate`... as core/v1 Events through the API, with the source component named. The
 * same event about the same object (reason and message) within 10 minutes bumps the count of the first instead of
 * adding another, as the recorder's correlator does.
 */
import type { ObjectWriter } from "../../api/object-api.js";
import type { Event, KubeObject } from "../../api/types.js";
import type { Clock } from "./clock.js";
import { rfc3339 } from "../../api/time.js";

const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 4096;

export type EventType = "Normal" | "Warning";

export class EventRecorder {
  private readonly recent = new Map<string, { event: Event; at: number }>();
  private seq = 0;

  constructor(
    private readonly api: ObjectWriter,
    private readonly component: string,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Records an event about `obj`; never throws (an event that cannot be written is logged). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata;
    const namespace = m.namespace || "default";
    const now = this.clock.now();
    const stamp = rfc3339(now);
    const id = `${m.uid}\u0000${type}\u0000${reason}\u0000${message}`;
    const prev = this.recent.get(id);
    try {
      if (prev && now - prev.at < AGGREGATE_WINDOW_MS) {
        // The first event's involvedObject stands (it may not change); only the count and last time move.
        prev.event = this.api.update<Event>({ ...prev.event, count: (prev.event.count ?? 1) + 1, lastTimestamp: stamp });
        prev.at = now;
        return;
      }
    } catch {
      // the aggregated event is gone (expired or deleted): write a new one
    }
    const name = `${m.name}.${(now * 1000 + (this.seq++ % 1000)).toString(16)}`;
    try {
      const event = this.api.create<Event>(this.build(obj, type, reason, message, name, namespace, stamp));
      if (this.recent.size >= MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value as string);
      this.recent.set(id, { event, at: now });
    } catch (err) {
      this.log(`${this.component}: event ${reason} for ${namespace}/${m.name}: ${String(err)}`);
    }
  }

  private build(obj: KubeObject, type: EventType, reason: string, message: string, name: string, namespace: string, stamp: string): Event {
    const m = obj.metadata;
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: { kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: obj.apiVersion, resourceVersion: m.resourceVersion },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: "",
    };
  }
}
