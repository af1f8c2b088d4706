/** One invalid field, reported the way the API server reports it: `spec.containers[0].image: Required value`. */
export class FieldError extends Error {
    field;
    detail;
    reason;
    constructor(field, detail, reason = "FieldValueInvalid") {
        super(`${field}: ${detail}`);
        this.field = field;
        this.detail = detail;
        this.reason = reason;
        this.name = "FieldError";
    }
}
const CODES = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    MethodNotAllowed: 405,
    NotAcceptable: 406,
    AlreadyExists: 409,
    Conflict: 409,
    Gone: 410,
    Expired: 410,
    UnsupportedMediaType: 415,
    Invalid: 422,
    TooManyRequests: 429,
    InternalError: 500,
    ServiceUnavailable: 503,
    Timeout: 504,
};
/** An error the API returns as a metav1.Status. `resource` is the plural resource name ("pods"). */
export class ApiError extends Error {
    reason;
    details;
    code;
    /** A continue token the Status carries in metadata.continue (an expired list's inconsistent remainder). */
    listContinue;
    constructor(reason, message, details = {}, code) {
        super(message);
        this.reason = reason;
        this.details = details;
        this.name = "ApiError";
        this.code = code ?? CODES[reason];
    }
    static notFound(resource, name, group = "") {
        const qualified = group ? `${resource}.${group}` : resource;
        return new ApiError("NotFound", `${qualified} "${name}" not found`, { name, kind: resource, group });
    }
    static alreadyExists(resource, name, group = "") {
        const qualified = group ? `${resource}.${group}` : resource;
        return new ApiError("AlreadyExists", `${qualified} "${name}" already exists`, { name, kind: resource, group });
    }
    static conflict(resource, name, why) {
        return new ApiError("Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
    }
    static badRequest(message) {
        return new ApiError("BadRequest", message);
    }
    /** 422 Invalid with one cause per field error; kubectl prints `The Pod "x" is invalid:` and the causes. */
    static invalid(kind, name, errors) {
        const causes = errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field }));
        const list = errors.map((e) => e.message).join(", ");
        const summary = errors.length === 1 ? list : `[${list}]`;
        return new ApiError("Invalid", `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes });
    }
    toStatus() {
        return {
            kind: "Status",
            apiVersion: "v1",
            metadata: this.listContinue ? { continue: this.listContinue } : {},
            status: "Failure",
            message: this.message,
            reason: this.reason,
            details: Object.keys(this.details).length ? this.details : undefined,
            code: this.code,
        };
    }
}
/** Collects field errors during validation so all of them are reported at once, as the API server does. */
export class FieldErrors {
    list = [];
    add(field, detail, reason = "FieldValueInvalid") {
        this.list.push(new FieldError(field, detail, reason));
    }
    required(field) {
        this.add(field, "Required value", "FieldValueRequired");
    }
    get empty() {
        return this.list.length === 0;
    }
}
//# sourceMappingURL=errors.js.map