/**
 * The scheduler's cache (pkg/scheduler/backend/cache with its informers): every object a cycle reads, kept current
 * from watch events, so a cycle makes no store call. Nodes with their bound, unfinished pods and the sums of what
 * those request; pods nominated by preemption; namespace labels; the Services' and controllers' selectors default
 * spreading reads; claims, volumes and classes.
 *
 * snapshot() hands out the cluster as of the last event: a NodeInfo is rebuilt only for a node whose Node or pods
 * changed since the previous snapshot (upstream's UpdateSnapshot walks its generation-ordered list the same way),
 * and an unchanged cache returns the previous snapshot itself, so a cycle costs what changed, not the cluster's
 * size. Snapshots are read-only: the framework copies a NodeInfo it needs to change.
 */
import type { StorageClass } from "../api/storage-class.js";
import type { LabelSelector, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import { holdsNode, isNominated, nodeInfoOf } from "./node-info.js";
import type { NodeInfo, Snapshot } from "./types.js";

/** The kinds the cache follows (the scheduler watches each, from resourceVersion "0"). */
export const CACHED_KINDS = [
  "Node",
  "Pod",
  "Namespace",
  "Service",
  "ReplicationController",
  "ReplicaSet",
  "StatefulSet",
  "PersistentVolumeClaim",
  "PersistentVolume",
  "StorageClass",
] as const;

/** The controllers whose selector default spreading reads. */
const CONTROLLER_KINDS = new Set(["ReplicationController", "ReplicaSet", "StatefulSet"]);

interface Meta {
  metadata: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  spec?: { selector?: LabelSelector | Record<string, string> };
}

/** A watch event as the cache takes it (BOOKMARK and ERROR are ignored). */
export interface CacheEvent {
  type: string;
  object: object;
}

const nsName = (m: Meta["metadata"]) => `${m.namespace ?? "default"}/${m.name ?? ""}`;

export class SchedulerCache {
  private readonly nodes = new Map<string, Node>();
  private readonly pods = new Map<string, Pod>();
  /** Node name → uid → the pods that hold its room. */
  private readonly podsOnNode = new Map<string, Map<string, Pod>>();
  private readonly nominated = new Map<string, Pod>();
  /** NodeInfo of each node whose Node and pods did not change since it was built. */
  private readonly infos = new Map<string, NodeInfo>();
  private readonly namespaces = new Map<string, Record<string, string>>();
  private readonly services = new Map<string, { namespace: string; selector: Record<string, string> }>();
  private readonly controllers = new Map<string, LabelSelector>();
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  private readonly classes = new Map<string, StorageClass>();
  /** Pods in their binding cycle (uid → the node assumed and the pod as the watch last showed it, still unbound). */
  private readonly assumed = new Map<string, { node: string; pod: Pod }>();
  private last?: Snapshot;
  /** NodeInfos built so far (tests check that a snapshot rebuilds only what changed). */
  private rebuilt = 0;

  /** Takes one watch event of `kind` (one of CACHED_KINDS; others are ignored). */
  apply(kind: string, ev: CacheEvent): void {
    if (ev.type !== "ADDED" && ev.type !== "MODIFIED" && ev.type !== "DELETED") return;
    const gone = ev.type === "DELETED";
    const o = ev.object as Meta;
    const m = o.metadata;
    this.last = undefined;
    switch (kind) {
      case "Node":
        return this.setNode(m.name ?? "", gone ? undefined : (ev.object as Node));
      case "Pod":
        return this.setPod(m.uid ?? nsName(m), gone ? undefined : (ev.object as Pod));
      case "Namespace":
        return void (gone ? this.namespaces.delete(m.name ?? "") : this.namespaces.set(m.name ?? "", m.labels ?? {}));
      case "Service": {
        const selector = o.spec?.selector as Record<string, string> | undefined;
        return void (gone || !selector ? this.services.delete(nsName(m)) : this.services.set(nsName(m), { namespace: m.namespace ?? "default", selector }));
      }
      case "PersistentVolumeClaim":
        return void (gone ? this.claims.delete(nsName(m)) : this.claims.set(nsName(m), ev.object as PersistentVolumeClaim));
      case "PersistentVolume":
        return void (gone ? this.volumes.delete(m.name ?? "") : this.volumes.set(m.name ?? "", ev.object as PersistentVolume));
      case "StorageClass":
        return void (gone ? this.classes.delete(m.name ?? "") : this.classes.set(m.name ?? "", ev.object as StorageClass));
      default:
        if (CONTROLLER_KINDS.has(kind)) this.setController(kind, m, gone ? undefined : o.spec?.selector);
    }
  }

  /** The Node as last seen, if any. */
  node(name: string): Node | undefined {
    return this.nodes.get(name);
  }

  /** The pod with this uid as last seen, if any. */
  pod(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }

  /** The claim `ns/name` as last seen. */
  claim(ns: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(`${ns}/${name}`);
  }

  /** The PersistentVolume as last seen. */
  volume(name: string): PersistentVolume | undefined {
    return this.volumes.get(name);
  }

  /**
   * AssumePod (Reserve): the pod holds `node`'s room while its binding cycle waits, so that the pods scheduled
   * meanwhile see it there. Its watch events keep it there until the binding shows in one or forget() drops it.
   */
  assume(pod: Pod, node: string): void {
    const uid = pod.metadata.uid ?? nsName(pod.metadata);
    this.assumed.set(uid, { node, pod });
    this.last = undefined;
    this.setPod(uid, pod);
  }

  /** ForgetPod (Unreserve): the pod is back as the watch last showed it. */
  forget(uid: string): void {
    const a = this.assumed.get(uid);
    if (!a) return;
    this.assumed.delete(uid);
    this.last = undefined;
    this.setPod(uid, this.pods.has(uid) ? a.pod : undefined);
  }

  /** Counts for tests and logs. */
  counts(): { nodes: number; pods: number; rebuiltInfos: number } {
    return { nodes: this.nodes.size, pods: this.pods.size, rebuiltInfos: this.rebuilt };
  }

  /** The cluster as of the last event (the same object while nothing changed). */
  snapshot(): Snapshot {
    if (this.last) return this.last;
    const nodes: NodeInfo[] = [];
    for (const [name, node] of this.nodes) {
      let info = this.infos.get(name);
      if (!info) {
        info = nodeInfoOf(node, [...(this.podsOnNode.get(name)?.values() ?? [])]);
        this.infos.set(name, info);
        this.rebuilt++;
      }
      nodes.push(info);
    }
    const namespaces = new Map(this.namespaces);
    const controllers = new Map(this.controllers);
    const claims = new Map(this.claims);
    const classes = new Map(this.classes);
    this.last = {
      nodes,
      nominated: [...this.nominated.values()],
      namespaceLabels: (ns) => namespaces.get(ns),
      spreadSources: {
        services: [...this.services.values()],
        controllerSelector: (kind, ns, name) => controllers.get(`${kind}/${ns}/${name}`),
      },
      volumes: {
        claim: (ns, name) => claims.get(`${ns}/${name}`),
        volumes: [...this.volumes.values()],
        storageClass: (name) => classes.get(name),
      },
    };
    return this.last;
  }

  private setNode(name: string, node: Node | undefined): void {
    if (node) this.nodes.set(name, node);
    else this.nodes.delete(name);
    this.infos.delete(name);
  }

  private setPod(uid: string, pod: Pod | undefined): void {
    const a = this.assumed.get(uid);
    if (a) {
      if (pod && !pod.spec.nodeName) {
        a.pod = pod;
        pod = { ...pod, spec: { ...pod.spec, nodeName: a.node } };
      } else this.assumed.delete(uid); // bound (the binding seen) or gone
    }
    const old = this.pods.get(uid);
    if (old?.spec.nodeName) {
      this.podsOnNode.get(old.spec.nodeName)?.delete(uid);
      this.infos.delete(old.spec.nodeName);
    }
    this.nominated.delete(uid);
    if (!pod) {
      this.pods.delete(uid);
      return;
    }
    this.pods.set(uid, pod);
    if (holdsNode(pod)) {
      const node = pod.spec.nodeName!;
      let on = this.podsOnNode.get(node);
      if (!on) this.podsOnNode.set(node, (on = new Map<string, Pod>()));
      on.set(uid, pod);
      this.infos.delete(node);
    } else if (isNominated(pod)) this.nominated.set(uid, pod);
  }

  private setController(kind: string, m: Meta["metadata"], selector: LabelSelector | Record<string, string> | undefined): void {
    const key = `${kind}/${m.namespace ?? "default"}/${m.name}`;
    if (!selector) {
      this.controllers.delete(key);
      return;
    }
    // A ReplicationController's selector is a map; the others' a LabelSelector.
    this.controllers.set(key, kind === "ReplicationController" ? { matchLabels: selector as Record<string, string> } : selector);
  }
}
