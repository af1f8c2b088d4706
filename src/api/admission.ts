/**
 * Admission: what happens to an object between the request body and the store. Defaulting (as the API server's
 * defaulters do), then validation (as its validators do). Pure: no I/O, no clock but the one passed in.
 *
 * CONTRACT (implemented in this folder; the API server calls only these two functions):
 * - admitCreate(obj, ctx): returns the defaulted object; throws ApiError "Invalid" (422) carrying one FieldError per
 *   problem, or ApiError "BadRequest" when the object is not an object of a kind we serve.
 * - admitUpdate(obj, old, ctx): the same for a replacement of `old`, plus the update rules of the kind (a pod's spec
 *   is immutable except the fields Kubernetes allows to change).
 *
 * Steps, in the API server's order: kind and apiVersion checked against resources.ts; field types checked as Go's
 * JSON decoder would (400); a copy made (the input is never mutated); namespace set (namespaced kinds, "default"
 * when empty) or cleared (cluster-scoped kinds); a name generated from metadata.generateName; the kind's defaults;
 * create/update preparation; validation. Server-managed metadata (uid, resourceVersion, creationTimestamp) is the
 * API server's to set on create; on update the old uid, creationTimestamp, deletionTimestamp and generation are
 * carried over when the new object leaves them out.
 *
 * Status: for kinds with a status subresource, an update of the main resource keeps the old status, and an update
 * with `ctx.subresource === "status"` keeps the old spec, as the API server's status strategies do.
 */
import { randomUUID } from "node:crypto";
import { deploymentStrategy, replicaSetStrategy } from "./apps.js";
import { cronJobStrategy, jobStrategy } from "./batch.js";
import { certificateSigningRequestStrategy, prepareCsrSubresourceUpdate, type CertificateSigningRequest } from "./certificates.js";
import { podDisruptionBudgetStrategy } from "./policy.js";
import { horizontalPodAutoscalerStrategy } from "./autoscaling.js";
import { controllerRevisionStrategy, daemonSetStrategy, statefulSetStrategy } from "./apps-statefulset.js";
import { endpointSliceStrategy, endpointsStrategy } from "./endpoints.js";
import { ApiError } from "./errors.js";
import { eventStrategy } from "./events.js";
import { leaseStrategy } from "./lease.js";
import { clone, isObject } from "./json.js";
import { validateObjectMetaUpdate } from "./meta-validation.js";
import { configMapStrategy, namespaceStrategy, nodeStrategy, secretStrategy } from "./misc-kinds.js";
import { generateName } from "./names.js";
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from "./persistent-volume.js";
import { podStrategy } from "./pod-strategy.js";
import { priorityClassStrategy } from "./priority-class.js";
import { validatePodEphemeralContainersUpdate } from "./pod-update.js";
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from "./rbac.js";
import { serviceAccountStrategy } from "./service-account.js";
import { limitRangeStrategy, resourceQuotaStrategy } from "./quota.js";
import { apiVersionOf, resourceForKind, RESOURCES, type ResourceInfo } from "./resources.js";
import { serviceStrategy } from "./service.js";
import { storageClassStrategy } from "./storage-class.js";
import type { KindStrategy } from "./strategy.js";
import { assertDecodable, decodeNulls } from "./type-check.js";
import type { KubeObject, ObjectMeta, Pod } from "./types.js";
import { rfc3339 } from "./time.js";

export interface AdmissionContext {
  /** This node's name: pods are bound to it (spec.nodeName) on create. */
  nodeName: string;
  /** Random numbers in [0, 1) for names generated from generateName; Math.random when absent. */
  random?: () => number;
  /**
   * "status" when an update comes through the status subresource (only status and metadata may change);
   * "ephemeralcontainers" through pods/ephemeralcontainers (only spec.ephemeralContainers, added to).
   */
  subresource?: "status" | "ephemeralcontainers" | "approval";
  /** The time of the request (ms): condition timestamps a status write leaves out (CertificateSigningRequest). */
  now?: number;
}

const STRATEGIES: Readonly<Record<string, KindStrategy>> = {
  Pod: podStrategy,
  Service: serviceStrategy,
  Endpoints: endpointsStrategy,
  EndpointSlice: endpointSliceStrategy,
  Event: eventStrategy,
  ServiceAccount: serviceAccountStrategy,
  Role: roleStrategy,
  ClusterRole: clusterRoleStrategy,
  RoleBinding: roleBindingStrategy,
  ClusterRoleBinding: clusterRoleBindingStrategy,
  Node: nodeStrategy,
  Namespace: namespaceStrategy,
  PersistentVolume: persistentVolumeStrategy,
  PersistentVolumeClaim: persistentVolumeClaimStrategy,
  ConfigMap: configMapStrategy,
  Secret: secretStrategy,
  StorageClass: storageClassStrategy,
  PriorityClass: priorityClassStrategy,
  Deployment: deploymentStrategy,
  ReplicaSet: replicaSetStrategy,
  Lease: leaseStrategy,
  StatefulSet: statefulSetStrategy,
  ControllerRevision: controllerRevisionStrategy,
  DaemonSet: daemonSetStrategy,
  Job: jobStrategy,
  CronJob: cronJobStrategy,
  ResourceQuota: resourceQuotaStrategy,
  LimitRange: limitRangeStrategy,
  PodDisruptionBudget: podDisruptionBudgetStrategy,
  HorizontalPodAutoscaler: horizontalPodAutoscalerStrategy,
  CertificateSigningRequest: certificateSigningRequestStrategy,
};

