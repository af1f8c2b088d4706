/**
 * POST …/pods/NAME/eviction: the Eviction subresource (pkg/registry/core/pod/storage/eviction.go), which
 * `kubectl drain` uses. A pod that is finished, Pending or already terminating goes at once; otherwise the one
 * PodDisruptionBudget covering it must allow a disruption, which the eviction spends (recorded in the budget's
 * status.disruptedPods for the disruption controller), or the answer is 429 TooManyRequests "Cannot evict pod as it
 * would violate the pod's disruption budget."; more than one budget is a 500. The pod gets the DisruptionTarget
 * condition (EvictionByEvictionAPI), then is deleted with the Eviction's deleteOptions (grace period,
 * preconditions, dryRun). Answers 201 with a success Status.
 */
import { ApiError } from "../../api/errors.js";
import {
  budgetsForPod,
  canIgnoreBudget,
  checkAndDecrement,
  evictionCondition,
  shouldEnforceResourceVersion,
  stillProcessing,
  unhealthyMayGo,
} from "../../api/eviction.js";
import { isObject } from "../../api/json.js";
import type { Eviction, EvictionDeleteOptions, PodDisruptionBudget } from "../../api/policy-types.js";
import type { Pod, Status } from "../../api/types.js";
import { rfc3339 } from "../../store/metadata.js";
import { deleteOne, type DeleteRequest } from "../deletion.js";
import { sendObject } from "../http.js";
import { requestedManager } from "./field-manager.js";
import { LocalApi } from "../local-api.js";
import { decodeBody } from "./body.js";
import { isDryRun, loadObject, type Call } from "./common.js";
import { checkPreconditions } from "./delete.js";
import { hookContext } from "./write.js";

/** Conflicts while spending a budget are retried this often (EvictionsRetry: 5 steps). */
const RETRIES = 5;
const EVICTION_VERSIONS = new Set(["policy/v1", "policy/v1beta1"]);

export async function evictPod(call: Call): Promise<void> {
  if (call.req.method !== "POST") throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");
  const eviction = await readEviction(call);
  const opts = deleteRequestOf(call, eviction.deleteOptions);
  const pod = loadObject<Pod>(call);
  call.ctx.hooks.runDelete(pod, hookContext(call, opts.dryRun));
  // Checked before the budget is spent too (upstream spends it, then fails the delete), so a refused precondition costs nothing.
  checkPreconditions(call, pod, opts);
  const now = rfc3339(new Date(call.ctx.now()));
  if (canIgnoreBudget(pod)) {
    const enforce = shouldEnforceResourceVersion(pod) && !opts.preconditions.resourceVersion;
    deletePod(call, enforce ? withVersion(opts, pod) : opts, now);
    return success(call);
  }
  const budgets = budgetsForPod(pod, call.ctx.store.list<PodDisruptionBudget>("PodDisruptionBudget", { namespace: pod.metadata.namespace }).items);
  if (budgets.length > 1) {
    const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", code: 500 };
    return sendObject(call.res, 500, status);
  }
  let conditioned = false;
  if (budgets.length === 1) {
    if (unhealthyMayGo(pod, budgets[0])) conditioned = true;
    else spendBudget(call, budgets[0], pod.metadata.name ?? "", now, opts.dryRun);
  }
  try {
    deletePod(call, conditioned ? withVersion(opts, pod) : opts, now);
  } catch (err) {
    // The pod changed (became ready) after the decision not to spend the budget: the client tries again.
    if (err instanceof ApiError && err.code === 409 && conditioned && !opts.preconditions.resourceVersion) throw stillProcessing(budgets[0].metadata.name ?? "");
    throw err;
  }
  success(call);
}

/** The body: an Eviction naming the pod of the URL (or no name). */
async function readEviction(call: Call): Promise<Eviction> {
  const body = await decodeBody(call);
  if (!isObject(body)) throw ApiError.badRequest("the request body must be an Eviction object");
  const ev = body as unknown as Eviction;
  if (ev.kind !== undefined && ev.kind !== "Eviction") throw ApiError.badRequest(`the kind in the data (${String(ev.kind)}) does not match the expected kind (Eviction)`);
  if (ev.apiVersion !== undefined && !EVICTION_VERSIONS.has(ev.apiVersion)) {
    throw ApiError.badRequest(`the API version in the data (${String(ev.apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  const name = isObject(ev.metadata) ? ev.metadata.name : undefined;
  if (name && name !== call.route.name) throw ApiError.badRequest("name in URL does not match name in Eviction object");
  if (ev.deleteOptions !== undefined && ev.deleteOptions !== null && !isObject(ev.deleteOptions)) throw ApiError.badRequest("deleteOptions must be an object");
  return ev;
}

/** The Eviction's deleteOptions as a delete request; dryRun from the query counts too (propagateDryRun). */
function deleteRequestOf(call: Call, o: EvictionDeleteOptions | undefined): DeleteRequest {
  const grace = o?.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && (typeof grace !== "number" || !Number.isInteger(grace))) {
    throw ApiError.badRequest("deleteOptions.gracePeriodSeconds must be an integer");
  }
  const policy = o?.propagationPolicy;
  if (policy !== undefined && policy !== null && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw ApiError.badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const pre = isObject(o?.preconditions) ? o.preconditions : {};
  return {
    gracePeriodSeconds: grace ?? undefined,
    preconditions: { uid: pre.uid || undefined, resourceVersion: pre.resourceVersion || undefined },
    propagationPolicy: policy ?? undefined,
    dryRun: isDryRun(call.query, o?.dryRun),
  };
}

function withVersion(opts: DeleteRequest, pod: Pod): DeleteRequest {
  return { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion } };
}

/** Verifies and decrements the budget, re-reading it on conflicts; the write is skipped under dryRun. */
function spendBudget(call: Call, first: PodDisruptionBudget, podName: string, now: string, dryRun: boolean): void {
  const api = new LocalApi(call.ctx, requestedManager(call) ?? "");
  let pdb = first;
  for (let attempt = 1; ; attempt++) {
    const next = checkAndDecrement(pdb, podName, now);
    if (dryRun) return;
    try {
      api.updateStatus(next);
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      if (attempt >= RETRIES) throw new ApiError("Timeout", `couldn't update PodDisruptionBudget "${pdb.metadata.name ?? ""}" due to conflicts`, { retryAfterSeconds: 10 });
      const fresh = call.ctx.store.get<PodDisruptionBudget>("PodDisruptionBudget", pdb.metadata.namespace ?? "", pdb.metadata.name ?? "");
      if (!fresh) throw ApiError.notFound("poddisruptionbudgets", pdb.metadata.name ?? "", "policy");
      pdb = fresh;
    }
  }
}

/**
 * addConditionAndDeletePod: the DisruptionTarget condition on the latest pod (the preconditions checked against it,
 * a resourceVersion precondition moved to the version that write made), then the delete.
 */
function deletePod(call: Call, opts: DeleteRequest, now: string): void {
  let pod = loadObject<Pod>(call);
  checkPreconditions(call, pod, opts);
  if (!opts.dryRun) {
    const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget"), evictionCondition(now)];
    pod = new LocalApi(call.ctx, requestedManager(call) ?? "").updateStatus<Pod>({ ...pod, status: { ...pod.status, conditions } });
  }
  const rv = opts.preconditions.resourceVersion ? pod.metadata.resourceVersion : undefined;
  deleteOne(call.ctx, pod, { ...opts, preconditions: { ...opts.preconditions, resourceVersion: rv } });
}

function success(call: Call): void {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
  sendObject(call.res, 201, status);
}
