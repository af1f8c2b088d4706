/**
 * The self reviews, answered from the request's own user and never stored:
 * - SelfSubjectAccessReview (authorization.k8s.io/v1): may I do this? (`kubectl auth can-i VERB RESOURCE`)
 * - SelfSubjectRulesReview: what may I do in this namespace? (`kubectl auth can-i --list`)
 * - SelfSubjectReview (authentication.k8s.io/v1): who am I? (`kubectl auth whoami`)
 * Each answers 201 with the request object and its status filled, as the apiserver's REST storage for them does.
 */
import { ApiError } from "../../api/errors.js";
import { child, invalid } from "../../api/field.js";
import type { KubeObject } from "../../api/types.js";
import type { RequestAttributes } from "../../auth/attributes.js";
import { sendObject } from "../http.js";
import { asRouteObject, decodeBody } from "./body.js";
import type { Call } from "./common.js";

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

type Review = KubeObject & { spec?: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes; namespace?: string }; status?: unknown };

export const REVIEW_KINDS = new Set(["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectReview"]);

export async function serveReview(call: Call): Promise<void> {
  if (call.req.method !== "POST" || call.route.name !== undefined) {
    throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  const review = asRouteObject(call, await decodeBody(call)) as Review;
  review.metadata = { ...review.metadata, creationTimestamp: undefined };
  switch (call.route.info.kind) {
    case "SelfSubjectAccessReview":
      review.status = accessReview(call, review);
      break;
    case "SelfSubjectRulesReview":
      review.status = rulesReview(call, review);
      break;
    default: {
      const u = call.user;
      review.status = { userInfo: { username: u.name, uid: u.uid || undefined, groups: u.groups, extra: u.extra } };
    }
  }
  sendObject(call.res, 201, review);
}

function accessReview(call: Call, review: Review): { allowed: boolean; reason?: string; denied?: boolean } {
  const ra = review.spec?.resourceAttributes;
  const nra = review.spec?.nonResourceAttributes;
  if (!ra === !nra) {
    const e = invalid(child("spec", "resourceAttributes"), ra ?? null, "exactly one of nonResourceAttributes or resourceAttributes must be specified");
    throw ApiError.invalid("SelfSubjectAccessReview", "", [e]);
  }
  const base: RequestAttributes = {
    user: call.user, verb: "", isResourceRequest: false, path: "", apiGroup: "", apiVersion: "", namespace: "", resource: "", subresource: "", name: "",
  };
  const a: RequestAttributes = ra
    ? { ...base, isResourceRequest: true, verb: ra.verb ?? "", apiGroup: ra.group ?? "", apiVersion: ra.version ?? "", namespace: ra.namespace ?? "", resource: ra.resource ?? "", subresource: ra.subresource ?? "", name: ra.name ?? "" }
    : { ...base, verb: nra?.verb ?? "", path: nra?.path ?? "" };
  const d = call.ctx.authorizer.authorize(a);
  const status: { allowed: boolean; reason?: string } = { allowed: d.allowed };
  if (d.reason) status.reason = d.reason;
  return status;
}

function rulesReview(call: Call, review: Review): unknown {
  const ns = review.spec?.namespace;
  if (!ns) throw ApiError.badRequest("no namespace on request");
  return call.ctx.authorizer.rulesFor(call.user, ns);
}
