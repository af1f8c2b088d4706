/**
 * Small HTTP helpers shared by the handlers: JSON responses, Status errors, request bodies. Every error leaves the
 * server as a metav1.Status with the matching code, as kubectl expects (it prints `Error from server (Reason): ...`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, FieldError } from "../api/errors.js";
import type { Status } from "../api/types.js";
import { PROTOBUF, negotiateObject } from "./negotiate.js";
import { encodeKubernetesProtobuf, protobufMessageOf } from "./protobuf/encode.js";

/** Writes `body` as JSON. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

/**
 * Writes an object, a List or a Status as its request's Accept header asks: protobuf when the client prefers it and
 * the kind has a protobuf form upstream, else JSON.
 */
export function sendObject(res: ServerResponse, code: number, body: object): void {
  const want = negotiateObject(res.req?.headers.accept, protobufMessageOf(body) !== undefined);
  const data = want.shape !== "table" && want.protobuf ? encodeKubernetesProtobuf(body as Record<string, unknown>) : undefined;
  if (!data) return sendJson(res, code, body);
  sendProtobuf(res, code, data);
}

export function sendProtobuf(res: ServerResponse, code: number, data: Buffer): void {
  res.writeHead(code, { "Content-Type": PROTOBUF, "Content-Length": data.length });
  res.end(data);
}

/** Turns anything thrown into an ApiError: FieldErrors become 422 Invalid, the rest 500 InternalError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof FieldError) return ApiError.invalid("", "", [err]);
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError("InternalError", `Internal error occurred: ${message}`);
}

/** Sends an error as a Status, or just ends the response when headers are already out (a broken stream). */
export function sendError(res: ServerResponse, err: unknown): void {
  const status = toApiError(err).toStatus();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // As upstream's responsewriters: a Status with retryAfterSeconds also says so in the header clients honour.
  const retry = status.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) res.setHeader("Retry-After", String(retry));
  sendObject(res, status.code, status);
}

/** A success Status, as upstream returns for deletes that leave nothing to show. */
export function successStatus(details: Status["details"]): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details, code: 200 };
}

const MAX_BODY = 3 * 1024 * 1024; // upstream's default request size limit

/** The body each request's handler read, for the audit log (Request level and above). */
const bodies = new WeakMap<IncomingMessage, Buffer>();

export function bodyOf(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}

/** Reads the whole request body. Throws ApiError 413-ish BadRequest when it is larger than upstream accepts. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError("BadRequest", "the request body is too large", {}, 413);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  bodies.set(req, body);
  return body;
}

/** Parses a JSON body; a syntax error is a 400 that says where. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") throw ApiError.badRequest("the request body is empty");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw ApiError.badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The media type without parameters, lower case: `application/json`. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

export { queryBool } from "../api/query.js";

/** A non-negative integer query parameter, or undefined; anything else is a 400. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw ApiError.badRequest(`invalid value for ${name}: "${v}" is not an integer`);
  return Number(v);
}
