/**
 * VolumeBinding (plugins/volumebinding, v1.32) for the pod's PersistentVolumeClaims. PreFilter: a missing or
 * deleting claim, or an unbound claim whose class binds Immediately, keeps the pod off every node. Filter per node:
 * a bound claim's volume must exist and allow the node (node affinity, as `local` volumes have); an unbound
 * WaitForFirstConsumer claim needs an Available volume the node can use (the PV controller's FindMatchingVolume,
 * each volume chosen for one claim only), or a class with a provisioner to make one there (a claim already handed to
 * a node's provisioner by the selected-node annotation only fits that node). What the chosen node needs is kept for
 * PreBind: volumes to pre-bind (claimRef) and claims to annotate with the selected node.
 */
import { findMatchingVolume, requestBytes } from "../../api/pv-matching.js";
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE } from "../../api/storage-annotations.js";
import { volumeNodeAffinityMatches, type FilterStatus } from "../../api/scheduling.js";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/types.js";
import { statePreFilter, type CycleContext, type NodeInfo, type Plugin, type Rejection } from "../types.js";

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

/** The provisioner of classes whose volumes are made by hand (local volumes): nothing can be provisioned. */
export const NO_PROVISIONER = "kubernetes.io/no-provisioner";

/** What binding the pod to a node needs done to its claims first (PreBind). */
export interface PodVolumes {
  /** Available volumes chosen for unbound claims: their claimRef is set to the claim. */
  bind: { volume: PersistentVolume; claim: PersistentVolumeClaim }[];
  /** Claims whose volume the node's provisioner makes: annotated with the selected node. */
  provision: PersistentVolumeClaim[];
}

interface Claims {
  bound: PersistentVolumeClaim[];
  /** Unbound WaitForFirstConsumer claims, smallest request first (as findMatchingVolumes sorts them). */
  delayed: PersistentVolumeClaim[];
}

const STATE_KEY = "PreFilterVolumeBinding";
const nodeKey = (node: string) => `VolumeBinding/${node}`;

const unresolvable = (reason: string): FilterStatus => ({ plugin: "VolumeBinding", code: "UnschedulableAndUnresolvable", reasons: [reason] });
const refused = (reason: string): Rejection => ({ reject: unresolvable(reason) });

