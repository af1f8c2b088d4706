/**
 * The Store over a control plane's Kubernetes API (HTTPS), for `nodelet node`: the kubelet, the service proxy and
 * node DNS read and write the cluster's objects as they read and write the embedded store, and the control plane
 * applies its admission, validation and authorization to every write.
 *
 * - get/list/create/update/delete are synchronous, as the interface asks: each is one HTTPS request made on a worker
 *   thread while the caller blocks (remote-sync.ts, the etcd backend's pattern). Measured against an in-process
 *   informer cache, this keeps read-your-writes and the callers' read-modify-write sequences exactly as on one node,
 *   at one round trip per call (see README, "Roles").
 * - watches are API watches (`?watch=1&resourceVersion=RV&allowWatchBookmarks=true`) on the main thread: a stream
 *   that ends or breaks is opened again from the last resourceVersion it delivered (or a bookmark's); a 410 Expired
 *   lists again and hands the watcher the difference from what it had (ADDED, MODIFIED, DELETED; watched-versions.ts),
 *   as a reflector's relist does — or, with `lostChanges: "error"`, hands it the ERROR and ends. What a watch from
 *   RV N "had" at the start is the list at N this store answered, when there was one.
 * - errors are the API's: a Status answer becomes the ApiError it names (NotFound, Conflict, Invalid, Forbidden…).
 */
import { request as httpsRequest, Agent } from "node:https";
import type { IncomingMessage } from "node:http";
import { ApiError, type StatusReason } from "../api/errors.js";
import { apiVersionOf, resourceForKind, type ResourceInfo } from "../api/resources.js";
import type { KubeObject, Status, WatchEvent } from "../api/types.js";
import { RemoteSync } from "./remote-sync.js";
import type { HttpReply, HttpRequest, RemoteEndpoint } from "./remote-worker.js";
import type { DeleteOptions, ListOptions, ListResult, Store, UpdateOptions, WatchOptions, WrittenKey } from "./store.js";
import { versionsOf, WatchedVersions, type Watched } from "./watched-versions.js";
import { expiredEvent } from "./watch-hub.js";

export interface RemoteStoreOptions {
  endpoint: RemoteEndpoint;
  /** The longest one request may take (default 30 s). */
  requestTimeoutMs?: number;
  /** A broken watch is opened again after this long, doubling up to 8x (default 500 ms). */
  rewatchDelayMs?: number;
  log?: (msg: string) => void;
}

/** The lists remembered per kind, to seed the watches started from their resourceVersion. */
const SEED_LISTS_PER_KIND = 8;

interface SeedList {
  key: string;
  resourceVersion: string;
  objects: Map<string, Watched>;
}

export class RemoteStore implements Store {
  private readonly sync: RemoteSync;
  private agent: Agent;
  /** The client certificate and key connections present (a rotation replaces them). */
  private credentials: { cert?: string; key?: string };
  private readonly log: (msg: string) => void;
  private readonly watches = new Set<RemoteWatch>();
  private readonly seeds = new Map<string, SeedList[]>();
  private closed = false;

  constructor(private readonly opts: RemoteStoreOptions) {
    this.log = opts.log ?? (() => undefined);
    this.sync = new RemoteSync(opts.endpoint, opts.requestTimeoutMs ?? 30_000);
    const e = opts.endpoint;
    this.credentials = { cert: e.cert, key: e.key };
    this.agent = new Agent({ keepAlive: true, ca: e.ca, cert: e.cert, key: e.key });
  }

  /**
   * Uses a new client certificate (the node's, rotated) for every connection from now on, without a restart: the
   * connections open with the old one are closed, as the kubelet does when its certificate rotates, so the watches
   * reopen from their last resourceVersion with the new one and nothing goes on under a certificate about to expire.
   */
  useClientCertificate(cert: string, key: string): void {
    if (this.closed) return;
    this.credentials = { cert, key };
    this.sync.useClientCertificate(cert, key);
    const old = this.agent;
    this.agent = new Agent({ keepAlive: true, ca: this.opts.endpoint.ca, cert, key });
    // Its sockets in use too: the watches' streams break and reopen on the new agent.
    old.destroy();
  }

  /** The client certificate (PEM) connections present now. */
  clientCertificate(): string | undefined {
    return this.credentials.cert;
  }

  /** The API's version: what the node checks before it registers (a wrong server or credentials fail here). */
  version(): { gitVersion?: string } {
    const r = this.call({ method: "GET", path: "/version" });
    return JSON.parse(r.body) as { gitVersion?: string };
  }

