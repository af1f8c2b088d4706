/**
 * Pushing an image (distribution-spec "Push"): for each blob, `HEAD` to skip what the registry has; a cross-repository
 * mount (`POST …/uploads/?mount=DIGEST&from=REPO`) when the source names repositories that may hold it; else an
 * upload session (`POST …/uploads/` → 202 Location). A blob up to one chunk goes in one `PUT Location?digest=…` with
 * the bytes streamed; a larger one in chunks (`PATCH Location` with `Content-Range`, each answered 202 with the next
 * Location and the `Range` received, then `PUT Location?digest=…` without a body → 201), so that a dropped connection
 * costs one chunk: the upload's status (`GET Location`) says where to go on, and a registry that dropped the session
 * (distribution cancels one resumed at a stale offset) gets the blob again in a new one. Then the manifests, children
 * before the index that lists them, the last one under the reference's tag (or digest). Only the registry itself is
 * written to, never a mirror; an upload Location on another host is refused (the registry's credentials would follow
 * it).
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { manifestSelector, validateDigest, type ImageReference } from "../reference.js";
import type { Call } from "./call.js";
import type { Credentials } from "./credentials.js";
import { RegistryError, statusError, type RegistryErrorContext } from "./errors.js";
import type { Endpoint } from "./hosts.js";
import { discard, readBody, type HttpResponse } from "./transport.js";

/** What to push: the image's manifests and blobs, read from wherever the node keeps them. */
export interface PushSource {
  /** Manifests to put, children before the index that lists them; the last is put under the reference. */
  manifests: { mediaType: string; bytes: Buffer }[];
  /** Every blob the manifests name (configs and layers), each once. */
  blobs: { digest: string; size: number }[];
  openBlob(digest: string): Promise<Readable>;
  /** Repositories on the same registry that may hold the blobs already (tried as mounts). */
  mountFrom?: string[];
}

export interface PushResult {
  /** Digest of the last manifest put. */
  digest: string;
  uploaded: number;
  existing: number;
  mounted: number;
}

/** What push needs of the client: one authenticated request. */
interface Caller {
  call(c: Call): Promise<HttpResponse>;
  context(ep: Endpoint, ref: ImageReference, object?: string): RegistryErrorContext;
}

export interface PushOptions {
  /** Blobs larger than this go in chunks of this size (bytes), each held in memory while it is sent. */
  chunkBytes: number;
  /** Times one chunk is sent again after a dropped connection, and one blob's upload started again. */
  retries: number;
}

export const DEFAULT_PUSH_OPTIONS: PushOptions = { chunkBytes: 8 << 20, retries: 3 };
/** A registry's OCI-Chunk-Min-Length above this is not honoured: the blob goes in one PUT instead. */
const MAX_CHUNK_BYTES = 64 << 20;

