/**
 * HTTP(S) for the registry client: one request at a time, responses as streams, redirects followed by hand so that
 * `Authorization` goes only to the host it was meant for (distribution-spec: a client MUST NOT forward it to another
 * host; blob storage redirects to object stores with signed URLs), idle timeouts on every socket, and TLS with the
 * bundled root CAs (plus NODE_EXTRA_CA_CERTS) and any extra CA bundles configured for the host.
 */
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { rootCertificates } from "node:tls";

export type Method = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  /** Sent to the request's own host only; dropped once a redirect leaves it. */
  authorization?: string;
  body?: Buffer | Readable;
  /** Extra PEM bundles (paths) trusted for HTTPS besides the root CAs. */
  ca?: string[];
  /** HTTPS without verifying the certificate of the request's own host (not of a redirect's): an insecure host only. */
  insecureTls?: boolean;
  /** GET and HEAD follow redirects (up to 10); other methods return the 3xx. */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  body: IncomingMessage;
}

/** A failure below HTTP (DNS, refused, reset, TLS, timeout), with the URL's origin named; no headers are included. */
export class TransportError extends Error {
  constructor(
    readonly url: string,
    readonly kind: "connection" | "tls" | "timeout",
    message: string,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

const MAX_REDIRECTS = 10;

export class Transport {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgents = new Map<string, HttpsAgent>();
  private readonly caCache = new Map<string, string>();

  constructor(
    /** A socket idle this long (no bytes either way) fails the request. */
    readonly idleTimeoutMs = 30_000,
    readonly userAgent = "nodelet",
  ) {}

  /** Sends the request; resolves at the response headers. The caller consumes or destroys `body`. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = new URL(req.url);
    const origin = url.host;
    for (let hop = 0; ; hop++) {
      const sameHost = url.host === origin;
      // Credentials and an unchecked certificate are for the insecure host itself, never for where it redirects.
      const res = await this.once(req, url, sameHost ? req.authorization : undefined, sameHost && req.insecureTls === true);
      const location = res.headers.location;
      if (!req.followRedirects || ![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || !location) {
        return { status: res.statusCode ?? 0, headers: res.headers, url: url.toString(), body: res };
      }
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new TransportError(url.origin, "connection", `too many redirects from ${new URL(req.url).origin}`);
      const next = new URL(location, url);
      if (next.protocol !== "http:" && next.protocol !== "https:") throw new TransportError(url.origin, "connection", `redirect to unsupported scheme ${next.protocol}`);
      if (url.protocol === "https:" && next.protocol === "http:") throw new TransportError(url.origin, "tls", `refusing a redirect from HTTPS to plain HTTP (${next.origin})`);
      url = next;
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    for (const a of this.httpsAgents.values()) a.destroy();
  }

  private once(req: HttpRequest, url: URL, authorization: string | undefined, insecureTls: boolean): Promise<IncomingMessage> {
    const headers: Record<string, string> = { "user-agent": this.userAgent, ...req.headers };
    if (authorization) headers.authorization = authorization;
    if (Buffer.isBuffer(req.body)) headers["content-length"] = String(req.body.length);
    const https = url.protocol === "https:";
    const options = { method: req.method, headers, agent: https ? this.httpsAgent(req.ca ?? [], insecureTls) : this.httpAgent };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const r = (https ? httpsRequest : httpRequest)(url, options, (res) => {
        res.setTimeout(this.idleTimeoutMs, () => res.destroy(new TransportError(url.origin, "timeout", `no data from ${url.origin} for ${this.idleTimeoutMs} ms`)));
        resolve(res);
      });
      r.setTimeout(this.idleTimeoutMs, () => r.destroy(new TransportError(url.origin, "timeout", `no answer from ${url.origin} within ${this.idleTimeoutMs} ms`)));
      r.on("error", (err: NodeJS.ErrnoException) => reject(err instanceof TransportError ? err : describeSocketError(url, err)));
      if (req.body === undefined) r.end();
      else if (Buffer.isBuffer(req.body)) r.end(req.body);
      else {
        req.body.on("error", (err) => r.destroy(err));
        req.body.pipe(r);
      }
    });
  }

  private httpsAgent(ca: string[], insecure: boolean): HttpsAgent {
    const key = `${insecure ? "insecure" : "verified"}\0${ca.join("\0")}`;
    let agent = this.httpsAgents.get(key);
    if (!agent) {
      const extra = ca.map((path) => this.readCa(path));
      agent = new HttpsAgent({ keepAlive: true, ...(extra.length ? { ca: [...rootCertificates, ...extra] } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) });
      this.httpsAgents.set(key, agent);
    }
    return agent;
  }

  private readCa(path: string): string {
    let pem = this.caCache.get(path);
    if (pem === undefined) {
      try {
        pem = readFileSync(path, "utf8");
      } catch (err) {
        throw new TransportError(path, "tls", `cannot read CA bundle ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      this.caCache.set(path, pem);
    }
    return pem;
  }
}

function describeSocketError(url: URL, err: NodeJS.ErrnoException): TransportError {
  const code = err.code ?? "";
  if (/^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO)/.test(code) || /certificate|SSL|TLS/i.test(err.message)) {
    return new TransportError(url.origin, "tls", `TLS with ${url.origin} failed: ${err.message}`);
  }
  return new TransportError(url.origin, "connection", `cannot reach ${url.origin}: ${code || err.message}`);
}

/** Reads a whole body up to `limit` bytes; a longer body fails without reading the rest. */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new Error(`${what} is ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      res.body.destroy();
      throw new Error(`${what} is over the ${limit}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains a body we do not need (so the keep-alive socket can be reused), bounded. */
export function discard(res: HttpResponse): void {
  res.body.resume();
}
