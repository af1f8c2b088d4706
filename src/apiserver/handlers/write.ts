/**
 * The write paths shared by POST, PUT, PATCH and server-side apply: admission (api/admission.ts), the registered
 * hooks, then the store — or nothing, under dryRun=All. Also finishes deletions whose last finalizer was removed.
 */
import { admitCreate, admitUpdate } from "../../api/admission.js";
import { withEphemeralContainers } from "../../api/ephemeral-containers.js";
import { ApiError } from "../../api/errors.js";
import { managedFieldsAfterUpdate, type ManagedFieldsEntry } from "../../api/managed-fields.js";
import type { KubeObject } from "../../api/types.js";
import { cloneObject, generateName, newUid, rfc3339 } from "../../store/metadata.js";
import type { HookContext } from "../hooks.js";
import { addAuditAnnotation, addWarning } from "../request-notes.js";
import { requireWritableNamespace, storeNamespace, type Call } from "./common.js";
import { fieldManagerRequest } from "./field-manager.js";

/**
 * Admits and stores a new object; returns it as stored (or as it would be, under dryRun). Its managedFields are
 * `applied` (a server-side apply's) or an Update entry of the request's manager for every field it sets.
 */
export function admitAndCreate(call: Call, obj: KubeObject, dryRun: boolean, applied?: ManagedFieldsEntry[]): KubeObject {
  const { ctx, route } = call;
  const manager = fieldManagerRequest(call);
  if (obj.metadata.resourceVersion) throw ApiError.badRequest("resourceVersion should not be set on objects to be created");
  if (route.info.namespaced) requireWritableNamespace(call, storeNamespace(route));
  let admitted = admitCreate(obj, ctx.admission);
  admitted = ctx.hooks.runCreate(admitted, hookContext(call, dryRun));
  admitted.metadata.managedFields = applied ?? managedFieldsAfterUpdate(undefined, admitted, manager);
  if (!dryRun) return ctx.store.create(admitted, { uid: admitted.metadata.uid });
  const preview = cloneObject(admitted);
  const m = preview.metadata;
  if (!m.name && m.generateName) m.name = generateName(m.generateName);
  if (m.name && ctx.store.get(preview.kind, m.namespace ?? "", m.name)) {
    throw ApiError.alreadyExists(route.info.plural, m.name, route.info.group);
  }
  m.uid ||= newUid();
  m.creationTimestamp = rfc3339(new Date(ctx.now()));
  m.generation = 1;
  return preview;
}

/** What hooks see of a request: its user, and where its warnings and audit annotations go. */
export function hookContext(call: Call, dryRun: boolean): HookContext {
  return {
    store: call.ctx.store,
    nodeName: call.ctx.nodeName,
    user: call.user,
    dryRun,
    warn: (text) => addWarning(call.res, text),
    annotate: (key, value) => addAuditAnnotation(call.req, key, value),
    subresource: call.route.subresource,
  };
}

export interface UpdateRequest {
  /** Optimistic concurrency: the resourceVersion the client based its change on. */
  resourceVersion?: string;
  dryRun: boolean;
  /** A server-side apply's managedFields; otherwise the write is recorded as an Update of the request's manager. */
  managedFields?: ManagedFieldsEntry[];
}

/**
 * Admits and stores a replacement of `old`. On the status subresource only .status is taken from `next`, on
 * pods/ephemeralcontainers only .spec.ephemeralContainers; otherwise everything but .status. Deletion fields cannot be changed by writes (only DELETE sets them).
 */
export function admitAndUpdate(call: Call, next: KubeObject, old: KubeObject, req: UpdateRequest): KubeObject {
  const { ctx } = call;
  const manager = fieldManagerRequest(call);
  const sub = call.route.subresource;
  // /approval (CertificateSigningRequest) writes conditions: a status write as far as the store is concerned.
  const status = sub === "status" || sub === "approval";
  let candidate = status ? withStatus(old, next) : sub === "ephemeralcontainers" ? withEphemeralContainers(old, next) : withoutStatusChange(next, old);
  candidate = admitUpdate(candidate, old, status || sub === "ephemeralcontainers" ? { ...ctx.admission, subresource: sub, now: ctx.now() } : ctx.admission);
  candidate = ctx.hooks.runUpdate(candidate, old, hookContext(call, req.dryRun));
  candidate.metadata.managedFields = req.managedFields ?? managedFieldsAfterUpdate(old, candidate, manager);
  if (req.dryRun) return candidate;
  const stored = ctx.store.update(candidate, { resourceVersion: req.resourceVersion, subresource: status ? "status" : undefined });
  return finishIfFinalized(call, stored);
}

/** `old` with the status of `next`: what a write to the status subresource stores. */
export function withStatus(old: KubeObject, next: KubeObject): KubeObject {
  const out = cloneObject(old) as KubeObject & { status?: unknown };
  out.status = (next as KubeObject & { status?: unknown }).status;
  return out;
}

/** `next` with the status and deletion fields of `old`: what a write to the main resource stores. */
export function withoutStatusChange(next: KubeObject, old: KubeObject): KubeObject {
  const out = cloneObject(next) as KubeObject & { status?: unknown };
  out.status = (old as KubeObject & { status?: unknown }).status;
  const m = out.metadata;
  const o = old.metadata;
  m.deletionTimestamp = o.deletionTimestamp;
  m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  return out;
}

/**
 * An object waiting on finalizers with no grace period left goes away when its last finalizer is removed
 * (the generic registry's deleteWithoutFinalizers path).
 */
export function finishIfFinalized(call: Pick<Call, "ctx">, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  if (!m.deletionTimestamp || (m.finalizers?.length ?? 0) > 0 || (m.deletionGracePeriodSeconds ?? 0) > 0) return obj;
  try {
    call.ctx.store.delete(obj.kind, m.namespace ?? "", m.name ?? "", { uid: m.uid });
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
  }
  return obj;
}
