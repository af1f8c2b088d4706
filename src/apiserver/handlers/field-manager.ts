/**
 * Who a write is attributed to in managedFields (api/managed-fields.ts): the `fieldManager` query parameter, or
 * the User-Agent up to its first "/" (kube-apiserver's prefixFromUserAgent: printable characters, at most 128
 * bytes), so plain `kubectl scale` is "kubectl". The parameter is validated as upstream's ValidateFieldManager.
 */
import { FieldError, ApiError } from "../../api/errors.js";
import type { FieldManagerRequest } from "../../api/managed-fields.js";
import { apiVersionOf } from "../../api/resources.js";
import { rfc3339 } from "../../store/metadata.js";
import type { Call } from "./common.js";

const MAX_MANAGER_BYTES = 128;
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/** The options kind a request's query parameters are validated as (CreateOptions, UpdateOptions, PatchOptions). */
function optionsKind(call: Call): string {
  const verb = call.req.method === "POST" ? "Create" : call.req.method === "PUT" ? "Update" : "Patch";
  return `${verb}Options.meta.k8s.io`;
}

function invalidOption(call: Call, err: FieldError): ApiError {
  return ApiError.invalid(optionsKind(call), "", [err]);
}

/** The manager the request names, or the one its User-Agent implies; undefined when neither names one. */
export function requestedManager(call: Call): string | undefined {
  const given = call.query.get("fieldManager");
  if (given !== null && given !== "") {
    if (Buffer.byteLength(given) > MAX_MANAGER_BYTES) throw invalidOption(call, new FieldError("fieldManager", `Too long: may not be more than ${MAX_MANAGER_BYTES} bytes`, "FieldValueTooLong"));
    if (NON_PRINTABLE.test(given)) throw invalidOption(call, new FieldError("fieldManager", `Invalid value: ${JSON.stringify(given)}: must only contain printable characters`));
    return given;
  }
  return prefixFromUserAgent(call.req.headers["user-agent"] ?? "") || undefined;
}

/** The part of a User-Agent before its first "/", printable characters only, at most 128 bytes. */
export function prefixFromUserAgent(ua: string): string {
  let out = "";
  for (const ch of ua.split("/")[0]) {
    if (NON_PRINTABLE.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > MAX_MANAGER_BYTES) break;
    out += ch;
  }
  return out;
}

/** An apply must name its manager explicitly (ValidatePatchOptions); `force` is for applies only. */
export function checkApplyOptions(call: Call, isApply: boolean): void {
  const force = call.query.get("force");
  if (!isApply) {
    if (force !== null && force !== "false") throw invalidOption(call, new FieldError("force", "Forbidden: may not be specified for non-apply patch", "FieldValueForbidden"));
    return;
  }
  const manager = call.query.get("fieldManager");
  if (!manager) throw invalidOption(call, new FieldError("fieldManager", "Required value: is required for apply patch", "FieldValueRequired"));
}

/** The field manager request of a write: who, through which endpoint, in which group/version, when. */
export function fieldManagerRequest(call: Call): FieldManagerRequest {
  const sub = call.route.subresource;
  return {
    manager: requestedManager(call) ?? "",
    apiVersion: apiVersionOf(call.route.info),
    ...(sub === "status" || sub === "scale" ? { subresource: sub } : {}),
    hasStatus: call.route.info.subresources.includes("status"),
    now: rfc3339(new Date(call.ctx.now())),
  };
}
