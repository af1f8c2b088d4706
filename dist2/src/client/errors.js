/** Error responses as ApiError: from the Status body when there is one, else from the HTTP code. */
import { ApiError } from "../api/errors.js";
const REASONS = {
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
export function errorFromResponse(code, body) {
    const text = body.toString("utf8");
    try {
        const parsed = JSON.parse(text);
        if (parsed && parsed.kind === "Status")
            return errorFromStatus(parsed, code);
    }
    catch {
        // not JSON: fall through
    }
    return new ApiError(REASONS[code] ?? "InternalError", text.trim() || `the server responded with HTTP ${code}`, {}, code);
}
export function errorFromStatus(s, fallbackCode) {
    const code = s.code || fallbackCode;
    const reason = s.reason ?? REASONS[code] ?? "InternalError";
    const { name, kind, group, causes } = s.details ?? {};
    const details = {};
    if (name !== undefined)
        details.name = name;
    if (kind !== undefined)
        details.kind = kind;
    if (group !== undefined)
        details.group = group;
    if (causes !== undefined)
        details.causes = causes;
    return new ApiError(reason, s.message ?? `the server responded with HTTP ${code}`, details, code);
}
//# sourceMappingURL=errors.js.map