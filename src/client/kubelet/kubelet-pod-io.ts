/**
 * The control plane's PodIO: a pod's logs, exec, attach, port-forward and metrics come from the kubelet of the node
 * it is bound to (kube-apiserver's pkg/kubelet/client), over HTTPS to the kubelet's port
 * (kubelet/server/kubelet-server.ts) with the API server's kubelet client certificate, checking the kubelet's serving
 * certificate against the cluster CA and the address dialled.
 *
 * - logs: GET /containerLogs/NS/POD/CONTAINER with the log options; the response body is the stream.
 * - exec/attach: a WebSocket (v5.channel.k8s.io) to /exec|/attach/NS/POD/CONTAINER; its channels become the
 *   ExecSession the API server's streaming code frames for kubectl, whatever protocol kubectl chose (SPDY or
 *   WebSocket), as kube-apiserver's stream translator does.
 * - port-forward: one `Upgrade: nodelet-tcp` connection a forwarded stream to /portForward/NS/POD?port=P: after the
 *   101 the TLS connection is the pod's TCP stream (half-closes carried), so kubectl's framing ends here.
 * - metrics: GET /stats/summary, one fetch per node shared by the calls of one second (`kubectl top pod` asks for
 *   every pod of a namespace at once); the node's part of it is the node's NodeMetrics (`kubectl top node`).
 * A kubelet that cannot be reached is a 500 naming the URL and the cause, as upstream's "Get https://…: dial tcp …".
 */
import { request as httpRequest } from "node:http";
import { isIP } from "node:net";
import type { Duplex, Readable } from "node:stream";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { ApiError, type StatusReason } from "../../api/errors.js";
import type { ExecOptions, ExecSession, LogOptions, PodIO } from "../../api/pod-io.js";
import type { Node, NodeMetrics, Pod, PodMetrics, Status } from "../../api/types.js";
import { dialWebSocket, StreamError } from "../streaming/dial.js";
import { decodeStatus } from "../streaming/exec.js";
import { dialRawTunnel } from "../streaming/raw-tunnel.js";
import { nodeMetricsFrom, podMetricsFrom, type Summary } from "../../api/kubelet-summary.js";
import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { ERROR_CHANNEL, EXEC_CLIENT_PROTOCOLS, RESIZE_CHANNEL, resizeMessage, STDERR_CHANNEL, STDIN_CHANNEL, STDOUT_CHANNEL } from "../../api/remotecommand.js";
import { DEFAULT_ADDRESS_TYPES, DEFAULT_KUBELET_PORT, kubeletEndpoint, podNodeName, type KubeletEndpoint } from "./kubelet-address.js";

