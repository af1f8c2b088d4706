/**
 * Follows Services and EndpointSlices in the store and keeps the current ProxyState, like kube-proxy's
 * ServiceChangeTracker and EndpointsChangeTracker: watch events update in-memory maps, and `onChange` fires (at most
 * once per event-loop turn) so the proxier syncs right away — a pod that turns unready leaves the data path as
 * fast as the endpoints controller writes its slice.
 */
import type { EndpointSlice, Service, WatchEvent } from "../api/types.js";
import type { Store } from "../store/store.js";
import { buildProxyState, slicesByService, type ProxyState } from "./model.js";

export class ChangeTracker {
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  private stops: (() => void)[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly onChange: () => void,
  ) {}

  start(): void {
    this.stops = [this.follow<Service>("Service", this.services), this.follow<EndpointSlice>("EndpointSlice", this.slices)];
  }

  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
  }

  /** The state now (pure function of the maps). */
  state(): ProxyState {
    return buildProxyState(this.services.values(), slicesByService(this.slices.values()));
  }

  private follow<T extends Service | EndpointSlice>(kind: string, into: Map<string, T>): () => void {
    const list = this.store.list<T>(kind);
    for (const o of list.items) into.set(objKey(o), o);
    return this.store.watch(kind, { resourceVersion: list.resourceVersion }, (ev: WatchEvent) => {
      const o = ev.object as T;
      if (ev.type === "DELETED") into.delete(objKey(o));
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") into.set(objKey(o), o);
      else return;
      this.changed();
    });
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.onChange();
    });
  }
}

function objKey(o: Service | EndpointSlice): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}
