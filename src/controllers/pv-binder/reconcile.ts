/**
 * The PersistentVolume controller's decisions as one pure function (pkg/controller/volume/persistentvolume/
 * pv_controller.go syncVolume/syncClaim, the pvc/pv-protection controllers, and the DefaultStorageClass retroactive
 * assignment), over a snapshot of claims, volumes, classes and pods: what to write, which events to record, and
 * which host work (provision, reclaim, expand) the loop must do. The loop (controller.ts) applies the changes.
 *
 * The same decisions serve the three places the controller runs: the all-in-one daemon (binding and its own node's
 * provisioner in one), a control plane (binding only: `provisioner` "", so every provisioner is external, as
 * `nodelet.io/local` is to kube-controller-manager), and each node of a cluster (the local provisioner's half: host
 * work for volumes on that node only, claims taken by the selected-node annotation, as a provisioner deployed on
 * every node does; the loop applies no binding there).
 */
import { volumeNodeAffinityMatches } from "../../api/scheduling.js";
import { defaultClass, type StorageClass } from "../../api/storage-class.js";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/types.js";
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
  findMatchingVolume,
  isVolumeBoundToClaim,
  PV_PROTECTION,
  PVC_PROTECTION,
  requestBytes,
  storageBytes,
  volumeMismatch,
} from "../../api/pv-matching.js";

export interface BinderSnapshot {
  claims: readonly PersistentVolumeClaim[];
  volumes: readonly PersistentVolume[];
  classes: readonly StorageClass[];
  pods: readonly Pod[];
  /** The cluster's nodes (for the node affinity of volumes once a claim's node is chosen). */
  nodes: readonly Node[];
  /** The provisioner name this node serves ("nodelet.io/local"; "" in a control plane), and the node it runs on. */
  provisioner: string;
  nodeName: string;
  /**
   * Other nodes serve the same provisioner (a cluster): a claim that binds Immediately is first taken for one node
   * by its selected-node annotation (written compare-and-swap, so one node wins), as external-provisioner's node
   * deployment does; a claim taken by another node is not provisioned here.
   */
  sharedProvisioner?: boolean;
  /** Claim uids being provisioned and volume names being reclaimed or expanded: no new work for them. */
  busy: ReadonlySet<string>;
  /** RFC 3339, for lastPhaseTransitionTime. */
  now: string;
}

export type BinderChange =
  /** Write this object (the loop writes spec and status as they differ; no finalizers left while deleting = remove). */
  | { kind: "put"; object: PersistentVolume | PersistentVolumeClaim }
  | { kind: "event"; object: KubeObject; type: "Normal" | "Warning"; reason: string; message: string }
  /** Take the claim for this node: its selected-node annotation, written only if the claim is unchanged. */
  | { kind: "selectNode"; claim: PersistentVolumeClaim }
  /** Create storage for the claim and a PersistentVolume named `volumeName` pre-bound to it. */
  | { kind: "provision"; claim: PersistentVolumeClaim; storageClass: StorageClass; volumeName: string }
  /** Reclaim policy Delete: remove the volume's storage, then the object. */
  | { kind: "reclaim"; volume: PersistentVolume }
  /** Grow the volume to `bytes`; `inUse` when a pod still uses it (offline growth must wait). */
  | { kind: "expand"; claim: PersistentVolumeClaim; volume: PersistentVolume; bytes: number; inUse: boolean };

