/**
 * The kubelet's own HTTPS API on --kubelet-port (10250), what kube-apiserver dials for a pod's IO
 * (pkg/kubelet/server/server.go paths):
 *   GET  /containerLogs/NS/POD/CONTAINER?follow=&tailLines=&…   the log as text/plain, followed while asked
 *   GET  /exec/NS/POD/CONTAINER?command=…&input=&output=&error=&tty=   upgrade: WebSocket channel / SPDY protocols
 *   GET  /attach/NS/POD/CONTAINER?input=&output=&error=&tty=            upgrade, as exec
 *   GET  /portForward/NS/POD?port=P                                     upgrade: WebSocket, SPDY or nodelet-tcp
 *   GET  /stats/summary                                                 the Summary API's CPU and memory, node and pods
 *   GET  /healthz
 * The streams are the API server's own (apiserver/streaming) over this node's PodIO, so every protocol kubectl speaks
 * to the API server is spoken here too.
 *
 * Who may call: the TLS handshake asks for a client certificate; a request without one the cluster CA verified is
 * 401 Unauthorized, and one whose CN is not the API server's kubelet client (`allowedUsers`,
 * kube-apiserver-kubelet-client) is 403 in the kubelet's wording ("Forbidden (user=…, verb=…, resource=nodes,
 * subresource(s)=[proxy])"). Upstream's kubelet asks the API server a SubjectAccessReview for nodes/proxy instead;
 * here the one client is named. Only pods bound to this node are served (404 otherwise).
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { ApiError } from "../../api/errors.js";
import type { PodIO } from "../../api/pod-io.js";
import type { Pod, PodMetrics } from "../../api/types.js";
import { logOptions } from "../handlers/logs.js";
import { sendError, sendJson } from "../http.js";
import { handleStreamUpgrade, rejectUpgrade, type StreamContext } from "../streaming/index.js";
import { toSummary, type NodeUsageSample } from "../../api/kubelet-summary.js";

/** The CN of the API server's client certificate for kubelets (kubeadm's apiserver-kubelet-client). */
export const APISERVER_KUBELET_CLIENT = "kube-apiserver-kubelet-client";

export interface KubeletServerOptions {
  host: string;
  port: number;
  /** The serving certificate (PEM) and its key. */
  cert: string;
  key: string;
  /** The CA client certificates are verified against (the cluster CA). */
  clientCA: string;
  /** CNs allowed to use the API; default [APISERVER_KUBELET_CLIENT]. */
  allowedUsers?: string[];
  nodeName: string;
  /** A pod this node runs, by namespace and name (undefined: not here). */
  pod(namespace: string, name: string): Pod | undefined;
  /** The pods whose metrics the summary reports. */
  pods(): Pod[];
  /** The node's own usage for the summary's node part (`kubectl top node`); absent: the summary has none. */
  nodeUsage?: () => Promise<NodeUsageSample>;
  io: PodIO;
  log?: (m: string) => void;
}

type Target = { op: "containerLogs" | "exec" | "attach"; namespace: string; name: string; container: string } | { op: "portForward"; namespace: string; name: string } | { op: "summary" } | { op: "healthz" };

/** The path's operation and pod; ApiError(NotFound) for a path the kubelet does not serve. */
export function parseKubeletPath(pathname: string): Target {
  const parts = pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  const [op, ...rest] = parts;
  if ((op === "containerLogs" || op === "exec" || op === "attach") && rest.length === 3) return { op, namespace: rest[0], name: rest[1], container: rest[2] };
  if (op === "portForward" && rest.length === 2) return { op, namespace: rest[0], name: rest[1] };
  if (op === "stats" && rest.length === 1 && rest[0] === "summary") return { op: "summary" };
  if (op === "healthz" && rest.length === 0) return { op: "healthz" };
  throw new ApiError("NotFound", "404 page not found");
}

/**
 * The kubelet's query names (input/output/error) as the API server's streaming code reads them (stdin/stdout/
 * stderr), with the container from the path.
 */
export function streamQuery(query: URLSearchParams, container: string | undefined): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of query) {
    const name = k === "input" ? "stdin" : k === "output" ? "stdout" : k === "error" ? "stderr" : k;
    if (name !== "container") q.append(name, v);
  }
  if (container !== undefined) q.set("container", container);
  return q;
}

export class KubeletServer {
  private readonly server: Server;
  private readonly allowed: Set<string>;

