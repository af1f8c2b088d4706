/**
 * The thread that makes the remote store's HTTPS requests (remote-store.ts): the Store interface is synchronous, an
 * HTTP request is not, so the main thread posts a request on a MessagePort and blocks on a shared word
 * (Atomics.wait) until this thread has the answer — the pattern of the etcd backend (etcd-worker.ts). One
 * keep-alive agent holds the connections to the control plane, so a call costs one round trip, not a TLS handshake.
 *
 * The code runs as an eval'd worker (`remoteWorkerSource`): the CLI is bundled into one file, where a worker file of
 * its own would not be found. So `remoteWorkerMain` uses nothing from this module's scope, only what it is handed.
 */
import type { MessagePort } from "node:worker_threads";
import type { WorkerReply } from "./blocking-call.js";
import type * as Https from "node:https";

/** Where and as whom the requests go: the control plane's URL, the CA it is trusted by, the client's credentials. */
export interface RemoteEndpoint {
  /** `https://HOST:PORT` */
  server: string;
  /** PEM CA bundle that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key (the node's identity), and/or a bearer token. */
  cert?: string;
  key?: string;
  token?: string;
}

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=1`. */
  path: string;
  body?: string;
  contentType?: string;
}

export interface HttpReply {
  status: number;
  body: string;
}

export type Reply = WorkerReply<HttpReply>;

export interface RemoteWorkerInit {
  endpoint: RemoteEndpoint;
  signal: Int32Array;
  requests: MessagePort;
  timeoutMs: number;
}

/** The worker's body; see the module comment for why it stands alone. */
export function remoteWorkerMain(deps: { https: typeof Https; init: RemoteWorkerInit }): void {
  const { https, init } = deps;
  const url = new URL(init.endpoint.server);
  const agentFor = (cert: string | undefined, key: string | undefined) => new https.Agent({ keepAlive: true, maxSockets: 4, ca: init.endpoint.ca, cert, key });
  let agent = agentFor(init.endpoint.cert, init.endpoint.key);
  const send = (req: HttpRequest): Promise<HttpReply> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "nodelet-node" };
      if (init.endpoint.token) headers.Authorization = `Bearer ${init.endpoint.token}`;
      if (req.body !== undefined) {
        headers["Content-Type"] = req.contentType ?? "application/json";
        headers["Content-Length"] = String(Buffer.byteLength(req.body));
      }
      const r = https.request({ host: url.hostname, port: url.port || 443, method: req.method, path: req.path, headers, agent, timeout: init.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      r.on("timeout", () => r.destroy(new Error(`no answer within ${init.timeoutMs} ms`)));
      r.on("error", reject);
      r.end(req.body);
    });

  Atomics.store(init.signal, 1, 1);
  Atomics.notify(init.signal, 1);
  init.requests.on("message", (msg: { id: number; req: HttpRequest | { close: true } | { clientCertificate: { cert: string; key: string } } }) => {
    const answer = (reply: Reply) => {
      init.requests.postMessage(reply);
      Atomics.store(init.signal, 0, msg.id);
      Atomics.notify(init.signal, 0);
    };
    if ("close" in msg.req) {
      agent.destroy();
      answer({ id: msg.id, ok: true, result: { status: 0, body: "" } });
      return;
    }
    if ("clientCertificate" in msg.req) {
      // A rotated certificate: new connections present it; the old ones (idle: no call is under way) are closed.
      const old = agent;
      agent = agentFor(msg.req.clientCertificate.cert, msg.req.clientCertificate.key);
      old.destroy();
      answer({ id: msg.id, ok: true, result: { status: 0, body: "" } });
      return;
    }
    send(msg.req).then(
      (result) => answer({ id: msg.id, ok: true, result }),
      (err: Error) => answer({ id: msg.id, ok: false, error: { message: err.message } }),
    );
  });
}

/** The worker's source: node:https, then the body above. */
export function remoteWorkerSource(): string {
  return [
    `const { workerData } = require("node:worker_threads");`,
    `const https = require("node:https");`,
    `(${remoteWorkerMain.toString()})({ https, init: workerData.init });`,
  ].join("\n");
}