const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ""}/${name ?? ""}`;
const clone = <T>(o: T): T => structuredClone(o);

/** Pods that still use a claim: not in a terminal phase (pvc-protection's isPodUsingPVC). */
export function podsUsingClaim(pods: readonly Pod[], c: PersistentVolumeClaim): Pod[] {
  return pods.filter(
    (p) =>
      (p.metadata.namespace ?? "default") === (c.metadata.namespace ?? "default") &&
      p.status?.phase !== "Succeeded" &&
      p.status?.phase !== "Failed" &&
      (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === c.metadata.name),
  );
}

export function reconcile(s: BinderSnapshot): BinderChange[] {
  const out: BinderChange[] = [];
  const volumes = new Map(s.volumes.map((v) => [v.metadata.name ?? "", clone(v)]));
  const claims = new Map(s.claims.map((c) => [key(c.metadata.namespace, c.metadata.name), c]));
  for (const v of volumes.values()) syncVolume(v, claims, s, out);
  for (const c of s.claims) syncClaim(clone(c), volumes, s, out);
  for (const v of volumes.values()) {
    const before = s.volumes.find((o) => o.metadata.name === v.metadata.name);
    if (JSON.stringify(before) !== JSON.stringify(v)) out.unshift({ kind: "put", object: v });
  }
  return out;
}

function setPhase(v: PersistentVolume, phase: NonNullable<PersistentVolume["status"]>["phase"], now: string, message?: string): void {
  if (v.status?.phase === phase && v.status?.message === message) return;
  const changed = v.status?.phase !== phase;
  v.status = { ...v.status, phase, lastPhaseTransitionTime: changed ? now : v.status?.lastPhaseTransitionTime };
  if (message) v.status.message = message;
  else delete v.status.message;
}

function addFinalizer(o: KubeObject, f: string): void {
  if (o.metadata.deletionTimestamp || o.metadata.finalizers?.includes(f)) return;
  o.metadata.finalizers = [...(o.metadata.finalizers ?? []), f];
}

function removeFinalizer(o: KubeObject, f: string): void {
  o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((x) => x !== f);
}

/** syncVolume: phases from the claimRef, release and reclaim when the claim is gone, pv-protection. */
function syncVolume(v: PersistentVolume, claims: Map<string, PersistentVolumeClaim>, s: BinderSnapshot, out: BinderChange[]): void {
  addFinalizer(v, PV_PROTECTION);
  const ref = v.spec.claimRef;
  const claim = ref ? claims.get(key(ref.namespace, ref.name)) : undefined;
  if (!ref || !ref.uid) {
    // Unused, or pre-bound by the user to a claim that the claim pass will bind.
    if (v.status?.phase !== "Available") setPhase(v, "Available", s.now);
  } else if (!claim || claim.metadata.uid !== ref.uid) {
    release(v, s, out);
  } else if (claim.spec.volumeName === v.metadata.name) {
    setPhase(v, "Bound", s.now);
  } else if (claim.spec.volumeName) {
    // The claim went to another volume: a binding the controller made is undone (unbindVolume).
    if (v.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
      delete v.spec.claimRef;
      delete v.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
    } else v.spec.claimRef = { ...ref, uid: undefined };
    setPhase(v, "Available", s.now);
  }
  if (v.metadata.deletionTimestamp && v.status?.phase !== "Bound") removeFinalizer(v, PV_PROTECTION);
}

/** The claim is gone: Released, then the reclaim policy. Retain keeps the claimRef (with its uid) for the admin. */
function release(v: PersistentVolume, s: BinderSnapshot, out: BinderChange[]): void {
  if (v.status?.phase === "Failed") return;
  if (v.status?.phase !== "Released") setPhase(v, "Released", s.now);
  const policy = v.spec.persistentVolumeReclaimPolicy ?? "Retain";
  if (policy === "Retain") return;
  const name = v.metadata.name ?? "";
  const provisionedBy = v.metadata.annotations?.[ANN_PROVISIONED_BY];
  if (policy === "Delete" && provisionedBy === s.provisioner) {
    if (!s.busy.has(name) && volumeOnNode(v, s.nodeName)) out.push({ kind: "reclaim", volume: clone(v) });
    return;
  }
  // An external provisioner deletes what it made (findDeletablePlugin: no error for a provisioner outside kubernetes.io/).
  if (policy === "Delete" && provisionedBy && !provisionedBy.startsWith("kubernetes.io/")) return;
  const message =
    policy === "Delete"
      ? `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`
      : "No recycler plugin found for the volume!";
  setPhase(v, "Failed", s.now, message);
  out.push({ kind: "event", object: v, type: "Warning", reason: policy === "Delete" ? "VolumeFailedDelete" : "VolumeFailedRecycle", message });
}

function syncClaim(c: PersistentVolumeClaim, volumes: Map<string, PersistentVolume>, s: BinderSnapshot, out: BinderChange[]): void {
  const before = JSON.stringify(c);
  addFinalizer(c, PVC_PROTECTION);
  const users = podsUsingClaim(s.pods, c);
  if (c.metadata.deletionTimestamp && users.length === 0) removeFinalizer(c, PVC_PROTECTION);
  const def = defaultClass(s.classes);
  if (c.spec.storageClassName == null && claimClass(c) === "" && !c.spec.volumeName && def) c.spec.storageClassName = def.metadata.name;
  if (c.spec.volumeName) syncBoundClaim(c, volumes, s, users.length > 0, out);
  else if (!c.metadata.deletionTimestamp) syncUnboundClaim(c, volumes, s, users, out);
  if (JSON.stringify(c) !== before) out.unshift({ kind: "put", object: c });
}

function event(out: BinderChange[], object: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
  out.push({ kind: "event", object, type, reason, message });
}

function syncBoundClaim(c: PersistentVolumeClaim, volumes: Map<string, PersistentVolume>, s: BinderSnapshot, inUse: boolean, out: BinderChange[]): void {
  const name = c.spec.volumeName!;
  const v = volumes.get(name);
  if (!v) {
    if (c.status?.phase === "Bound") {
      c.status = { ...c.status, phase: "Lost" };
      event(out, c, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    return;
  }
  if (!v.spec.claimRef) {
    // Pre-bound by the claim (spec.volumeName): bind when the volume fits (checkVolumeSatisfyClaim).
    const why = volumeMismatch(c, v);
    if (why) event(out, c, "Warning", "VolumeMismatch", `Cannot bind to requested volume "${name}": ${why}`);
    else bind(v, c, true, false, s.now);
    return;
  }
  if (!isVolumeBoundToClaim(v, c)) {
    if (c.status?.phase !== "Bound") event(out, c, "Warning", "FailedBinding", `volume "${name}" already bound to a different claim.`);
    return;
  }
  bind(v, c, false, false, s.now);
  const want = requestBytes(c);
  // Growth waiting for its pods to go is tried again once they have gone (the pod watch brings us back).
  const waiting = inUse && c.status?.conditions?.some((k) => k.type === "FileSystemResizePending");
  const ours = v.metadata.annotations?.[ANN_PROVISIONED_BY] === s.provisioner && volumeOnNode(v, s.nodeName);
  if (want > storageBytes(c.status?.capacity?.["storage"]) && ours && !s.busy.has(name) && !waiting) {
    out.push({ kind: "expand", claim: c, volume: v, bytes: want, inUse });
  }
}

function syncUnboundClaim(c: PersistentVolumeClaim, volumes: Map<string, PersistentVolume>, s: BinderSnapshot, users: Pod[], out: BinderChange[]): void {
  const cls = claimClass(c);
  const sc = cls ? s.classes.find((k) => k.metadata.name === cls) : undefined;
  const delay = sc?.volumeBindingMode === "WaitForFirstConsumer";
  const node = c.metadata.annotations?.[ANN_SELECTED_NODE] ?? users.find((p) => p.spec.nodeName)?.spec.nodeName;
  // The scheduler's path (a node is chosen for a WaitForFirstConsumer claim) honours volumes' node affinity; a node
  // not registered yet has the label every kubelet registers with.
  const chosen = delay && node ? (s.nodes.find((n) => n.metadata.name === node) ?? hostnameNode(node)) : undefined;
  const match = findMatchingVolume(c, [...volumes.values()], delay && !node, chosen);
  if (match) {
    bind(match, c, !match.spec.claimRef, true, s.now);
    return;
  }
  if (c.status?.phase !== "Pending") c.status = { ...c.status, phase: "Pending" };
  if (delay && !node) return event(out, c, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
  if (!cls) return event(out, c, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
  if (!sc) return event(out, c, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${cls}" not found`);
  c.metadata.annotations = { ...c.metadata.annotations, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner };
  // The node the pod went to (the scheduler writes it first in a cluster; the all-in-one daemon binds at admission).
  if (delay) c.metadata.annotations[ANN_SELECTED_NODE] = node!;
  if (sc.provisioner !== s.provisioner) {
    const message = `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
    return event(out, c, "Normal", "ExternalProvisioning", message);
  }
  if (c.spec.selector) return event(out, c, "Warning", "ProvisioningFailed", "claim Selector is not supported");
  const busy = s.busy.has(c.metadata.uid ?? "");
  // A local volume is made on the node that will use it: another node's provisioner serves claims chosen for it.
  if (delay && node !== s.nodeName) return;
  if (!delay && s.sharedProvisioner) {
    const taken = c.metadata.annotations[ANN_SELECTED_NODE];
    if (taken === undefined && !busy) out.push({ kind: "selectNode", claim: c });
    if (taken !== s.nodeName) return;
  }
  if (!busy) out.push({ kind: "provision", claim: c, storageClass: sc, volumeName: `pvc-${c.metadata.uid}` });
}

/** A node not registered yet, as far as volumes go: the label every kubelet registers with. */
function hostnameNode(name: string): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name } } };
}

/** Whether the volume may be used on `node` (a provisioned local volume: made there). */
export function volumeOnNode(v: PersistentVolume, node: string): boolean {
  return volumeNodeAffinityMatches(v.spec.nodeAffinity, hostnameNode(node));
}

/** Binds both sides (bindVolumeToClaim + bindClaimToVolume) and sets their status. */
function bind(v: PersistentVolume, c: PersistentVolumeClaim, volumeByController: boolean, claimByController: boolean, now: string): void {
  v.spec.claimRef = {
    kind: "PersistentVolumeClaim",
    namespace: c.metadata.namespace,
    name: c.metadata.name,
    uid: c.metadata.uid,
    apiVersion: "v1",
    resourceVersion: v.spec.claimRef?.uid === c.metadata.uid ? v.spec.claimRef?.resourceVersion : c.metadata.resourceVersion,
  };
  if (volumeByController) v.metadata.annotations = { ...v.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: "yes" };
  setPhase(v, "Bound", now);
  c.spec.volumeName = v.metadata.name;
  const ann: Record<string, string> = { ...c.metadata.annotations, [ANN_BIND_COMPLETED]: "yes" };
  if (claimByController) ann[ANN_BOUND_BY_CONTROLLER] = "yes";
  c.metadata.annotations = ann;
  if (c.status?.phase !== "Bound") {
    c.status = { ...c.status, phase: "Bound", accessModes: v.spec.accessModes, capacity: v.spec.capacity };
  }
}

/** The PersistentVolume the local provisioner creates for a claim (pre-bound to it, as external-provisioner does). */
export function provisionedVolume(c: PersistentVolumeClaim, sc: StorageClass, node: string, volumeName: string, path: string): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: volumeName, annotations: { [ANN_PROVISIONED_BY]: sc.provisioner }, finalizers: [PV_PROTECTION] },
    spec: {
      accessModes: c.spec.accessModes,
      capacity: { storage: c.spec.resources?.requests?.["storage"] ?? "0" },
      claimRef: { kind: "PersistentVolumeClaim", namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid, apiVersion: "v1", resourceVersion: c.metadata.resourceVersion },
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata.name,
      volumeMode: c.spec.volumeMode ?? "Filesystem",
      ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      local: { path },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } },
    },
  };
}