export async function pushImage(client: Caller, ep: Endpoint, ref: ImageReference, source: PushSource, creds: Credentials[], opts: PushOptions = DEFAULT_PUSH_OPTIONS): Promise<PushResult> {
  if (source.manifests.length === 0) throw new RegistryError("protocol", client.context(ep, ref), "nothing to push: the image has no manifest");
  const scopes = [`repository:${ref.repository}:pull,push`, ...(source.mountFrom ?? []).map((r) => `repository:${r}:pull`)];
  const base = `${ep.url}/v2/${ref.repository}`;
  const result: PushResult = { digest: "", uploaded: 0, existing: 0, mounted: 0 };
  const call = (object: string, req: Call["req"]): Promise<HttpResponse> => client.call({ ep, ctx: client.context(ep, ref, object), scopes, creds, req });

  for (const blob of source.blobs) {
    validateDigest(blob.digest);
    const ctx = client.context(ep, ref, blob.digest);
    const head = await call(blob.digest, { method: "HEAD", url: `${base}/blobs/${blob.digest}`, followRedirects: true });
    discard(head);
    if (head.status === 200) {
      result.existing++;
      continue;
    }
    if (head.status !== 404) throw statusError(head.status, Buffer.alloc(0), ctx, " checking whether the blob exists");
    let location: string | undefined;
    const from = (source.mountFrom ?? []).find((r) => r !== ref.repository);
    if (from !== undefined) {
      const res = await call(blob.digest, { method: "POST", url: `${base}/blobs/uploads/?mount=${blob.digest}&from=${encodeURIComponent(from)}`, body: Buffer.alloc(0) });
      const body = await readBody(res, 64 << 10, "the mount answer").catch(() => Buffer.alloc(0));
      if (res.status === 201) {
        result.mounted++;
        continue;
      }
      if (res.status !== 202) throw statusError(res.status, body, ctx, ` mounting the blob from ${from}`);
      location = uploadLocation(res, ep, ctx); // not mountable: the registry opened an ordinary upload instead
    }
    const start = async (): Promise<Session> => {
      const res = await call(blob.digest, { method: "POST", url: `${base}/blobs/uploads/`, body: Buffer.alloc(0) });
      const body = await readBody(res, 64 << 10, "the upload answer").catch(() => Buffer.alloc(0));
      if (res.status !== 202) throw statusError(res.status, body, ctx, " starting an upload");
      return { location: uploadLocation(res, ep, ctx), minChunk: minChunk(res) };
    };
    const session = location !== undefined ? { location, minChunk: 0 } : await start();
    const chunk = Math.max(opts.chunkBytes, session.minChunk);
    const upload: Upload = { call: (req) => call(blob.digest, req), ep, ctx, blob, source, retries: opts.retries };
    if (blob.size <= chunk || chunk > MAX_CHUNK_BYTES) await uploadWhole(upload, session.location);
    else await uploadChunked(upload, session.location, chunk, start);
    result.uploaded++;
  }

  for (const [i, m] of source.manifests.entries()) {
    const digest = `sha256:${createHash("sha256").update(m.bytes).digest("hex")}`;
    const last = i === source.manifests.length - 1;
    const target = last ? manifestSelector(ref) : digest;
    if (last && ref.digest && ref.digest !== digest) {
      throw new RegistryError("digest-mismatch", client.context(ep, ref, target), `the image's manifest is ${digest}, not the digest the reference names`);
    }
    const res = await call(target, { method: "PUT", url: `${base}/manifests/${target}`, headers: { "content-type": m.mediaType }, body: m.bytes });
    const body = await readBody(res, 64 << 10, "the manifest answer").catch(() => Buffer.alloc(0));
    if (res.status !== 201) throw statusError(res.status, body, client.context(ep, ref, target), " putting the manifest");
    const echoed = res.headers["docker-content-digest"];
    if (typeof echoed === "string" && echoed !== digest) {
      throw new RegistryError("digest-mismatch", client.context(ep, ref, target), `the registry stored the manifest as ${echoed.slice(0, 80)}, not ${digest}`);
    }
    result.digest = digest;
  }
  return result;
}

interface Session {
  location: string;
  /** The registry's OCI-Chunk-Min-Length, or 0. */
  minChunk: number;
}

interface Upload {
  call(req: Call["req"]): Promise<HttpResponse>;
  ep: Endpoint;
  ctx: RegistryErrorContext;
  blob: { digest: string; size: number };
  source: PushSource;
  retries: number;
}

/** The registry no longer has the upload session (unknown, or cancelled by a resume it found invalid). */
class SessionLost extends Error {}

/** One `PUT Location?digest=…` with the whole blob streamed. */
async function uploadWhole(u: Upload, location: string): Promise<void> {
  const stream = await u.source.openBlob(u.blob.digest);
  const put = await u.call({
    method: "PUT",
    url: withDigest(location, u.blob.digest),
    headers: { "content-type": "application/octet-stream", "content-length": String(u.blob.size) },
    body: stream,
  });
  const body = await readBody(put, 64 << 10, "the upload answer").catch(() => Buffer.alloc(0));
  if (put.status !== 201) throw statusError(put.status, body, u.ctx, " uploading the blob");
}

/** The blob in `PATCH`es of `chunk` bytes then a closing `PUT`; the whole blob again in a new session if one is lost. */
async function uploadChunked(u: Upload, location: string, chunk: number, start: () => Promise<Session>): Promise<void> {
  for (let session = 0; ; session++) {
    try {
      const last = await sendChunks(u, location, chunk);
      const put = await u.call({ method: "PUT", url: withDigest(last, u.blob.digest), headers: { "content-type": "application/octet-stream" }, body: Buffer.alloc(0) });
      const body = await readBody(put, 64 << 10, "the upload answer").catch(() => Buffer.alloc(0));
      if (put.status !== 201) throw statusError(put.status, body, u.ctx, " completing the chunked upload");
      return;
    } catch (err) {
      if (!(err instanceof SessionLost) || session >= u.retries) throw err instanceof SessionLost ? new RegistryError("connection", u.ctx, err.message) : err;
      location = (await start()).location;
    }
  }
}