  constructor(private readonly o: KubeletServerOptions) {
    this.allowed = new Set(o.allowedUsers ?? [APISERVER_KUBELET_CLIENT]);
    // HTTP/1.1 only (upgrades); the client certificate is asked for and judged per request, so a refusal is an answer.
    this.server = createServer({ cert: o.cert, key: o.key, ca: o.clientCA, requestCert: true, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"], minVersion: "TLSv1.2" });
    this.server.on("request", (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res).catch((err: unknown) => sendError(res, err)));
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on("tlsClientError", () => undefined);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  /** A renewed serving certificate: new TLS connections get it; the open ones keep theirs (as Go's GetCertificate). */
  useCertificate(cert: string, key: string): void {
    this.server.setSecureContext({ cert, key, ca: this.o.clientCA, minVersion: "TLSv1.2" });
  }

  address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Stops listening and ends every open connection (followed logs and streams included). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Authenticates the TLS peer and authorizes it; ApiError(Unauthorized/Forbidden) otherwise. */
  private authorize(req: IncomingMessage): void {
    const tls = req.socket as TLSSocket;
    const cert = tls.getPeerCertificate?.();
    if (!tls.authorized || !cert || !cert.subject) throw new ApiError("Unauthorized", "Unauthorized");
    const cn = Array.isArray(cert.subject.CN) ? cert.subject.CN[0] : cert.subject.CN;
    if (!cn || !this.allowed.has(cn)) {
      const verb = req.method === "POST" ? "create" : "get";
      throw new ApiError("Forbidden", `Forbidden (user=${cn ?? ""}, verb=${verb}, resource=nodes, subresource(s)=[proxy])`);
    }
  }

  private findPod(namespace: string, name: string): Pod {
    const pod = this.o.pod(namespace, name);
    if (!pod || pod.spec.nodeName !== this.o.nodeName) throw ApiError.notFound("pods", name);
    return pod;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.authorize(req);
    if (req.method !== "GET") throw new ApiError("MethodNotAllowed", `${req.method ?? ""} is not allowed`);
    const url = new URL(req.url ?? "/", "https://kubelet");
    const t = parseKubeletPath(url.pathname);
    if (t.op === "healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      return void res.end("ok");
    }
    if (t.op === "summary") return sendJson(res, 200, await this.summary());
    if (t.op !== "containerLogs") throw ApiError.badRequest(`${t.op} needs an upgrade to a streaming protocol (WebSocket or SPDY)`);
    const pod = this.findPod(t.namespace, t.name);
    const stream = await this.o.io.logs(pod, logOptions(pod, streamQuery(url.searchParams, t.container)));
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on("close", () => stream.destroy());
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      this.authorize(req);
      const url = new URL(req.url ?? "/", "https://kubelet");
      const t = parseKubeletPath(url.pathname);
      if (t.op !== "exec" && t.op !== "attach" && t.op !== "portForward") throw ApiError.badRequest(`${t.op} is not a streaming operation`);
      const pod = this.findPod(t.namespace, t.name);
      const ctx: StreamContext = {
        subresource: t.op === "portForward" ? "portforward" : t.op,
        pod,
        io: this.o.io,
        query: streamQuery(url.searchParams, t.op === "portForward" ? undefined : t.container),
      };
      handleStreamUpgrade(req, socket, head, ctx);
    } catch (err) {
      socket.on("error", () => socket.destroy());
      rejectUpgrade(socket, (err instanceof ApiError ? err : new ApiError("InternalError", String(err))).toStatus());
    }
  }

  /** The Summary API over the node and its pods (what cannot be read is left out). */
  private async summary(): Promise<ReturnType<typeof toSummary>> {
    const usage = this.nodeUsage();
    const read = await Promise.all(this.o.pods().map(async (pod) => ({ pod, metrics: await this.o.io.metrics(pod).catch((): PodMetrics | undefined => undefined) })));
    return toSummary(this.o.nodeName, read.filter((r): r is { pod: Pod; metrics: PodMetrics } => r.metrics !== undefined), await usage);
  }

  private async nodeUsage(): Promise<NodeUsageSample | undefined> {
    try {
      return await this.o.nodeUsage?.();
    } catch (err) {
      this.o.log?.(`kubelet server: cannot read the node's usage: ${(err as Error).message}`);
      return undefined;
    }
  }
}
