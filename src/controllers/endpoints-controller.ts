/**
 * Keeps every Service's Endpoints and EndpointSlices equal to what endpoints.ts computes from the pods, as the
 * endpoints and EndpointSlice controllers do (and the mirroring controller for services without a selector). It
 * follows Services, Pods and Endpoints through store watches; a change marks the services it may affect, and one
 * flush per event-loop turn rewrites only the objects whose content differs — so a pod turning unready leaves its
 * service's endpoints within milliseconds. Deleting a Service deletes its Endpoints and slices (the garbage
 * collector's job for slices in Kubernetes, done here directly).
 */
import type { Endpoints, EndpointSlice, KubeObject, Pod, Service, WatchEvent } from "../api/types.js";
import { nextTurnPass } from "../store/next-turn.js";
import type { Store } from "../store/store.js";
import { desiredEndpoints, desiredSlices, MANAGED_BY_LABEL, MIRROR_CONTROLLER, mirroredSlices, podSelected, SERVICE_NAME_LABEL, SLICE_CONTROLLER } from "./endpoints.js";
import { keyOf } from "./object-index.js";

export class EndpointsController {
  private readonly dirty = new Set<string>();
  private readonly podLabels = new Map<string, Record<string, string>>();
  private stops: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Reconciles every service once, then follows changes until stop(). */
  start(): void {
    for (const pod of this.store.list<Pod>("Pod").items) this.podLabels.set(keyOf(pod), pod.metadata.labels ?? {});
    for (const svc of this.store.list<Service>("Service").items) this.dirty.add(keyOf(svc));
    this.stops = [
      this.store.watch("Service", {}, (ev) => this.mark(keyOf(ev.object))),
      this.store.watch("Pod", {}, (ev) => this.onPod(ev)),
      this.store.watch("Endpoints", {}, (ev) => this.onEndpoints(ev)),
    ];
    this.flush();
  }

  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
  }

  private onPod(ev: WatchEvent): void {
    const pod = ev.object as Pod;
    const key = keyOf(pod);
    const before = this.podLabels.get(key);
    if (ev.type === "DELETED") this.podLabels.delete(key);
    else this.podLabels.set(key, pod.metadata.labels ?? {});
    const ns = pod.metadata.namespace ?? "default";
    for (const svc of this.store.list<Service>("Service", { namespace: ns }).items) {
      const withLabels = (labels: Record<string, string> | undefined) => podSelected(svc, { ...pod, metadata: { ...pod.metadata, labels } });
      if (withLabels(pod.metadata.labels) || (before && withLabels(before))) this.mark(keyOf(svc));
    }
  }

  /** Hand-written Endpoints of a selectorless service are mirrored to slices. */
  private onEndpoints(ev: WatchEvent): void {
    const svc = this.store.get<Service>("Service", ev.object.metadata.namespace ?? "default", ev.object.metadata.name ?? "");
    if (svc && !hasSelector(svc)) this.mark(keyOf(svc));
  }

  private mark(key: string): void {
    this.dirty.add(key);
    this.scheduleFlush();
  }

  private readonly scheduleFlush = nextTurnPass(() => this.flush());

  /** Reconciles every marked service. Writes happen outside the watch handlers that marked them. */
  flush(): void {
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      try {
        this.reconcile(key);
      } catch (err) {
        this.log(`endpoints controller: service ${key}: ${String(err)}`);
      }
    }
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split("/");
    const svc = this.store.get<Service>("Service", ns, name);
    if (!svc || svc.spec.type === "ExternalName") {
      this.remove(ns, name, svc !== undefined);
      return;
    }
    if (!hasSelector(svc)) {
      const ep = this.store.get<Endpoints>("Endpoints", ns, name);
      this.writeSlices(ns, name, mirroredSlices(svc, ep), MIRROR_CONTROLLER);
      return;
    }
    const pods = this.store.list<Pod>("Pod", { namespace: ns }).items;
    this.write(desiredEndpoints(svc, pods), (a, b) => same(a.subsets ?? [], b.subsets ?? []) && same(a.metadata.labels, b.metadata.labels));
    this.writeSlices(ns, name, desiredSlices(svc, pods), SLICE_CONTROLLER);
  }

  /** Creates or updates `want` unless the stored object already says the same. */
  private write<T extends KubeObject>(want: T, equal: (a: T, b: T) => boolean): void {
    const md = want.metadata;
    const have = this.store.get<T>(want.kind, md.namespace ?? "", md.name ?? "");
    if (!have) {
      this.store.create(want);
      return;
    }
    if (equal(have, want)) return;
    this.store.update({ ...want, metadata: { ...have.metadata, labels: md.labels, ownerReferences: md.ownerReferences ?? have.metadata.ownerReferences } });
  }

  private writeSlices(ns: string, service: string, want: EndpointSlice[], managedBy: string): void {
    const names = new Set(want.map((s) => s.metadata.name));
    for (const s of want) this.write(s, (a, b) => same(a.endpoints, b.endpoints) && same(a.ports ?? [], b.ports ?? []) && same(a.metadata.labels, b.metadata.labels));
    for (const old of this.slicesOf(ns, service)) {
      if (old.metadata.labels?.[MANAGED_BY_LABEL] === managedBy && !names.has(old.metadata.name)) this.deleteQuietly("EndpointSlice", ns, old.metadata.name!);
    }
  }

  private slicesOf(ns: string, service: string): EndpointSlice[] {
    return this.store.list<EndpointSlice>("EndpointSlice", { namespace: ns, labelSelector: `${SERVICE_NAME_LABEL}=${service}` }).items;
  }

  /** The service is gone (or became ExternalName): its Endpoints and our slices go too. */
  private remove(ns: string, name: string, keepEndpoints: boolean): void {
    if (!keepEndpoints) this.deleteQuietly("Endpoints", ns, name);
    for (const s of this.slicesOf(ns, name)) {
      const by = s.metadata.labels?.[MANAGED_BY_LABEL];
      if (by === SLICE_CONTROLLER || by === MIRROR_CONTROLLER) this.deleteQuietly("EndpointSlice", ns, s.metadata.name!);
    }
  }

  private deleteQuietly(kind: string, ns: string, name: string): void {
    if (!this.store.get(kind, ns, name)) return;
    try {
      this.store.delete(kind, ns, name);
    } catch {
      // deleted meanwhile
    }
  }
}

function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec.selector ?? {}).length > 0;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