export interface KubeletClientOptions {
  /** The Node of a name, as the API holds it (undefined: none). */
  node(name: string): Node | undefined;
  /** The cluster CA: kubelets' serving certificates must chain to it. */
  ca: string;
  /** The API server's client certificate for kubelets (CN kube-apiserver-kubelet-client) and its key. */
  cert: string;
  key: string;
  preferredAddressTypes?: readonly string[];
  defaultPort?: number;
  /** How long a node's summary serves metrics calls; default 1 s. */
  summaryTtlMs?: number;
  now?: () => number;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class KubeletPodIO implements PodIO {
  private readonly summaries = new Map<string, { at: number; summary: Promise<Summary> }>();

  constructor(private readonly o: KubeletClientOptions) {}

  private endpoint(pod: Pod): KubeletEndpoint {
    const nodeName = podNodeName(pod);
    const node = this.o.node(nodeName);
    if (!node) throw ApiError.notFound("nodes", nodeName);
    return this.endpointOf(node);
  }

  private endpointOf(node: Node): KubeletEndpoint {
    return kubeletEndpoint(node, this.o.preferredAddressTypes ?? DEFAULT_ADDRESS_TYPES, this.o.defaultPort ?? DEFAULT_KUBELET_PORT);
  }

  /** A TLS connection to the kubelet, its certificate checked against the CA and the address dialled. */
  private connect(ep: KubeletEndpoint): TLSSocket {
    const socket = tlsConnect({
      host: ep.host,
      port: ep.port,
      ...(isIP(ep.host) ? {} : { servername: ep.host }),
      ca: this.o.ca,
      cert: this.o.cert,
      key: this.o.key,
      ALPNProtocols: ["http/1.1"],
    });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`dial tcp ${ep.host}:${ep.port}: i/o timeout`)));
    socket.once("secureConnect", () => socket.setTimeout(0));
    return socket;
  }

  async logs(pod: Pod, opts: LogOptions): Promise<Readable> {
    const ep = this.endpoint(pod);
    const q = new URLSearchParams();
    if (opts.follow) q.set("follow", "true");
    if (opts.previous) q.set("previous", "true");
    if (opts.timestamps) q.set("timestamps", "true");
    if (opts.tailLines !== undefined) q.set("tailLines", String(opts.tailLines));
    if (opts.sinceSeconds !== undefined) q.set("sinceSeconds", String(opts.sinceSeconds));
    if (opts.sinceTime !== undefined) q.set("sinceTime", opts.sinceTime);
    if (opts.limitBytes !== undefined) q.set("limitBytes", String(opts.limitBytes));
    const path = `/containerLogs/${podPath(pod)}/${encodeURIComponent(opts.container)}${q.size ? `?${q.toString()}` : ""}`;
    return this.get(ep, path);
  }

  async exec(pod: Pod, opts: ExecOptions): Promise<ExecSession> {
    return this.stream(pod, "exec", opts);
  }

  async attach(pod: Pod, opts: Omit<ExecOptions, "command">): Promise<ExecSession> {
    return this.stream(pod, "attach", { ...opts, command: [] });
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    const ep = this.endpoint(pod);
    const path = `/portForward/${podPath(pod)}?port=${port}`;
    try {
      const { socket, early } = await dialRawTunnel(() => this.connect(ep), path, { host: `${ep.host}:${ep.port}` });
      if (early.length) socket.unshift(early);
      return socket;
    } catch (err) {
      throw asApiError(err, ep, path);
    }
  }

  async metrics(pod: Pod): Promise<PodMetrics> {
    const m = podMetricsFrom(await this.summary(this.endpoint(pod)), pod);
    if (!m) throw ApiError.notFound("podmetrics", pod.metadata.name ?? "", "metrics.k8s.io");
    return m;
  }

  /** The NodeMetrics of a node, from its kubelet's summary; NotFound when the kubelet reports no node usage. */
  async nodeMetrics(node: Node): Promise<NodeMetrics> {
    const m = nodeMetricsFrom(await this.summary(this.endpointOf(node)), node);
    if (!m) throw ApiError.notFound("nodes", node.metadata.name ?? "", "metrics.k8s.io");
    return m;
  }

  /** A node's summary, one fetch shared by the calls of `summaryTtlMs`. */
  private async summary(ep: KubeletEndpoint): Promise<Summary> {
    const now = (this.o.now ?? Date.now)();
    let cached = this.summaries.get(ep.nodeName);
    if (!cached || now - cached.at > (this.o.summaryTtlMs ?? 1000)) {
      cached = { at: now, summary: this.readJson<Summary>(ep, "/stats/summary?only_cpu_and_memory=true") };
      this.summaries.set(ep.nodeName, cached);
      cached.summary.catch(() => this.summaries.delete(ep.nodeName));
    }
    return cached.summary;
  }

  /** An exec or attach session on the kubelet, as an ExecSession. */
  private async stream(pod: Pod, op: "exec" | "attach", opts: ExecOptions): Promise<ExecSession> {
    const ep = this.endpoint(pod);
    const q = new URLSearchParams();
    for (const c of opts.command) q.append("command", c);
    q.set("input", opts.stdin ? "1" : "0");
    q.set("output", opts.stdout ? "1" : "0");
    q.set("error", opts.stderr && !opts.tty ? "1" : "0");
    q.set("tty", opts.tty ? "1" : "0");
    const path = `/${op}/${podPath(pod)}/${encodeURIComponent(opts.container)}?${q.toString()}`;
    let dialed;
    try {
      dialed = await dialWebSocket(() => this.connect(ep), path, EXEC_CLIENT_PROTOCOLS, { host: `${ep.host}:${ep.port}` });
    } catch (err) {
      throw asApiError(err, ep, path);
    }
    const { ws, protocol } = dialed;
    const conn = new ChannelConn(ws, framingFor(protocol));
    const status: Buffer[] = [];
    conn.inbound(ERROR_CHANNEL).on("data", (c: Buffer) => status.push(c));
    const output = (ch: number, wanted: boolean): Readable | null => {
      const r = conn.inbound(ch);
      if (wanted) return r;
      r.resume();
      return null;
    };
    const stdout = output(STDOUT_CHANNEL, opts.stdout);
    const stderr = output(STDERR_CHANNEL, opts.stderr && !opts.tty);
    const stdin = opts.stdin ? conn.outbound(STDIN_CHANNEL, true) : null;
    const exit = new Promise<number>((resolve, reject) => {
      conn.start((info) => {
        if (info.error) return reject(new ApiError("InternalError", `error from the kubelet of node ${ep.nodeName}: ${info.error.message}`));
        try {
          resolve(decodeStatus(Buffer.concat(status)));
        } catch (err) {
          reject(asApiError(err, ep, path));
        }
      });
    });
    return {
      stdin,
      stdout,
      stderr,
      exit,
      resize: (width, height) => void conn.send(RESIZE_CHANNEL, resizeMessage(width, height)),
      kill: () => ws.close(),
    };
  }

  /** A GET whose 200 body is streamed; any other answer is its Status as an ApiError. */
  private get(ep: KubeletEndpoint, path: string): Promise<Readable> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ method: "GET", path, createConnection: () => this.connect(ep), headers: { Host: `${ep.host}:${ep.port}` } }, (res) => {
        if (res.statusCode === 200) return resolve(res);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= 65536) chunks.push(c);
        });
        res.on("end", () => reject(statusError(res.statusCode ?? 500, Buffer.concat(chunks).toString("utf8"))));
        res.on("error", (err) => reject(asApiError(err, ep, path)));
      });
      req.on("error", (err) => reject(asApiError(err, ep, path)));
      req.end();
    });
  }

  private async readJson<T>(ep: KubeletEndpoint, path: string): Promise<T> {
    const body = await this.get(ep, path);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of body as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 64 << 20) throw new ApiError("InternalError", `the kubelet of node ${ep.nodeName} answered ${path} with more than 64 MiB`);
      chunks.push(c);
    }
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
  }
}