/** The claim names of the pod's volumes (an ephemeral volume's claim is `POD-VOLUME`). */
function claimNames(pod: Pod): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if ((v as { ephemeral?: unknown }).ephemeral) out.push({ name: `${pod.metadata.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

function preFilter(ctx: CycleContext): Claims | Rejection | undefined {
  const { pod, snapshot } = ctx;
  const names = claimNames(pod);
  if (names.length === 0) return undefined;
  const ns = pod.metadata.namespace ?? "default";
  const claims: Claims = { bound: [], delayed: [] };
  let immediateUnbound = false;
  for (const { name, ephemeral } of names) {
    const c = snapshot.volumes.claim(ns, name);
    if (!c) return refused(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
    if (c.metadata.deletionTimestamp) return refused(`persistentvolumeclaim "${name}" is being deleted`);
    if (c.spec.volumeName) {
      claims.bound.push(c);
      continue;
    }
    const cls = c.spec.storageClassName ? snapshot.volumes.storageClass(c.spec.storageClassName) : undefined;
    if (cls?.volumeBindingMode === "WaitForFirstConsumer") claims.delayed.push(c);
    else immediateUnbound = true;
  }
  if (immediateUnbound) return refused("pod has unbound immediate PersistentVolumeClaims");
  claims.delayed.sort((a, b) => requestBytes(a) - requestBytes(b));
  return claims;
}

function filter(ctx: CycleContext, { node }: NodeInfo): FilterStatus | undefined {
  const claims = ctx.state.read<Claims>(STATE_KEY);
  if (!claims) return undefined;
  const { volumes } = ctx.snapshot;
  for (const c of claims.bound) {
    const pv = volumes.volumes.find((v) => v.metadata.name === c.spec.volumeName);
    if (!pv) return unresolvable(ERR_REASON_PV_NOT_EXIST);
    if (!volumeNodeAffinityMatches(pv.spec.nodeAffinity, node)) return unresolvable(ERR_REASON_NODE_CONFLICT);
  }
  const chosen: PodVolumes = { bind: [], provision: [] };
  const taken = new Set<string>();
  for (const c of claims.delayed) {
    const selected = c.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected !== undefined) {
      if (selected !== node.metadata.name) return unresolvable(ERR_REASON_BIND_CONFLICT);
      chosen.provision.push(c);
      continue;
    }
    const pv = findMatchingVolume(c, volumes.volumes.filter((v) => !taken.has(v.metadata.name!)), false, node);
    if (pv) {
      taken.add(pv.metadata.name!);
      chosen.bind.push({ volume: pv, claim: c });
      continue;
    }
    const cls = volumes.storageClass(c.spec.storageClassName!);
    if (!cls || cls.provisioner === NO_PROVISIONER) return unresolvable(ERR_REASON_BIND_CONFLICT);
    chosen.provision.push(c);
  }
  ctx.state.write(nodeKey(node.metadata.name!), chosen);
  return undefined;
}

export const volumeBinding: Plugin = {
  name: "VolumeBinding",
  preFilter: statePreFilter(STATE_KEY, preFilter),
  filter,
};

/** What PreBind must do for the pod on `node` (after Filter passed there); empty for a pod without such claims. */
export function podVolumesOn(ctx: CycleContext, node: string): PodVolumes {
  return ctx.state.read<PodVolumes>(nodeKey(node)) ?? { bind: [], provision: [] };
}

/** Reads claims and volumes as the scheduler's cache last saw them. */
export interface VolumeLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
}

/** PreBind waits this long for the claims to be bound (VolumeBindingArgs bindTimeoutSeconds, 600 by default). */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

/** The error of a PreBind that timed out, as BindPodVolumes words it around its poll's context error. */
export const BIND_TIMEOUT_ERROR = "context deadline exceeded";

/** Whether the cache's copy `seen` is older than what PreBind wrote (`wrote`): it must catch up before it is judged. */
function olderThan(seen: string | undefined, wrote: string | undefined): boolean {
  if (!seen || !wrote || seen === wrote) return false;
  if (/^\d+$/.test(seen) && /^\d+$/.test(wrote)) return BigInt(seen) < BigInt(wrote);
  return false;
}

/** isPVCFullyBound: the PV controller finished binding it. */
const fullyBound = (c: PersistentVolumeClaim) => Boolean(c.spec.volumeName) && c.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;

const claimKey = (c: PersistentVolumeClaim) => `${c.metadata.namespace ?? "default"}/${c.metadata.name}`;
const notFound = (type: string, name: string) => `could not find ${type} "${name}"`;

/**
 * checkBindings (volumebinding/binder.go) over what PreBind wrote (`written`: the volumes with their claimRef, the
 * claims with the selected-node annotation, as the writes returned them): true once every claim is bound (to a
 * volume the node can use), false while the PV controller and the provisioner still work, or the error that ends the
 * wait. A provisioner that gives up removes the selected-node annotation: "provisioning failed for PVC".
 */
export function checkBindings(written: PodVolumes, node: Node, lookup: VolumeLookup): boolean | string {
  for (const { volume, claim } of written.bind) {
    const pv = lookup.volume(volume.metadata.name!);
    if (!pv) return `failed to check binding: ${notFound("v1.PersistentVolume", volume.metadata.name!)}`;
    const pvc = lookup.claim(claim.metadata.namespace ?? "default", claim.metadata.name!);
    if (!pvc) return `failed to check binding: ${notFound("v1.PersistentVolumeClaim", claimKey(claim))}`;
    if (olderThan(pv.metadata.resourceVersion, volume.metadata.resourceVersion)) return false;
    if (!volumeNodeAffinityMatches(pv.spec.nodeAffinity, node)) return `pv "${pv.metadata.name}" node affinity doesn't match node "${node.metadata.name}": no matching NodeSelectorTerms`;
    if (!pv.spec.claimRef?.uid) return `ClaimRef got reset for pv "${pv.metadata.name}"`;
    if (!fullyBound(pvc)) return false;
  }
  for (const claim of written.provision) {
    const pvc = lookup.claim(claim.metadata.namespace ?? "default", claim.metadata.name!);
    if (!pvc) return `failed to check provisioning pvc: ${notFound("v1.PersistentVolumeClaim", claimKey(claim))}`;
    if (olderThan(pvc.metadata.resourceVersion, claim.metadata.resourceVersion)) return false;
    if (!pvc.metadata.annotations) return `selectedNode annotation reset for PVC "${pvc.metadata.name}"`;
    if (pvc.metadata.annotations[ANN_SELECTED_NODE] !== node.metadata.name) return `provisioning failed for PVC "${pvc.metadata.name}"`;
    if (pvc.spec.volumeName) {
      // A volume not seen yet is seen later; one deleted unbinds the claim, which the next check sees.
      const pv = lookup.volume(pvc.spec.volumeName);
      if (!pv) return false;
      if (!volumeNodeAffinityMatches(pv.spec.nodeAffinity, node)) return `pv "${pv.metadata.name}" node affinity doesn't match node "${node.metadata.name}": no matching NodeSelectorTerms`;
    }
    if (!fullyBound(pvc)) return false;
  }
  return true;
}