/** The kinds admission accepts, as "Kind (apiVersion)" for messages. */
export function servedKinds(): string[] {
  return RESOURCES.filter((r) => STRATEGIES[r.kind]).map((r) => `${r.kind} (${apiVersionOf(r)})`);
}

/** The resource and strategy of a request body, or a 400 explaining why it is not an object we serve. */
function resolve(obj: unknown): { info: ResourceInfo; strategy: KindStrategy } {
  if (!isObject(obj)) throw ApiError.badRequest("the request body must be a JSON object");
  const { kind, apiVersion } = obj as { kind?: unknown; apiVersion?: unknown };
  if (typeof kind !== "string" || kind === "") throw ApiError.badRequest("Object 'Kind' is missing in the request body");
  if (typeof apiVersion !== "string" || apiVersion === "") {
    throw ApiError.badRequest("Object 'apiVersion' is missing in the request body");
  }
  const info = resourceForKind(kind);
  const strat = STRATEGIES[kind];
  if (!info || !strat) throw ApiError.badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const expected = apiVersionOf(info);
  if (apiVersion !== expected) {
    throw ApiError.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected})`);
  }
  assertDecodable(obj, kind, apiVersion);
  return { info, strategy: strat };
}

function metaOf(obj: KubeObject): ObjectMeta {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata;
}

function setNamespace(meta: ObjectMeta, info: ResourceInfo, fallback: string | undefined): void {
  if (!info.namespaced) delete meta.namespace;
  else if (!meta.namespace) meta.namespace = fallback || "default";
}

/** Throws the 422; an error found twice (the API server sometimes checks a field twice) is reported once. */
function fail(kind: string, obj: KubeObject, errs: ReturnType<KindStrategy["validateCreate"]>): never {
  const seen = new Set<string>();
  const unique = errs.filter((e) => !seen.has(e.message) && seen.add(e.message));
  throw ApiError.invalid(kind, obj.metadata?.name ?? "", unique);
}

/** Admits a new object: returns a defaulted copy, or throws ApiError BadRequest (400) / Invalid (422). */
export function admitCreate<T extends KubeObject>(obj: T, ctx: AdmissionContext): T {
  const { info, strategy } = resolve(obj);
  const out = clone(obj);
  decodeNulls(out, info.kind);
  const meta = metaOf(out);
  setNamespace(meta, info, undefined);
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName, ctx.random);
  // The uid is the API server's, set before the kind's preparation (FillObjectMetaSystemFields): a Job's generated
  // selector names it. The store keeps it (Store.create's `uid` option).
  meta.uid = randomUUID();
  strategy.defaults(out);
  strategy.prepareForCreate?.(out, ctx);
  const errs = strategy.validateCreate(out);
  if (errs.length) fail(info.kind, out, errs);
  return out;
}

/** Fields the client may leave out on update; the stored values stand (rest.BeforeUpdate). */
function carryOverMetadata(meta: ObjectMeta, old: ObjectMeta): void {
  if (!meta.uid && old.uid) meta.uid = old.uid;
  for (const f of ["creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] as const) {
    if (old[f] !== undefined) (meta as Record<string, unknown>)[f] = old[f];
  }
}

function keep(out: KubeObject, old: KubeObject, field: string): void {
  const o = old as unknown as Record<string, unknown>;
  const n = out as unknown as Record<string, unknown>;
  if (o[field] === undefined) delete n[field];
  else n[field] = clone(o[field]);
}

/** Admits a replacement of `old` (PUT, or the result of a PATCH): a defaulted copy, or ApiError 400 / 422. */
export function admitUpdate<T extends KubeObject>(obj: T, old: T, ctx: AdmissionContext): T {
  const { info, strategy } = resolve(obj);
  const out = clone(obj);
  decodeNulls(out, info.kind);
  const meta = metaOf(out);
  setNamespace(meta, info, old.metadata?.namespace);
  carryOverMetadata(meta, old.metadata ?? {});
  if (info.kind === "CertificateSigningRequest" && (ctx.subresource === "status" || ctx.subresource === "approval")) {
    const now = rfc3339(ctx.now ?? Date.now());
    const { csr, errors } = prepareCsrSubresourceUpdate(out as unknown as CertificateSigningRequest, old as unknown as CertificateSigningRequest, ctx.subresource, now);
    if (errors.length) fail(info.kind, csr, errors);
    return csr as unknown as T;
  }
  if (ctx.subresource === "approval") throw ApiError.badRequest(`${info.plural} have no approval subresource`);
  if (ctx.subresource === "status") {
    if (!strategy.hasStatus) throw ApiError.badRequest(`${info.plural} have no status subresource`);
    keep(out, old, "spec");
    if (info.kind === "Pod") meta.ownerReferences = clone(old.metadata?.ownerReferences);
    const errs = validateObjectMetaUpdate(out.metadata, old.metadata);
    if (errs.length) fail(info.kind, out, errs);
    return out;
  }
  strategy.defaults(out);
  if (strategy.hasStatus) keep(out, old, "status");
  if (ctx.subresource === "ephemeralcontainers") {
    if (info.kind !== "Pod") throw ApiError.badRequest(`${info.plural} have no ephemeralcontainers subresource`);
    const errs = validatePodEphemeralContainersUpdate(out as unknown as Pod, old as unknown as Pod);
    if (errs.length) fail(info.kind, out, errs);
    return out;
  }
  strategy.prepareForUpdate?.(out, old);
  const errs = strategy.validateUpdate(out, old);
  if (errs.length) fail(info.kind, out, errs);
  return out;
}