  create<T extends KubeObject>(obj: T, opts?: { uid?: string }): T {
    if (opts?.uid !== undefined) throw new Error("remote store: create with an admission uid is the API server's own write, not a client's");
    const info = infoOf(obj.kind);
    const ns = obj.metadata.namespace ?? "";
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(info), metadata: { ...obj.metadata } };
    delete body.metadata.resourceVersion;
    return this.object<T>(info, this.call({ method: "POST", path: collectionPath(info, ns), body: JSON.stringify(body) }));
  }

  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    const info = infoOf(kind);
    const r = this.sync.request({ method: "GET", path: objectPath(info, namespace, name) });
    if (r.status === 404) return undefined;
    return this.object<T>(info, checked(r));
  }

  list<T extends KubeObject>(kind: string, opts: ListOptions = {}): ListResult<T> {
    const info = infoOf(kind);
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set("labelSelector", opts.labelSelector);
    if (opts.fieldSelector) q.set("fieldSelector", opts.fieldSelector);
    if (opts.limit) q.set("limit", String(opts.limit));
    if (opts.continue) q.set("continue", opts.continue);
    const r = this.call({ method: "GET", path: withQuery(collectionPath(info, opts.namespace ?? ""), q) });
    const body = JSON.parse(r.body) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number } };
    const items = (body.items ?? []).map((o) => ({ ...o, kind: info.kind, apiVersion: apiVersionOf(info) }));
    const result: ListResult<T> = { items, resourceVersion: body.metadata?.resourceVersion ?? "" };
    if (body.metadata?.continue) result.continue = body.metadata.continue;
    if (body.metadata?.remainingItemCount !== undefined && opts.countRemaining !== false) result.remainingItemCount = body.metadata.remainingItemCount;
    if (!opts.limit && !opts.continue) this.rememberList(kind, opts, result);
    return result;
  }

  update<T extends KubeObject>(obj: T, opts: UpdateOptions = {}): T {
    if (opts.bumpGeneration) throw new Error("remote store: bumpGeneration is the API server's own write (graceful deletion), not a client's");
    const info = infoOf(obj.kind);
    const m = obj.metadata;
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(info), metadata: { ...m } };
    // The API's PUT is optimistic on the body's resourceVersion and unconditional without one, as the store's.
    if (opts.resourceVersion !== undefined) body.metadata.resourceVersion = opts.resourceVersion;
    else delete body.metadata.resourceVersion;
    const path = objectPath(info, m.namespace ?? "", m.name ?? "") + (opts.subresource ? `/${opts.subresource}` : "");
    return this.object<T>(info, this.call({ method: "PUT", path, body: JSON.stringify(body) }));
  }

  delete<T extends KubeObject>(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): T {
    const info = infoOf(kind);
    const preconditions: Record<string, string> = {};
    if (opts.uid) preconditions.uid = opts.uid;
    if (opts.resourceVersion) preconditions.resourceVersion = opts.resourceVersion;
    // The store's delete removes at once: through the API that is a delete with grace period 0 (the kubelet's final one).
    const body = { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, ...(Object.keys(preconditions).length ? { preconditions } : {}) };
    const r = this.call({ method: "DELETE", path: objectPath(info, namespace, name), body: JSON.stringify(body) });
    const parsed = JSON.parse(r.body) as KubeObject;
    // A delete answers the object, or (some kinds) a Success Status naming it: the store's callers want the object.
    if (parsed.kind === "Status") return { kind, apiVersion: apiVersionOf(info), metadata: { name, namespace: namespace || undefined } } as T;
    return { ...parsed, kind: info.kind, apiVersion: apiVersionOf(info) } as T;
  }

  watch(kind: string, opts: WatchOptions, handler: (ev: WatchEvent) => void): () => void {
    const info = infoOf(kind);
    let from = opts.resourceVersion ?? "";
    let seed: Map<string, Watched> | undefined;
    if (from === "") {
      // "From now on": the API's unset resourceVersion would replay every object as ADDED; start at the list's.
      const now = this.list(kind, { ...opts, limit: undefined, continue: undefined });
      from = now.resourceVersion;
      seed = versionsOf(now.items);
    } else if (from !== "0") {
      seed = this.seeds.get(kind)?.find((s) => s.key === listKey(opts) && s.resourceVersion === from)?.objects;
    }
    const w = new RemoteWatch(this, info, opts, from, new WatchedVersions(seed), handler, this.opts.rewatchDelayMs ?? 500, this.log);
    this.watches.add(w);
    w.open();
    return () => {
      w.stop();
      this.watches.delete(w);
    };
  }

  /** The API keeps event expiry on the control plane (its --event-ttl): a node does not read write times. */
  writtenBefore(): WrittenKey[] {
    throw new Error("remote store: write times are the control plane's; events expire there");
  }

  currentResourceVersion(): string {
    // Nodes: a kind every client that runs a kubelet may list (the Node authorizer allows it; namespaces it does not).
    return this.list("Node", { limit: 1 }).resourceVersion;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.stop();
    this.watches.clear();
    this.agent.destroy();
    this.sync.close();
  }

  /**
   * A synchronous request the Store's methods do not cover (a subresource such as serviceaccounts/NAME/token): the
   * answer's body, or the ApiError its Status names.
   */
  requestSync(req: HttpRequest): string {
    return this.call(req).body;
  }

  /** An async request on the main thread (the watches' relists and the node's TokenRequests use it). */
  requestAsync(req: HttpRequest): Promise<HttpReply> {
    const url = new URL(this.opts.endpoint.server);
    return new Promise((resolve, reject) => {
      const r = httpsRequest({ host: url.hostname, port: url.port || 443, method: req.method, path: req.path, headers: this.headers(req), agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      r.on("error", reject);
      r.end(req.body);
    });
  }

  /** Opens a streaming GET (a watch); the caller reads and ends it. */
  openStream(path: string): Promise<IncomingMessage> {
    const url = new URL(this.opts.endpoint.server);
    return new Promise((resolve, reject) => {
      const r = httpsRequest({ host: url.hostname, port: url.port || 443, method: "GET", path, headers: this.headers({ method: "GET", path }), agent: this.agent }, resolve);
      r.on("error", reject);
      r.end();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private headers(req: HttpRequest): Record<string, string> {
    const h: Record<string, string> = { Accept: "application/json", "User-Agent": "nodelet-node" };
    if (this.opts.endpoint.token) h.Authorization = `Bearer ${this.opts.endpoint.token}`;
    if (req.body !== undefined) h["Content-Type"] = req.contentType ?? "application/json";
    return h;
  }

  private call(req: HttpRequest): HttpReply {
    return checked(this.sync.request(req));
  }

  private object<T extends KubeObject>(info: ResourceInfo, r: HttpReply): T {
    const o = JSON.parse(r.body) as T;
    return { ...o, kind: info.kind, apiVersion: apiVersionOf(info) };
  }

  private rememberList(kind: string, opts: ListOptions, result: ListResult<KubeObject>): void {
    const lists = this.seeds.get(kind) ?? [];
    lists.push({ key: listKey(opts), resourceVersion: result.resourceVersion, objects: versionsOf(result.items) });
    if (lists.length > SEED_LISTS_PER_KIND) lists.shift();
    this.seeds.set(kind, lists);
  }
}

/**
 * One API watch kept open: reopened from the last resourceVersion after a break, relisted on 410. `known` is what
 * the watcher has been handed (key → resourceVersion), the base of a relist's difference.
 */
class RemoteWatch {
  private stopped = false;
  private response?: IncomingMessage;
  private delay: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: RemoteStore,
    private readonly info: ResourceInfo,
    private readonly opts: WatchOptions,
    private rv: string,
    private readonly known: WatchedVersions,
    private readonly handler: (ev: WatchEvent) => void,
    private readonly baseDelay: number,
    private readonly log: (msg: string) => void,
  ) {
    this.delay = baseDelay;
  }

  open(): void {
    if (this.stopped) return;
    const q = new URLSearchParams({ watch: "1", allowWatchBookmarks: "true", resourceVersion: this.rv });
    if (this.opts.labelSelector) q.set("labelSelector", this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set("fieldSelector", this.opts.fieldSelector);
    this.store.openStream(withQuery(collectionPath(this.info, this.opts.namespace ?? ""), q)).then(
      (res) => this.read(res),
      (err: Error) => this.again(`watch ${this.info.plural}: ${err.message}`),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.response?.destroy();
  }

  private read(res: IncomingMessage): void {
    if (this.stopped) {
      res.destroy();
      return;
    }
    if (res.statusCode === 410) {
      res.resume();
      void this.relist(expiredEvent(`too old resource version: ${this.rv}`));
      return;
    }
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => this.again(`watch ${this.info.plural}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`));
      return;
    }
    this.response = res;
    let buffered = "";
    let expired = false;
    res.setEncoding("utf8");
    res.on("data", (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0 && !expired) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as WatchEvent;
        if (ev.type === "ERROR") {
          const status = ev.object as unknown as Status;
          if (status.code === 410) {
            expired = true;
            res.destroy();
            void this.relist(ev);
            return;
          }
          this.log(`watch ${this.info.plural}: ${status.message ?? "error"}`);
          continue;
        }
        this.delay = this.baseDelay;
        this.deliver(ev);
      }
    });
    const ended = (why: string) => {
      if (this.response !== res) return;
      this.response = undefined;
      if (!expired) this.again(why);
    };
    res.on("end", () => ended(`watch ${this.info.plural} ended`));
    res.on("error", (err) => ended(`watch ${this.info.plural}: ${err.message}`));
    res.on("close", () => ended(`watch ${this.info.plural} closed`));
  }

  private deliver(ev: WatchEvent): void {
    const obj = ev.object;
    if (obj.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
    if (ev.type === "BOOKMARK") return;
    const out: WatchEvent = { type: ev.type, object: { ...obj, kind: this.info.kind, apiVersion: apiVersionOf(this.info) } };
    this.known.note(out);
    this.handler(out);
  }

  /**
   * A reflector's relist after 410: the current list, handed over as the difference from what was known; with
   * `lostChanges: "error"`, the watcher gets the `expired` event instead and the watch ends.
   */
  private async relist(expired: WatchEvent): Promise<void> {
    if (this.stopped) return;
    if (this.opts.lostChanges === "error") {
      this.stop();
      this.handler(expired);
      return;
    }
    const q = new URLSearchParams();
    if (this.opts.labelSelector) q.set("labelSelector", this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set("fieldSelector", this.opts.fieldSelector);
    let r: HttpReply;
    try {
      r = checked(await this.store.requestAsync({ method: "GET", path: withQuery(collectionPath(this.info, this.opts.namespace ?? ""), q) }));
    } catch (err) {
      this.again(`relist ${this.info.plural}: ${(err as Error).message}`, () => void this.relist(expired));
      return;
    }
    if (this.stopped) return;
    const body = JSON.parse(r.body) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
    const items = (body.items ?? []).map((o) => ({ ...o, kind: this.info.kind, apiVersion: apiVersionOf(this.info) }));
    for (const ev of this.known.difference(items, this.info.kind, apiVersionOf(this.info))) this.handler(ev);
    this.rv = body.metadata?.resourceVersion ?? this.rv;
    this.log(`watch ${this.info.plural}: resourceVersion expired; listed again at ${this.rv}`);
    this.open();
  }

  private again(why: string, retry: () => void = () => this.open()): void {
    if (this.stopped || this.store.isClosed) return;
    this.log(`${why}; again in ${this.delay} ms`);
    this.timer = setTimeout(retry, this.delay);
    this.delay = Math.min(this.delay * 2, this.baseDelay * 8);
  }
}

function infoOf(kind: string): ResourceInfo {
  const info = resourceForKind(kind);
  if (!info) throw new ApiError("NotFound", `the server could not find the requested resource (kind ${kind})`);
  return info;
}

function groupPrefix(info: ResourceInfo): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

function collectionPath(info: ResourceInfo, namespace: string): string {
  return info.namespaced && namespace ? `${groupPrefix(info)}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${groupPrefix(info)}/${info.plural}`;
}

function objectPath(info: ResourceInfo, namespace: string, name: string): string {
  return `${collectionPath(info, info.namespaced ? namespace || "default" : "")}/${encodeURIComponent(name)}`;
}

function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A 2xx answer, or the ApiError its Status names (a non-Status error body becomes InternalError with its text). */
function checked(r: HttpReply): HttpReply {
  if (r.status >= 200 && r.status < 300) return r;
  let status: Partial<Status> | undefined;
  try {
    status = JSON.parse(r.body) as Partial<Status>;
  } catch {
    status = undefined;
  }
  if (status?.kind === "Status") {
    const err = new ApiError((status.reason as StatusReason | undefined) ?? "InternalError", status.message ?? `HTTP ${r.status}`, status.details ?? {}, status.code ?? r.status);
    throw err;
  }
  throw new ApiError("InternalError", `HTTP ${r.status}: ${r.body.slice(0, 200)}`, {}, r.status);
}


function listKey(opts: ListOptions): string {
  return `${opts.namespace ?? ""}|${opts.labelSelector ?? ""}|${opts.fieldSelector ?? ""}`;
}
