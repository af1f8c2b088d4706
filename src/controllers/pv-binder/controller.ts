/**
 * The PV controller's loop: follows PersistentVolumes, claims, StorageClasses and Pods through store watches, runs
 * reconcile.ts over a snapshot (one pass per event-loop turn, and every `resyncMs` as the controller's periodic
 * sync), writes what it decides and does the host work through the provisioner: provision (then create the
 * PersistentVolume), reclaim (Delete: storage, then the object) and expand. An event repeated within one resync
 * period is recorded once, so a Pending claim says FailedBinding once per period, as the upstream controller does.
 *
 * Its role says which half it is (upstream splits them between kube-controller-manager and a provisioner deployed
 * on every node):
 * - `all-in-one` (the daemon): binding and this node's provisioner in one loop;
 * - `control-plane`: binding only; `nodelet.io/local` is an external provisioner to it;
 * - `node` (a node of a cluster): the local provisioner's half only: it provisions claims whose selected node is
 *   this one (and takes Immediate ones by that annotation; a WaitForFirstConsumer claim it has not the room for is
 *   handed back to the scheduler by removing the annotation, as external-provisioner reschedules), reclaims and grows the volumes made here, and writes
 *   nothing else; it reads the pods and the Node of this node only (what a node may list).
 */
import type { StorageClass } from "../../api/storage-class.js";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/types.js";
import { nextTurnPass } from "../../store/next-turn.js";
import type { Store } from "../../store/store.js";
import { ApiError } from "../../api/errors.js";
import { ResourceExhaustedError } from "../../api/resource-exhausted.js";
import { ANN_PROVISIONED_BY, ANN_SELECTED_NODE, requestBytes } from "../../api/pv-matching.js";
import type { BinderClock, VolumeProvisioner } from "./provisioner.js";
import { provisionedVolume, reconcile, volumeOnNode, type BinderChange } from "./reconcile.js";
import { rfc3339 } from "../../api/time.js";

