/**
 * POST …/serviceaccounts/NAME/token: the TokenRequest API (`kubectl create token NAME [--audience A] [--duration D]
 * [--bound-object-kind Pod --bound-object-name P]`). Answers 201 with the TokenRequest and its status {token,
 * expirationTimestamp}; the token is never stored. Audiences default to the API's, the lifetime to 1 h.
 */
import { ApiError } from "../../api/errors.js";
import { isObject } from "../../api/json.js";
import { DEFAULT_TOKEN_SECONDS, validateTokenRequest, type ServiceAccount, type TokenRequest } from "../../api/service-account.js";
import type { Pod } from "../../api/types.js";
import { sendObject } from "../http.js";
import { decodeBody } from "./body.js";
import { loadObject, type Call } from "./common.js";
import { rfc3339 } from "../../api/time.js";

export async function requestToken(call: Call): Promise<void> {
  if (call.req.method !== "POST") throw new ApiError("MethodNotAllowed", "the server does not allow this method on the requested resource");
  const body = await decodeBody(call);
  if (!isObject(body)) throw ApiError.badRequest("the request body must be a TokenRequest object");
  const tr = body as unknown as TokenRequest;
  if (tr.kind !== undefined && tr.kind !== "TokenRequest") throw ApiError.badRequest(`the kind in the data (${tr.kind}) does not match the expected kind (TokenRequest)`);
  tr.kind = "TokenRequest";
  tr.apiVersion = "authentication.k8s.io/v1";
  tr.spec = isObject(tr.spec) ? tr.spec : {};
  const errs = validateTokenRequest(tr);
  if (errs.length) throw ApiError.invalid("TokenRequest", call.route.name ?? "", errs);
  const sa = loadObject<ServiceAccount>(call);
  const pod = boundPod(call, tr, sa);
  const secs = tr.spec.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
  const issued = call.ctx.tokens.issue({ serviceAccount: sa, audiences: tr.spec.audiences, expirationSeconds: secs, pod });
  const ns = sa.metadata.namespace;
  tr.metadata = { name: sa.metadata.name, namespace: ns, creationTimestamp: rfc3339(call.ctx.now()) };
  tr.spec = { ...tr.spec, audiences: tr.spec.audiences?.length ? tr.spec.audiences : call.ctx.tokens.audiences, expirationSeconds: secs };
  tr.status = issued;
  sendObject(call.res, 201, tr);
}

/** The pod a token is bound to: it must exist, have the uid given, and run as this service account. */
function boundPod(call: Call, tr: TokenRequest, sa: ServiceAccount): Pod | undefined {
  const ref = tr.spec.boundObjectRef;
  if (!ref) return undefined;
  const saName = sa.metadata.name ?? "";
  if (ref.kind !== "Pod") throw ApiError.badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${ref.kind}: nodelet binds tokens to pods only`);
  const pod = call.ctx.store.get<Pod>("Pod", sa.metadata.namespace ?? "", ref.name ?? "");
  if (!pod) throw ApiError.notFound("pods", ref.name ?? "");
  if (ref.uid && ref.uid !== pod.metadata.uid) {
    throw ApiError.conflict("pods", ref.name ?? "", `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if ((pod.spec.serviceAccountName ?? "default") !== saName) {
    throw ApiError.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  return pod;
}
