/**
 * ApiClient: the typed client of nodelet's API, used by the CLI and the tests. It talks HTTP/1.1 over the unix
 * socket (default /run/nodelet/nodelet.sock, or NODELET_SOCKET) or HTTPS + bearer token over TCP, reusing
 * connections (keep-alive; idle sockets do not hold the process open). Error responses become ApiError carrying the
 * Status's reason, code, message and causes.
 *
 * Start-up cost matters (the CLI is timed against podman): this module imports only node:stream, node:net (through
 * unix-http.ts, which speaks HTTP/1.1 on the unix socket) and the small api/errors module; node:http and node:https
 * are loaded on first use of a TCP server.
 */
import type { Agent, IncomingMessage, RequestOptions as HttpRequestOptions } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import type { ResourceInfo } from "../api/resources.js";
import type { KubeList, KubeObject, Status, WatchEvent } from "../api/types.js";
import type { Table } from "../api/tables/table.js";
import { ConnectionError } from "./connection-error.js";
import { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
import { errorFromResponse } from "./errors.js";
import { collectError, readEvents } from "./events.js";
import { resourcePath } from "./paths.js";
import { UnixHttp, type UnixRequest, type UnixResponse } from "./unix-http.js";

export interface ClientOptions {
  /** Unix socket path; default $NODELET_SOCKET or /run/nodelet/nodelet.sock. Ignored when `server` is set. */
  socketPath?: string;
  /** `https://host:port` of a TCP listener. */
  server?: string;
  /** Bearer token for `server`. */
  token?: string;
  /** PEM CA (the server's certificate) for `server`. */
  ca?: string | Buffer;
  insecureSkipTLSVerify?: boolean;
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[];
export type Query = Record<string, QueryValue> | URLSearchParams;

export interface RequestOptions {
  query?: Query;
  /** A Buffer or string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface WatchHandle {
  /** Ends the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when the stream ends (server timeout, stop()); rejects with ApiError on an error reply or ERROR event. */
  done: Promise<void>;
}

export type PatchType = "merge" | "json" | "strategic" | "apply";

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

/** The Accept header kubectl sends for server-side printing. */
export const TABLE_ACCEPT =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** A request in flight: node's ClientRequest (TCP) or unix-http's exchange, which offers the same few calls. */
type Outgoing = UnixRequest;
type Send = (opts: HttpRequestOptions, onResponse: (res: IncomingMessage | UnixResponse) => void) => Outgoing;

export class ApiClient {
  private readonly socketPath: string | undefined;
  private readonly url: URL | undefined;
  private agent: Agent | undefined;
  private unix: UnixHttp | undefined;
  private sender: Promise<Send> | undefined;

  constructor(private readonly opts: ClientOptions = {}) {
    this.url = opts.server ? new URL(opts.server) : undefined;
    this.socketPath = this.url ? undefined : opts.socketPath ?? process.env.NODELET_SOCKET ?? DEFAULT_SOCKET_PATH;
  }

  /** Where requests go, for messages: the socket path or the server URL. */
  get target(): string {
    return this.url ? this.url.origin : (this.socketPath as string);
  }

  /** Sends a request and returns the decoded JSON (or text) body; throws ApiError on a non-2xx answer. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    if (res.status >= 300) throw errorFromResponse(res.status, res.body);
    return decode(res) as T;
  }

  /** Sends a request and returns status, headers and body, whatever the status. */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const send = await this.getSender();
    return new Promise<RawResponse>((resolve, reject) => {
      const req = send(this.requestOptions(method, path, opts), (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", (err) => reject(this.connectionError(err)));
      writeBody(req, opts.body);
    });
  }

  get<T extends KubeObject>(info: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    return this.request<T>("GET", resourcePath(info, namespace, name, subresource));
  }

  list<T extends KubeObject>(
    info: ResourceInfo,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubeList<T>> {
    const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
    return this.request<KubeList<T>>("GET", resourcePath(info, opts.namespace), { query });
  }

  create<T extends KubeObject>(info: ResourceInfo, obj: T, opts: { namespace?: string; query?: Query } = {}): Promise<T> {
    const ns = opts.namespace ?? obj.metadata?.namespace;
    return this.request<T>("POST", resourcePath(info, ns), { body: obj, query: opts.query });
  }

  /** PUT of the whole object (or its status with subresource "status"); its resourceVersion is a precondition. */
  update<T extends KubeObject>(info: ResourceInfo, obj: T, opts: { subresource?: "status"; query?: Query } = {}): Promise<T> {
    const path = resourcePath(info, obj.metadata.namespace, obj.metadata.name ?? "", opts.subresource);
    return this.request<T>("PUT", path, { body: obj, query: opts.query });
  }

  patch<T extends KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    opts: { subresource?: string; query?: Query } = {},
  ): Promise<T> {
    const query = toSearchParams(opts.query);
    // Server-side apply needs a field manager (the API server rejects apply without one).
    if (type === "apply" && !query.has("fieldManager")) query.set("fieldManager", "nodelet");
    return this.request<T>("PATCH", resourcePath(info, namespace, name, opts.subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      query,
    });
  }

  /**
   * DELETE with DeleteOptions (gracePeriodSeconds, preconditions, propagationPolicy). Returns the object (pods:
   * with deletionTimestamp while graceful deletion is pending) or a success Status.
   */
  delete<T extends KubeObject | Status = KubeObject | Status>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: string } = {},
  ): Promise<T> {
    const body = { kind: "DeleteOptions", apiVersion: "v1", ...options };
    return this.request<T>("DELETE", resourcePath(info, namespace, name), { body });
  }

  /** A server-side printed Table, asked for as kubectl does. */
  table(path: string, query?: Query): Promise<Table> {
    return this.request<Table>("GET", path, { query, accept: TABLE_ACCEPT });
  }

  /**
   * Watches a collection path: `onEvent` gets each event as it arrives. An ERROR event (e.g. 410 Expired) or an
   * error reply ends the watch and rejects `done` with the ApiError, so callers can re-list.
   */
  watch(path: string, query: Query | undefined, onEvent: (ev: WatchEvent) => void, opts: { accept?: string } = {}): WatchHandle {
    let req: Outgoing | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      req?.destroy();
    };
    const done = this.getSender().then(
      (send) =>
        new Promise<void>((resolve, reject) => {
          const fail = (err: unknown) => (stopped ? resolve() : (stop(), reject(err)));
          const q = toSearchParams(query, { watch: "true" });
          req = send(this.requestOptions("GET", path, { query: q, accept: opts.accept }), (res) => {
            if ((res.statusCode ?? 0) >= 300) return collectError(res, fail);
            readEvents(res, onEvent, fail, () => resolve());
          });
          req.on("error", (err) => fail(this.connectionError(err)));
          req.end();
          if (stopped) req.destroy();
        }),
    );
    return { stop, done };
  }

  /** A streamed body (logs, an image pull's progress): the returned stream errors with ApiError when the server refuses. */
  stream(path: string, query?: Query, method = "GET"): Readable {
    const out = new PassThrough();
    void this.getSender().then((send) => {
      const req = send(this.requestOptions(method, path, { query, accept: "*/*" }), (res) => {
        if ((res.statusCode ?? 0) >= 300) return collectError(res, (err) => out.destroy(err as Error));
        res.on("error", (err) => out.destroy(err));
        res.pipe(out);
      });
      req.on("error", (err) => out.destroy(this.connectionError(err)));
      out.on("close", () => req.destroy());
      req.end();
    });
    return out;
  }

  /** Closes idle kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.unix?.close();
  }

  private getSender(): Promise<Send> {
    this.sender ??= this.makeSender();
    return this.sender;
  }

  private async makeSender(): Promise<Send> {
    if (!this.url) {
      // The unix socket: HTTP/1.1 written on node:net (unix-http.ts), node:http is not even loaded.
      const unix = (this.unix = new UnixHttp(this.socketPath as string));
      return (o, cb) => unix.request({ method: o.method ?? "GET", path: o.path ?? "/", headers: o.headers as Record<string, string> }, cb);
    }
    if (this.url.protocol === "http:") {
      const http = await import("node:http");
      this.agent = new http.Agent({ keepAlive: true });
      return (o, cb) => http.request(o, cb);
    }
    const https = await import("node:https");
    this.agent = new https.Agent({ keepAlive: true, ca: this.opts.ca, rejectUnauthorized: !this.opts.insecureSkipTLSVerify });
    return (o, cb) => https.request(o, cb);
  }

  private requestOptions(method: string, path: string, opts: RequestOptions): HttpRequestOptions {
    const search = toSearchParams(opts.query).toString();
    // The API names the field manager of a write after the User-Agent's product ("nodelet"), as kube-apiserver does.
    const headers: Record<string, string> = { Accept: opts.accept ?? "application/json", "User-Agent": "nodelet", ...opts.headers };
    if (opts.body !== undefined) headers["Content-Type"] = opts.contentType ?? "application/json";
    if (this.url && this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    const base: HttpRequestOptions = { method, path: search ? `${path}?${search}` : path, headers, agent: this.agent };
    if (!this.url) return base;
    return { ...base, host: this.url.hostname.replace(/^\[|\]$/g, ""), port: this.url.port || 443 };
  }

  private connectionError(err: Error): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (this.url) return new ConnectionError(`cannot connect to nodelet at ${this.url.origin}: ${err.message}`, code);
    const hint =
      code === "EACCES" ? " (the API socket is root-only: run as root)" : code === "ENOENT" || code === "ECONNREFUSED" ? " (is the nodelet daemon running?)" : "";
    return new ConnectionError(`cannot connect to nodelet at ${this.socketPath}: ${code ?? err.message}${hint}`, code);
  }
}

/** A query as URLSearchParams; arrays become repeated parameters (`command=ls&command=-l`), undefined/null are dropped. */
export function toSearchParams(q: Query | undefined, extra: Record<string, string> = {}): URLSearchParams {
  const qs = new URLSearchParams();
  if (q instanceof URLSearchParams) for (const [k, v] of q) qs.append(k, v);
  else if (q) {
    for (const [k, v] of Object.entries(q)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v as readonly string[]) qs.append(k, item);
      else qs.append(k, String(v));
    }
  }
  for (const [k, v] of Object.entries(extra)) qs.set(k, v);
  return qs;
}

/**
 * Sends the body with a Content-Length: Node does not chunk DELETE bodies, so without the length the server would
 * read the body as the next request.
 */
function writeBody(req: Outgoing, body: unknown): void {
  if (body === undefined) return void req.end();
  const data = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  req.setHeader("Content-Length", data.length);
  req.end(data);
}

function decode(res: RawResponse): unknown {
  if (res.body.length === 0) return undefined;
  const text = res.body.toString("utf8");
  if (!String(res.headers["content-type"] ?? "").includes("json")) return text;
  return JSON.parse(text) as unknown;
}