/** Sends the blob's bytes in order; returns the Location for the closing PUT. */
async function sendChunks(u: Upload, location: string, chunk: number): Promise<string> {
  const stream = await u.source.openBlob(u.blob.digest);
  let offset = 0;
  try {
    for await (const bytes of chunksOf(stream, chunk)) {
      if (offset + bytes.length > u.blob.size) throw new RegistryError("protocol", u.ctx, `the blob's source holds more than the ${u.blob.size} bytes its descriptor says`);
      location = await sendChunk(u, location, bytes, offset);
      offset += bytes.length;
    }
  } finally {
    stream.destroy();
  }
  if (offset !== u.blob.size) throw new RegistryError("protocol", u.ctx, `the blob's source holds ${offset} bytes, its descriptor says ${u.blob.size}`);
  return location;
}

/**
 * One chunk at `offset`; after a dropped connection the upload's status says how much arrived, and the rest of the
 * chunk is sent again from there. Returns the next Location.
 */
async function sendChunk(u: Upload, location: string, bytes: Buffer, offset: number): Promise<string> {
  const end = offset + bytes.length;
  let have = offset;
  for (let attempt = 0; ; attempt++) {
    const res = await u
      .call({
        method: "PATCH",
        url: location,
        headers: { "content-type": "application/octet-stream", "content-range": `${have}-${end - 1}` },
        body: bytes.subarray(have - offset),
      })
      .catch((err: unknown) => err as Error);
    if (!(res instanceof Error)) {
      const body = await readBody(res, 64 << 10, "the chunk answer").catch(() => Buffer.alloc(0));
      if (res.status === 404) throw new SessionLost(`the registry lost the upload at byte ${have}: ${statusError(res.status, body, u.ctx).detail}`);
      if (res.status !== 202) throw statusError(res.status, body, u.ctx, ` uploading bytes ${have}-${end - 1}`);
      const received = receivedBytes(res);
      if (received !== end) throw new RegistryError("protocol", u.ctx, `the registry has ${received ?? "an unknown number of"} bytes of the upload after bytes ${have}-${end - 1}, not ${end}`);
      return uploadLocation(res, u.ep, u.ctx);
    }
    if (!(res instanceof RegistryError && res.kind === "connection") || attempt >= u.retries) throw res;
    // Where the upload stands: distribution answers an upload resumed at a stale offset by cancelling it.
    const status = await u.call({ method: "GET", url: location }).catch((err: unknown) => {
      if (err instanceof RegistryError && err.kind === "connection") throw new SessionLost(`the upload's status could not be read after a dropped connection: ${err.detail}`);
      throw err;
    });
    const body = await readBody(status, 64 << 10, "the upload status").catch(() => Buffer.alloc(0));
    if (status.status !== 204 && status.status !== 200) throw new SessionLost(`the upload was lost after a dropped connection (${statusError(status.status, body, u.ctx).detail})`);
    const received = receivedBytes(status);
    if (received === undefined || received < offset || received > end) {
      throw new SessionLost(`the upload's status after a dropped connection is "${String(status.headers.range ?? "").slice(0, 40)}", not within bytes ${offset}-${end}`);
    }
    location = uploadLocation(status, u.ep, u.ctx);
    if (received === end) return location; // all of it arrived; only the answer was lost
    have = received;
  }
}

/**
 * Bytes the registry holds, from a `Range: 0-LAST` answer (LAST inclusive). "0-0" is undefined: distribution sends it
 * for no byte and for one byte alike, so a session in that state is started again rather than guessed at.
 */
function receivedBytes(res: HttpResponse): number | undefined {
  const m = /^(?:bytes=)?0-(\d{1,15})$/.exec(String(res.headers.range ?? ""));
  if (!m || m[1] === "0") return undefined;
  return Number(m[1]) + 1;
}

function minChunk(res: HttpResponse): number {
  const v = Number(res.headers["oci-chunk-min-length"]);
  return Number.isSafeInteger(v) && v > 0 ? v : 0;
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.append("digest", digest);
  return url.toString();
}

/** A stream cut into buffers of exactly `size` bytes (the last one shorter). */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const data of stream as AsyncIterable<Buffer>) {
    let rest = data;
    while (have + rest.length >= size) {
      parts.push(rest.subarray(0, size - have));
      rest = rest.subarray(size - have);
      yield Buffer.concat(parts);
      parts = [];
      have = 0;
    }
    if (rest.length) {
      parts.push(rest);
      have += rest.length;
    }
  }
  if (have) yield Buffer.concat(parts);
}

function uploadLocation(res: HttpResponse, ep: Endpoint, ctx: RegistryErrorContext): string {
  const raw = res.headers.location;
  if (!raw) throw new RegistryError("protocol", ctx, "upload started without a Location");
  const url = new URL(raw, ep.url);
  if (url.origin !== new URL(ep.url).origin) {
    throw new RegistryError("protocol", ctx, `upload Location is on another origin (${url.origin}); refusing to send credentials there`);
  }
  return url.toString();
}
