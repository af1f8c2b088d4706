/**
 * The two kinds of error the API raises, each carrying enough to act on (the third, HostError, is sys/host-error.ts):
 * - FieldError: user input is wrong; names the field path and the reason (becomes 422 Invalid).
 * - ApiError: an API-level failure with a Kubernetes Status reason and HTTP code (NotFound, AlreadyExists, ...).
 */
import type { Status, StatusCause } from "./types.js";

/** One invalid field, reported the way the API server reports it: `spec.containers[0].image: Required value`. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    readonly reason: FieldErrorReason = "FieldValueInvalid",
  ) {
    super(`${field}: ${detail}`);
    this.name = "FieldError";
  }
}

export type FieldErrorReason =
  | "FieldValueInvalid"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueNotFound";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "Timeout"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable";

const CODES: Record<StatusReason, number> = {
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
  readonly code: number;
  /** A continue token the Status carries in metadata.continue (an expired list's inconsistent remainder). */
  listContinue?: string;
  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly details: { name?: string; kind?: string; group?: string; causes?: StatusCause[]; retryAfterSeconds?: number } = {},
    code?: number,
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code ?? CODES[reason];
  }

  static notFound(resource: string, name: string, group = ""): ApiError {
    const qualified = group ? `${resource}.${group}` : resource;
    return new ApiError("NotFound", `${qualified} "${name}" not found`, { name, kind: resource, group });
  }

  static alreadyExists(resource: string, name: string, group = ""): ApiError {
    const qualified = group ? `${resource}.${group}` : resource;
    return new ApiError("AlreadyExists", `${qualified} "${name}" already exists`, { name, kind: resource, group });
  }

  static conflict(resource: string, name: string, why: string): ApiError {
    return new ApiError(
      "Conflict",
      `Operation cannot be fulfilled on ${resource} "${name}": ${why}`,
      { name, kind: resource },
    );
  }

  /** NewForbidden: `RESOURCE[.GROUP] "NAME" is forbidden: WHY` (no name: without it). */
  static forbidden(resource: string, name: string, why: string, group = ""): ApiError {
    const qualified = group ? `${resource}.${group}` : resource;
    const head = name ? `${qualified} ${JSON.stringify(name)} is forbidden` : `${qualified} is forbidden`;
    return new ApiError("Forbidden", `${head}: ${why}`, { name: name || undefined, kind: resource, ...(group ? { group } : {}) });
  }

  static badRequest(message: string): ApiError {
    return new ApiError("BadRequest", message);
  }

  /** 422 Invalid with one cause per field error; kubectl prints `The Pod "x" is invalid:` and the causes. */
  static invalid(kind: string, name: string, errors: FieldError[]): ApiError {
    const causes = errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field }));
    const list = errors.map((e) => e.message).join(", ");
    const summary = errors.length === 1 ? list : `[${list}]`;
    return new ApiError("Invalid", `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes });
  }

  toStatus(): Status {
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
  readonly list: FieldError[] = [];
  add(field: string, detail: string, reason: FieldErrorReason = "FieldValueInvalid"): void {
    this.list.push(new FieldError(field, detail, reason));
  }
  required(field: string): void {
    this.add(field, "Required value", "FieldValueRequired");
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}
