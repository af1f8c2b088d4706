/**
 * The one error the registry client throws: it names the registry, the repository, the digest or tag concerned and
 * the cause, and carries a kind the puller can act on (an unauthorized pull is not retried like a reset connection).
 * No header, token or credential ever goes into a message.
 */
export class RegistryError extends Error {
    kind;
    context;
    detail;
    status;
    constructor(kind, context, detail, status) {
        const via = context.endpoint ? ` (via ${context.endpoint})` : "";
        const what = context.object ? ` ${context.object}` : "";
        super(`${context.registry}/${context.repository}${what}${via}: ${detail}`);
        this.kind = kind;
        this.context = context;
        this.detail = detail;
        this.status = status;
        this.name = "RegistryError";
    }
}
const STATUS_KIND = { 401: "unauthorized", 403: "denied", 404: "not-found" };
const STATUS_TEXT = { 401: "401 Unauthorized", 403: "403 Forbidden", 404: "404 Not Found", 429: "429 Too Many Requests" };
/**
 * The error for an HTTP status, with the registry's own error codes from the body when it sent JSON
 * (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`), bounded.
 */
export function statusError(status, body, context, hint = "") {
    let codes = "";
    try {
        const doc = JSON.parse(body.subarray(0, 8192).toString("utf8"));
        codes = (doc.errors ?? [])
            .slice(0, 3)
            .map((e) => [e.code, e.message].filter((x) => typeof x === "string").join(": "))
            .filter(Boolean)
            .join("; ");
    }
    catch {
        // not JSON: the status says enough
    }
    const text = STATUS_TEXT[status] ?? `HTTP ${status}`;
    return new RegistryError(STATUS_KIND[status] ?? "protocol", context, `${text}${codes ? ` (${clip(codes)})` : ""}${hint}`, status);
}
function clip(s) {
    return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
//# sourceMappingURL=errors.js.map