/** Error responses as ApiError: from the Status body when there is one, else from the HTTP code. */
import { ApiError, type StatusReason } from "../api/errors.js";
import type { Status } from "../api/types.js";

const REASONS: Record<number, StatusReason> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** The ApiError a failed response stands for: from its Status body, or from the HTTP code alone. */
export function errorFromResponse(code: number, body: Buffer): ApiError {
  const text = body.toString("utf8");
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === "Status") return errorFromStatus(parsed as Status, code);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(REASONS[code] ?? "InternalError", text.trim() || `the server responded with HTTP ${code}`, {}, code);
}

export function errorFromStatus(s: Status, fallbackCode: number): ApiError {
  const code = s.code || fallbackCode;
  const reason = (s.reason as StatusReason | undefined) ?? REASONS[code] ?? "InternalError";
  const { name, kind, group, causes } = s.details ?? {};
  const details: ConstructorParameters<typeof ApiError>[2] = {};
  if (name !== undefined) details.name = name;
  if (kind !== undefined) details.kind = kind;
  if (group !== undefined) details.group = group;
  if (causes !== undefined) details.causes = causes;
  return new ApiError(reason, s.message ?? `the server responded with HTTP ${code}`, details, code);
}