function podPath(pod: Pod): string {
  return `${encodeURIComponent(pod.metadata.namespace ?? "default")}/${encodeURIComponent(pod.metadata.name ?? "")}`;
}

const REASONS = new Set<string>(["BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Invalid", "MethodNotAllowed", "InternalError", "ServiceUnavailable", "TooManyRequests", "Timeout"]);

/** The kubelet's Status as the same ApiError (reason, message, code); a body that is none is a 500 with its text. */
function statusError(code: number, body: string): ApiError {
  try {
    const s = JSON.parse(body) as Status;
    if (s.kind === "Status" || s.message) return fromStatus(s, code);
  } catch {
    // plain text
  }
  return new ApiError("InternalError", body.trim() || `the kubelet answered HTTP ${code}`, {}, code);
}

function fromStatus(s: Status, code: number): ApiError {
  const reason = (REASONS.has(s.reason ?? "") ? s.reason : "InternalError") as StatusReason;
  return new ApiError(reason, s.message ?? `the kubelet answered HTTP ${code}`, s.details ?? {}, s.code ?? code);
}

/** A refusal with a Status keeps it; a connection that failed says which URL and why. */
function asApiError(err: unknown, ep: KubeletEndpoint, path: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StreamError && err.status) return fromStatus(err.status, err.status.code ?? 500);
  const why = err instanceof Error ? err.message : String(err);
  return new ApiError("InternalError", `Get "https://${ep.host}:${ep.port}${path.split("?")[0]}": ${why}`);
}
