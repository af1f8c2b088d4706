/**
 * NodeRestriction admission (auth/node/restriction.ts) as API hooks: every write a node makes to pods, its Node,
 * its Lease, PersistentVolumes and claims is checked after the Node authorizer (or RBAC) let it through; a refusal is a 403 worded as upstream's
 * admission.NewForbidden (`pods "x" is forbidden: node "a" can only …`). Always on, as kubeadm enables it.
 */
import { ApiError } from "../api/errors.js";
import { podReferences } from "../api/pod-references.js";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import {
  admitClaimStatus,
  admitClaimUpdate,
  admitLease,
  admitNodeCreate,
  admitNodeUpdate,
  admitPodCreate,
  admitPodDelete,
  admitPodEviction,
  admitPodUpdate,
  admitVolumeWrite,
  requestingNode,
} from "../auth/node/restriction.js";
import type { HookContext, Hooks } from "./hooks.js";

const RESOURCES: Record<string, [resource: string, group: string]> = {
  Pod: ["pods", ""],
  PersistentVolume: ["persistentvolumes", ""],
  PersistentVolumeClaim: ["persistentvolumeclaims", ""],
  Node: ["nodes", ""],
  Lease: ["leases", "coordination.k8s.io"],
};

function refuse(obj: KubeObject, ctx: HookContext, why: string | undefined): void {
  if (!why) return;
  const [resource, group] = RESOURCES[obj.kind];
  const sub = ctx.subresource ? `${resource}/${ctx.subresource}` : resource;
  throw ApiError.forbidden(sub === "pods/eviction" ? "pods" : resource, obj.metadata.name ?? "", why, group);
}

export function registerNodeRestriction(hooks: Hooks): void {
  const node = (ctx: HookContext) => requestingNode(ctx.user);
  hooks.registerCreateHook("Pod", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitPodCreate(n, obj as Pod));
  });
  hooks.registerUpdateHook("Pod", (obj, old, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitPodUpdate(n, old as Pod));
  });
  hooks.registerDeleteHook("Pod", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, ctx.subresource === "eviction" ? admitPodEviction(n, obj as Pod) : admitPodDelete(n, obj as Pod));
  });
  hooks.registerCreateHook("Node", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitNodeCreate(n, obj as Node));
  });
  hooks.registerUpdateHook("Node", (obj, old, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitNodeUpdate(n, obj as Node, old as Node));
  });
  hooks.registerCreateHook("Lease", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitLease(n, obj));
  });
  hooks.registerCreateHook("PersistentVolume", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitVolumeWrite(n, obj as PersistentVolume));
  });
  hooks.registerUpdateHook("PersistentVolume", (obj, old, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitVolumeWrite(n, obj as PersistentVolume, old as PersistentVolume));
  });
  hooks.registerDeleteHook("PersistentVolume", (obj, ctx) => {
    const n = node(ctx);
    if (n !== undefined) refuse(obj, ctx, admitVolumeWrite(n, obj as PersistentVolume));
  });
  hooks.registerUpdateHook("PersistentVolumeClaim", (obj, old, ctx) => {
    const n = node(ctx);
    if (n === undefined) return;
    const claim = old as PersistentVolumeClaim;
    if (ctx.subresource !== "status") return refuse(obj, ctx, admitClaimUpdate(n, obj as PersistentVolumeClaim, claim));
    const volume = claim.spec.volumeName ? ctx.store.get<PersistentVolume>("PersistentVolume", "", claim.spec.volumeName) : undefined;
    const ns = claim.metadata.namespace ?? "default";
    const podUses = () => ctx.store.list<Pod>("Pod", { namespace: ns, fieldSelector: `spec.nodeName=${n}` }).items.some((p) => podReferences(p).claims.has(claim.metadata.name ?? ""));
    refuse(obj, ctx, admitClaimStatus(n, volume, podUses));
  });
}
