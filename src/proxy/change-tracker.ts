/**
 * Follows Services and EndpointSlices in the store and keeps the current ProxyState, like kube-proxy's
 * ServiceChangeTracker and EndpointsChangeTracker: watch events update in-memory maps and mark the service they
 * concern; state() recomputes the entries of marked services only and reuses the others' entry objects, so the
 * renderers recognise unchanged services by identity. `onChange` fires at most once per event-loop turn, so the
 * proxier syncs right away — a pod that turns unready leaves the data path as fast as its slice is written.
 */
import type { EndpointSlice, Service, WatchEvent } from "../api/types.js";
import { nextTurnPass } from "../store/next-turn.js";
import type { Store } from "../store/store.js";
import { compareEntries, serviceEntries, type ProxyState, type ServicePortEntry } from "./model.js";

const SERVICE_NAME = "kubernetes.io/service-name";

export class ChangeTracker {
  private readonly services = new Map<string, Service>();
  /** "namespace/service" → slice name → slice. */
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  /** The service a slice was filed under (its label may change). */
  private readonly sliceOwner = new Map<string, string>();
  private readonly entries = new Map<string, ServicePortEntry[]>();
  private readonly dirty = new Set<string>();
  private sorted: ServicePortEntry[] | undefined;
  private stops: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    /** This node: its endpoints are the Local traffic policies' (model.ts). */
    private readonly nodeName: string,
    private readonly onChange: () => void,
  ) {}

  start(): void {
    const svcs = this.store.list<Service>("Service");
    for (const s of svcs.items) this.setService(s);
    const sls = this.store.list<EndpointSlice>("EndpointSlice");
    for (const s of sls.items) this.setSlice(s);
    this.stops = [
      this.store.watch("Service", { resourceVersion: svcs.resourceVersion }, (ev) => this.event(ev, (o) => this.setService(o as Service), (o) => this.deleteService(o as Service))),
      this.store.watch("EndpointSlice", { resourceVersion: sls.resourceVersion }, (ev) => this.event(ev, (o) => this.setSlice(o as EndpointSlice), (o) => this.deleteSlice(o as EndpointSlice))),
    ];
  }

  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
  }

  /** The state now: entries of changed services recomputed, the others reused. */
  state(): ProxyState {
    for (const key of this.dirty) {
      const svc = this.services.get(key);
      const next = svc ? serviceEntries(svc, [...(this.slices.get(key)?.values() ?? [])], this.nodeName) : [];
      if (next.length) this.entries.set(key, next);
      else this.entries.delete(key);
      this.sorted = undefined;
    }
    this.dirty.clear();
    this.sorted ??= [...this.entries.values()].flat().sort(compareEntries);
    return { services: this.sorted };
  }

  private event(ev: WatchEvent, set: (o: WatchEvent["object"]) => void, del: (o: WatchEvent["object"]) => void): void {
    if (ev.type === "DELETED") del(ev.object);
    else if (ev.type === "ADDED" || ev.type === "MODIFIED") set(ev.object);
    else return;
    this.changed();
  }

  private setService(s: Service): void {
    const key = svcKey(s.metadata.namespace, s.metadata.name);
    this.services.set(key, s);
    this.dirty.add(key);
  }

  private deleteService(s: Service): void {
    const key = svcKey(s.metadata.namespace, s.metadata.name);
    this.services.delete(key);
    this.dirty.add(key);
  }

  private setSlice(s: EndpointSlice): void {
    this.deleteSlice(s);
    const owner = s.metadata.labels?.[SERVICE_NAME];
    if (!owner || s.addressType !== "IPv4") return;
    const key = svcKey(s.metadata.namespace, owner);
    const group = this.slices.get(key) ?? this.slices.set(key, new Map()).get(key)!;
    group.set(s.metadata.name ?? "", s);
    this.sliceOwner.set(svcKey(s.metadata.namespace, s.metadata.name), key);
    this.dirty.add(key);
  }

  private deleteSlice(s: EndpointSlice): void {
    const id = svcKey(s.metadata.namespace, s.metadata.name);
    const key = this.sliceOwner.get(id);
    if (!key) return;
    this.sliceOwner.delete(id);
    this.slices.get(key)?.delete(s.metadata.name ?? "");
    this.dirty.add(key);
  }

  /** onChange once on the next turn, however many events came before it. */
  private readonly changed = nextTurnPass(() => this.onChange());
}

function svcKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? "default"}/${name ?? ""}`;
}