export interface EventSink {
  record(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export type PvBinderRole = "all-in-one" | "control-plane" | "node";

export interface PvBinderOptions {
  store: Store;
  events: EventSink;
  /** This node's provisioner; none in a control plane. */
  provisioner?: VolumeProvisioner;
  /** Default: all-in-one with a provisioner, control-plane without. */
  role?: PvBinderRole;
  nodeName: string;
  clock: BinderClock;
  log?: (msg: string) => void;
  /** The controller's periodic sync (the kube-controller-manager's pvclaimbinder-sync-period: 15 s). */
  resyncMs?: number;
}

const CLAIM_RESIZE_CONDITIONS = new Set(["Resizing", "FileSystemResizePending"]);

export class PvBinder {
  private readonly busy = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly lastEvent = new Map<string, number>();
  private stops: (() => void)[] = [];
  private timer?: { cancel(): void };
  private readonly work = new Set<Promise<void>>();
  private readonly resyncMs: number;
  private readonly role: PvBinderRole;
  /** The node role's pods: those bound to it. */
  private readonly podScope: { fieldSelector?: string };

  constructor(private readonly o: PvBinderOptions) {
    this.resyncMs = o.resyncMs ?? 15_000;
    this.role = o.role ?? (o.provisioner ? "all-in-one" : "control-plane");
    if (this.role !== "control-plane" && !o.provisioner) throw new Error(`pv controller: the ${this.role} role needs a provisioner`);
    this.podScope = this.role === "node" ? { fieldSelector: `spec.nodeName=${o.nodeName}` } : {};
  }

  start(): void {
    const poke = () => this.schedule();
    this.stops = ["PersistentVolume", "PersistentVolumeClaim", "StorageClass"].map((k) => this.o.store.watch(k, {}, poke));
    // Pods matter only through the claims they use (podsUsingClaim; a pod's volumes never change): a pass over every
    // object for each event of every other pod made a burst of n pod starts O(n²) (measured: 1.3 s of 25 s for 100).
    this.stops.push(this.o.store.watch("Pod", this.podScope, (ev) => usesClaims(ev.object as Pod) && poke()));
    this.stops.push(this.o.store.watch("PersistentVolume", {}, (ev) => ev.type === "DELETED" && this.volumeGone(ev.object as PersistentVolume)));
    this.tick();
  }

  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
    this.timer?.cancel();
  }

  /** Resolves when no host work is in flight (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.work.size) await Promise.all([...this.work]);
  }

  private tick(): void {
    this.flush();
    this.timer = this.o.clock.setTimeout(() => this.tick(), this.resyncMs);
  }

  private readonly schedule = nextTurnPass(() => this.flush());

  /** One reconcile pass over the store as it is now. */
  flush(): void {
    const { store, clock } = this.o;
    const now = clock.now();
    for (const [k, at] of this.failedAt) if (now - at >= this.resyncMs) this.failedAt.delete(k);
    const node = this.role === "node";
    const claims = store.list<PersistentVolumeClaim>("PersistentVolumeClaim").items;
    // Pods matter only in their claims' namespaces and nodes only to unbound claims: a cluster of thousands of pods
    // and no claim lists neither at each resync.
    const namespaces = [...new Set(claims.map((c) => c.metadata.namespace ?? "default"))];
    const unbound = claims.some((c) => !c.spec.volumeName);
    const own = node && unbound ? store.get<Node>("Node", "", this.o.nodeName) : undefined;
    const changes = reconcile({
      claims,
      volumes: store.list<PersistentVolume>("PersistentVolume").items,
      classes: store.list<StorageClass>("StorageClass").items,
      pods: namespaces.flatMap((namespace) => store.list<Pod>("Pod", { ...this.podScope, namespace }).items),
      nodes: !unbound ? [] : node ? (own ? [own] : []) : store.list<Node>("Node").items,
      provisioner: this.o.provisioner?.name ?? "",
      nodeName: this.o.nodeName,
      sharedProvisioner: node,
      busy: new Set([...this.busy, ...this.failedAt.keys()]),
      now: rfc3339(now),
    });
    // A node applies the provisioner's half only: bindings, phases and their events are the control plane's.
    for (const ch of node ? changes.filter((c) => c.kind !== "put" && c.kind !== "event") : changes) {
      try {
        this.apply(ch);
      } catch (err) {
        this.o.log?.(`pv controller: ${ch.kind}: ${String(err)}`);
        this.schedule();
      }
    }
  }

  private apply(ch: BinderChange): void {
    switch (ch.kind) {
      case "put":
        return this.put(ch.object);
      case "event":
        return this.event(ch.object, ch.type, ch.reason, ch.message);
      case "selectNode":
        return this.selectNode(ch.claim);
    }
    const provisioner = this.o.provisioner;
    if (!provisioner) return; // reconcile asks a control plane for no host work: it serves no provisioner
    switch (ch.kind) {
      case "provision":
        return this.background(ch.claim.metadata.uid!, () => this.provision(provisioner, ch.claim, ch.storageClass, ch.volumeName));
      case "reclaim":
        // A node deletes once the control plane has said Released (as an external provisioner waits for the phase).
        if (this.role === "node" && this.o.store.get<PersistentVolume>("PersistentVolume", "", ch.volume.metadata.name!)?.status?.phase !== "Released") return;
        return this.background(ch.volume.metadata.name!, () => this.reclaim(provisioner, ch.volume));
      case "expand":
        return this.background(ch.volume.metadata.name!, () => this.expand(provisioner, ch.claim, ch.volume, ch.bytes, ch.inUse));
    }
  }

  /**
   * Takes an Immediate claim for this node: the selected-node annotation, written only over the version read. Of
   * nodes racing for it, one write succeeds and the others get a Conflict and find it taken on their next pass.
   */
  private selectNode(claim: PersistentVolumeClaim): void {
    const { store, nodeName } = this.o;
    const cur = store.get<PersistentVolumeClaim>("PersistentVolumeClaim", claim.metadata.namespace ?? "", claim.metadata.name ?? "");
    if (!cur || cur.metadata.uid !== claim.metadata.uid || cur.metadata.annotations?.[ANN_SELECTED_NODE] !== undefined) return;
    try {
      store.update({ ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [ANN_SELECTED_NODE]: nodeName } } }, { resourceVersion: cur.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      this.schedule();
    }
  }

  /** ProvisioningReschedule: removes this node's selected-node annotation, over the version read. */
  private reschedule(claim: PersistentVolumeClaim): void {
    const { store, nodeName } = this.o;
    const cur = store.get<PersistentVolumeClaim>("PersistentVolumeClaim", claim.metadata.namespace ?? "", claim.metadata.name ?? "");
    if (!cur || cur.metadata.uid !== claim.metadata.uid || cur.metadata.annotations?.[ANN_SELECTED_NODE] !== nodeName) return;
    const { [ANN_SELECTED_NODE]: _handedBack, ...annotations } = cur.metadata.annotations;
    try {
      store.update({ ...cur, metadata: { ...cur.metadata, annotations } }, { resourceVersion: cur.metadata.resourceVersion });
    } catch (err) {
      // Changed meanwhile: the next pass sees it as it is now.
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      this.schedule();
    }
  }

  /** Writes spec/metadata and status where they differ from the store; removes an object whose last finalizer went. */
  private put(want: KubeObject & { status?: unknown }): void {
    const { store } = this.o;
    const ns = want.metadata.namespace ?? "";
    const name = want.metadata.name ?? "";
    let have = store.get<KubeObject & { status?: unknown }>(want.kind, ns, name);
    if (!have || have.metadata.uid !== want.metadata.uid) return;
    const main = (o: KubeObject & { status?: unknown }) => JSON.stringify({ ...o, status: undefined, metadata: { ...o.metadata, resourceVersion: undefined } });
    if (main(have) !== main(want)) have = store.update({ ...want, status: have.status }, { resourceVersion: want.metadata.resourceVersion });
    if (JSON.stringify(have.status ?? null) !== JSON.stringify(want.status ?? null)) {
      have = store.update({ ...have, status: want.status }, { subresource: "status", resourceVersion: have.metadata.resourceVersion });
    }
    if (have.metadata.deletionTimestamp && !(have.metadata.finalizers ?? []).length) store.delete(want.kind, ns, name, { uid: have.metadata.uid });
  }

  private event(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    const k = `${obj.metadata.uid}/${reason}/${message}`;
    const now = this.o.clock.now();
    const last = this.lastEvent.get(k);
    if (last !== undefined && now - last < this.resyncMs) return;
    this.lastEvent.set(k, now);
    if (this.lastEvent.size > 10_000) this.lastEvent.clear();
    this.o.events.record(obj, type, reason, message);
  }

  /** Runs host work for `key` once at a time; a failure keeps the key quiet until the next resync. */
  private background(key: string, fn: () => Promise<void>): void {
    this.busy.add(key);
    const p = fn()
      .catch((err: unknown) => {
        this.failedAt.set(key, this.o.clock.now());
        this.o.log?.(`pv controller: ${key}: ${String(err)}`);
      })
      .finally(() => {
        this.busy.delete(key);
        this.work.delete(p);
        this.schedule();
      });
    this.work.add(p);
  }

  private async provision(provisioner: VolumeProvisioner, claim: PersistentVolumeClaim, sc: StorageClass, volumeName: string): Promise<void> {
    const who = `${claim.metadata.namespace}/${claim.metadata.name}`;
    this.event(claim, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${who}"`);
    let path: string;
    try {
      ({ path } = await provisioner.provision(volumeName, requestBytes(claim), claim.spec.volumeMode ?? "Filesystem"));
    } catch (err) {
      this.event(claim, "Warning", "ProvisioningFailed", `failed to provision volume with StorageClass "${sc.metadata.name}": ${errorText(err)}`);
      // The scheduler chose this node and it has not the room: the claim goes back to the scheduler, which fails
      // the pod's binding ("provisioning failed for PVC") and tries again, maybe elsewhere. Not kept quiet here:
      // chosen again, this node tries again.
      if (this.role === "node" && sc.volumeBindingMode === "WaitForFirstConsumer" && err instanceof ResourceExhaustedError) return this.reschedule(claim);
      throw err;
    }
    const current = this.o.store.get<PersistentVolumeClaim>("PersistentVolumeClaim", claim.metadata.namespace ?? "", claim.metadata.name ?? "");
    if (!current || current.metadata.uid !== claim.metadata.uid || current.metadata.deletionTimestamp) {
      // The claim went while its storage was made: nobody will ever bind it.
      await provisioner.delete(volumeName);
      return;
    }
    this.o.store.create(provisionedVolume(current, sc, this.o.nodeName, volumeName, path));
    this.event(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${volumeName}`);
  }

  private async reclaim(provisioner: VolumeProvisioner, v: PersistentVolume): Promise<void> {
    const name = v.metadata.name!;
    try {
      await provisioner.delete(name);
    } catch (err) {
      this.event(v, "Warning", "VolumeFailedDelete", errorText(err));
      throw err;
    }
    const cur = this.o.store.get<PersistentVolume>("PersistentVolume", "", name);
    if (!cur || cur.metadata.uid !== v.metadata.uid) return;
    const released = { ...cur, metadata: { ...cur.metadata, finalizers: undefined } };
    this.o.store.update(released);
    this.o.store.delete("PersistentVolume", "", name, { uid: cur.metadata.uid });
  }

  /** A PersistentVolume object of ours is gone with its storage kept (Retain): unmount it, keep the image. */
  private volumeGone(v: PersistentVolume): void {
    const provisioner = this.o.provisioner;
    if (!provisioner || v.metadata.annotations?.[ANN_PROVISIONED_BY] !== provisioner.name || !volumeOnNode(v, this.o.nodeName)) return;
    const name = v.metadata.name!;
    if (this.busy.has(name)) return;
    this.background(name, () => provisioner.release(name));
  }

  private async expand(provisioner: VolumeProvisioner, claim: PersistentVolumeClaim, v: PersistentVolume, bytes: number, inUse: boolean): Promise<void> {
    const storage = claim.spec.resources?.requests?.["storage"] ?? "0";
    let done: boolean;
    try {
      done = await provisioner.expand(v.metadata.name!, bytes, inUse);
    } catch (err) {
      this.event(claim, "Warning", "VolumeResizeFailed", `resize volume "${v.metadata.name}" by resizer "${provisioner.name}" failed: ${errorText(err)}`);
      throw err;
    }
    const { store } = this.o;
    const pv = store.get<PersistentVolume>("PersistentVolume", "", v.metadata.name!);
    if (pv && pv.spec.capacity?.["storage"] !== storage) store.update({ ...pv, spec: { ...pv.spec, capacity: { ...pv.spec.capacity, storage } } });
    const cur = store.get<PersistentVolumeClaim>("PersistentVolumeClaim", claim.metadata.namespace ?? "", claim.metadata.name ?? "");
    if (!cur) return;
    const now = rfc3339(this.o.clock.now());
    const conditions = (cur.status?.conditions ?? []).filter((c) => !CLAIM_RESIZE_CONDITIONS.has(c.type));
    if (done) {
      store.update({ ...cur, status: { ...cur.status, capacity: { ...cur.status?.capacity, storage }, allocatedResources: { storage }, conditions: conditions.length ? conditions : undefined } }, { subresource: "status" });
      this.event(claim, "Normal", "FileSystemResizeSuccessful", `MountVolume.NodeExpandVolume succeeded for volume "${v.metadata.name}" ${this.o.nodeName}`);
      return;
    }
    const pending = cur.status?.conditions?.find((c) => c.type === "FileSystemResizePending");
    conditions.push(
      pending ?? {
        type: "FileSystemResizePending",
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: now,
        message: "Waiting for user to (re-)start a pod to finish file system resize of volume on node.",
      },
    );
    store.update({ ...cur, status: { ...cur.status, allocatedResources: { storage }, conditions } }, { subresource: "status" });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function usesClaims(p: Pod): boolean {
  return (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);
}
