/**
 * The one error the registry client throws: it names the registry, the repository, the digest or tag concerned and
 * the cause, and carries a kind the puller can act on (an unauthorized pull is not retried like a reset connection).
 * No header, token or credential ever goes into a message.
 */

export type RegistryErrorKind =
  | "unauthorized" // 401: no or wrong credentials
  | "denied" // 403
  | "not-found" // 404: repository, tag, manifest or blob unknown
  | "digest-mismatch"
  | "unsupported" // media type, schema 1, platform missing from an index
  | "too-large"
  | "connection" // refused, reset, DNS, timeout
  | "tls"
  | "protocol"; // any other unexpected answer

export interface RegistryErrorContext {
  /** The registry as the reference names it ("docker.io"). */
  registry: string;
  repository: string;
  /** The tag or digest being fetched or pushed. */
  object?: string;
  /** The endpoint that answered ("http://127.0.0.1:5000"), when it is not the registry itself. */
  endpoint?: string;
}

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    readonly context: RegistryErrorContext,
    readonly detail: string,
    readonly status?: number,
  ) {
    const via = context.endpoint ? ` (via ${context.endpoint})` : "";
    const what = context.object ? ` ${context.object}` : "";
    super(`${context.registry}/${context.repository}${what}${via}: ${detail}`);
    this.name = "RegistryError";
  }
}

const STATUS_KIND: Record<number, RegistryErrorKind> = { 401: "unauthorized", 403: "denied", 404: "not-found" };
const STATUS_TEXT: Record<number, string> = { 401: "401 Unauthorized", 403: "403 Forbidden", 404: "404 Not Found", 429: "429 Too Many Requests" };

/**
 * The error for an HTTP status, with the registry's own error codes from the body when it sent JSON
 * (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`), bounded.
 */
export function statusError(status: number, body: Buffer, context: RegistryErrorContext, hint = ""): RegistryError {
  let codes = "";
  try {
    const doc = JSON.parse(body.subarray(0, 8192).toString("utf8")) as { errors?: { code?: unknown; message?: unknown }[] };
    codes = (doc.errors ?? [])
      .slice(0, 3)
      .map((e) => [e.code, e.message].filter((x) => typeof x === "string").join(": "))
      .filter(Boolean)
      .join("; ");
  } catch {
    // not JSON: the status says enough
  }
  const text = STATUS_TEXT[status] ?? `HTTP ${status}`;
  return new RegistryError(STATUS_KIND[status] ?? "protocol", context, `${text}${codes ? ` (${clip(codes)})` : ""}${hint}`, status);
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
