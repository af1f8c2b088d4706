import { PassThrough } from "node:stream";
import { ConnectionError } from "./connection-error.js";
import { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
import { errorFromResponse } from "./errors.js";
import { collectError, readEvents } from "./events.js";
import { resourcePath } from "./paths.js";
import { UnixHttp } from "./unix-http.js";
const PATCH_CONTENT_TYPES = {
    merge: "application/merge-patch+json",
    json: "application/json-patch+json",
    strategic: "application/strategic-merge-patch+json",
    apply: "application/apply-patch+yaml",
};
/** The Accept header kubectl sends for server-side printing. */
export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
export class ApiClient {
    opts;
    socketPath;
    url;
    agent;
    unix;
    sender;
    constructor(opts = {}) {
        this.opts = opts;
        this.url = opts.server ? new URL(opts.server) : undefined;
        this.socketPath = this.url ? undefined : opts.socketPath ?? process.env.NODELET_SOCKET ?? DEFAULT_SOCKET_PATH;
    }
    /** Where requests go, for messages: the socket path or the server URL. */
    get target() {
        return this.url ? this.url.origin : this.socketPath;
    }
    /** Sends a request and returns the decoded JSON (or text) body; throws ApiError on a non-2xx answer. */
    async request(method, path, opts = {}) {
        const res = await this.raw(method, path, opts);
        if (res.status >= 300)
            throw errorFromResponse(res.status, res.body);
        return decode(res);
    }
    /** Sends a request and returns status, headers and body, whatever the status. */
    async raw(method, path, opts = {}) {
        const send = await this.getSender();
        return new Promise((resolve, reject) => {
            const req = send(this.requestOptions(method, path, opts), (res) => {
                const chunks = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                res.on("error", reject);
            });
            req.on("error", (err) => reject(this.connectionError(err)));
            writeBody(req, opts.body);
        });
    }
    get(info, namespace, name, subresource) {
        return this.request("GET", resourcePath(info, namespace, name, subresource));
    }
    list(info, opts = {}) {
        const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
        return this.request("GET", resourcePath(info, opts.namespace), { query });
    }
    create(info, obj, opts = {}) {
        const ns = opts.namespace ?? obj.metadata?.namespace;
        return this.request("POST", resourcePath(info, ns), { body: obj, query: opts.query });
    }
    /** PUT of the whole object (or its status with subresource "status"); its resourceVersion is a precondition. */
    update(info, obj, opts = {}) {
        const path = resourcePath(info, obj.metadata.namespace, obj.metadata.name ?? "", opts.subresource);
        return this.request("PUT", path, { body: obj, query: opts.query });
    }
    patch(info, namespace, name, patch, type, opts = {}) {
        const query = toSearchParams(opts.query);
        // Server-side apply needs a field manager (the API server rejects apply without one).
        if (type === "apply" && !query.has("fieldManager"))
            query.set("fieldManager", "nodelet");
        return this.request("PATCH", resourcePath(info, namespace, name, opts.subresource), {
            body: patch,
            contentType: PATCH_CONTENT_TYPES[type],
            query,
        });
    }
    /**
     * DELETE with DeleteOptions (gracePeriodSeconds, preconditions, propagationPolicy). Returns the object (pods:
     * with deletionTimestamp while graceful deletion is pending) or a success Status.
     */
    delete(info, namespace, name, options = {}) {
        const body = { kind: "DeleteOptions", apiVersion: "v1", ...options };
        return this.request("DELETE", resourcePath(info, namespace, name), { body });
    }
    /** A server-side printed Table, asked for as kubectl does. */
    table(path, query) {
        return this.request("GET", path, { query, accept: TABLE_ACCEPT });
    }
    /**
     * Watches a collection path: `onEvent` gets each event as it arrives. An ERROR event (e.g. 410 Expired) or an
     * error reply ends the watch and rejects `done` with the ApiError, so callers can re-list.
     */
    watch(path, query, onEvent, opts = {}) {
        let req;
        let stopped = false;
        const stop = () => {
            stopped = true;
            req?.destroy();
        };
        const done = this.getSender().then((send) => new Promise((resolve, reject) => {
            const fail = (err) => (stopped ? resolve() : (stop(), reject(err)));
            const q = toSearchParams(query, { watch: "true" });
            req = send(this.requestOptions("GET", path, { query: q, accept: opts.accept }), (res) => {
                if ((res.statusCode ?? 0) >= 300)
                    return collectError(res, fail);
                readEvents(res, onEvent, fail, () => resolve());
            });
            req.on("error", (err) => fail(this.connectionError(err)));
            req.end();
            if (stopped)
                req.destroy();
        }));
        return { stop, done };
    }
    /** A streamed body (logs): the returned stream errors with ApiError when the server refuses. */
    stream(path, query) {
        const out = new PassThrough();
        void this.getSender().then((send) => {
            const req = send(this.requestOptions("GET", path, { query, accept: "*/*" }), (res) => {
                if ((res.statusCode ?? 0) >= 300)
                    return collectError(res, (err) => out.destroy(err));
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
    close() {
        this.agent?.destroy();
        this.unix?.close();
    }
    getSender() {
        this.sender ??= this.makeSender();
        return this.sender;
    }
    async makeSender() {
        if (!this.url) {
            // The unix socket: HTTP/1.1 written on node:net (unix-http.ts), node:http is not even loaded.
            const unix = (this.unix = new UnixHttp(this.socketPath));
            return (o, cb) => unix.request({ method: o.method ?? "GET", path: o.path ?? "/", headers: o.headers }, cb);
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
    requestOptions(method, path, opts) {
        const search = toSearchParams(opts.query).toString();
        const headers = { Accept: opts.accept ?? "application/json", ...opts.headers };
        if (opts.body !== undefined)
            headers["Content-Type"] = opts.contentType ?? "application/json";
        if (this.url && this.opts.token)
            headers.Authorization = `Bearer ${this.opts.token}`;
        const base = { method, path: search ? `${path}?${search}` : path, headers, agent: this.agent };
        if (!this.url)
            return base;
        return { ...base, host: this.url.hostname.replace(/^\[|\]$/g, ""), port: this.url.port || 443 };
    }
    connectionError(err) {
        const code = err.code;
        if (this.url)
            return new ConnectionError(`cannot connect to nodelet at ${this.url.origin}: ${err.message}`, code);
        const hint = code === "EACCES" ? " (the API socket is root-only: run as root)" : code === "ENOENT" || code === "ECONNREFUSED" ? " (is the nodelet daemon running?)" : "";
        return new ConnectionError(`cannot connect to nodelet at ${this.socketPath}: ${code ?? err.message}${hint}`, code);
    }
}
/** A query as URLSearchParams; arrays become repeated parameters (`command=ls&command=-l`), undefined/null are dropped. */
export function toSearchParams(q, extra = {}) {
    const qs = new URLSearchParams();
    if (q instanceof URLSearchParams)
        for (const [k, v] of q)
            qs.append(k, v);
    else if (q) {
        for (const [k, v] of Object.entries(q)) {
            if (v === undefined || v === null)
                continue;
            if (Array.isArray(v))
                for (const item of v)
                    qs.append(k, item);
            else
                qs.append(k, String(v));
        }
    }
    for (const [k, v] of Object.entries(extra))
        qs.set(k, v);
    return qs;
}
/**
 * Sends the body with a Content-Length: Node does not chunk DELETE bodies, so without the length the server would
 * read the body as the next request.
 */
function writeBody(req, body) {
    if (body === undefined)
        return void req.end();
    const data = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    req.setHeader("Content-Length", data.length);
    req.end(data);
}
function decode(res) {
    if (res.body.length === 0)
        return undefined;
    const text = res.body.toString("utf8");
    if (!String(res.headers["content-type"] ?? "").includes("json"))
        return text;
    return JSON.parse(text);
}
//# sourceMappingURL=client.js.map