/**
 * One HTTP GET to a pod's port (httpGet probes and lifecycle hooks), over a stream from the PodDialer so it works
 * both to the pod IP and inside the pod's network namespace. Follows redirects that stay on the same host (up to
 * 10), as the kubelet's probe client does with followNonLocalRedirects=false (pkg/probe/http/http.go); HTTPS is
 * not verified (the kubelet sets InsecureSkipVerify). Errors read like Go's http.Client errors, which the kubelet
 * puts in its events: `Get "http://10.244.0.5:8080/healthz": dial tcp 10.244.0.5:8080: connect: connection refused`.
 * The timeout runs on the injected Clock, so its tests run on fake time.
 */
import { request } from "node:http";
import { connect as tlsConnect } from "node:tls";
import type { Duplex } from "node:stream";
import type { Clock } from "./clock.js";
import type { Dialer, PodEndpoint } from "./pod-dialer.js";

export interface HttpGetRequest {
  scheme: "HTTP" | "HTTPS";
  port: number;
  path: string;
  headers: { name: string; value: string }[];
}

export interface HttpGetResponse {
  status: number;
  /** The first 10 KiB of the body (the kubelet's maxRespBodyLength). */
  body: string;
  /** The response was a redirect to another host, which is not followed (the kubelet reports a warning). */
  offHostRedirect?: string;
}

export class HttpGetError extends Error {
  constructor(
    readonly url: string,
    readonly detail: string,
    readonly timeout = false,
  ) {
    super(`Get "${url}": ${detail}`);
    this.name = "HttpGetError";
  }
}

const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;
export const PROBE_USER_AGENT = "kube-probe/1.32";

/** GETs path on the endpoint; resolves with the final response, rejects with HttpGetError. */
export async function httpGet(dialer: Dialer, endpoint: PodEndpoint, req: HttpGetRequest, timeoutMs: number, clock: Clock): Promise<HttpGetResponse> {
  const deadline = clock.now() + timeoutMs;
  let path = req.path || "/";
  for (let hop = 0; ; hop++) {
    const url = urlOf(req.scheme, endpoint.host, req.port, path);
    const res = await getOnce(dialer, endpoint, { ...req, path }, url, deadline, clock);
    if (res.status < 300 || res.status >= 400 || !res.location) return res;
    const next = new URL(res.location, url);
    if (next.hostname !== endpoint.host || Number(next.port || defaultPort(req.scheme)) !== req.port) {
      return { status: res.status, body: res.body, offHostRedirect: next.href };
    }
    if (hop >= MAX_REDIRECTS) throw new HttpGetError(url, "stopped after 10 redirects");
    path = next.pathname + next.search;
  }
}

function defaultPort(scheme: string): number {
  return scheme === "HTTPS" ? 443 : 80;
}

export function urlOf(scheme: string, host: string, port: number, path: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `${scheme.toLowerCase()}://${h}:${port}${path.startsWith("/") ? path : `/${path}`}`;
}

async function connectFor(dialer: Dialer, endpoint: PodEndpoint, req: HttpGetRequest, url: string, timeoutMs: number): Promise<Duplex> {
  let stream: Duplex;
  try {
    stream = await dialer.dial(endpoint, req.port, timeoutMs);
  } catch (err) {
    const timedOut = (err as { kind?: string }).kind === "timeout";
    throw new HttpGetError(url, timedOut ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)" : (err as Error).message, timedOut);
  }
  if (req.scheme !== "HTTPS") return stream;
  return tlsConnect({ socket: stream, rejectUnauthorized: false, servername: isIP(endpoint.host) ? undefined : endpoint.host });
}

const isIP = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");

async function getOnce(
  dialer: Dialer,
  endpoint: PodEndpoint,
  req: HttpGetRequest,
  url: string,
  deadline: number,
  clock: Clock,
): Promise<HttpGetResponse & { location?: string }> {
  const stream = await connectFor(dialer, endpoint, req, url, Math.max(1, deadline - clock.now()));
  const headers: Record<string, string> = { "User-Agent": PROBE_USER_AGENT, Accept: "*/*", Connection: "close" };
  for (const h of req.headers) headers[h.name] = h.value;
  return new Promise((resolve, reject) => {
    const r = request({ method: "GET", host: endpoint.host, port: req.port, path: req.path, headers, createConnection: () => stream });
    const timer = clock.setTimeout(() => {
      r.destroy();
      stream.destroy();
      reject(new HttpGetError(url, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)", true));
    }, Math.max(1, deadline - clock.now()));
    r.on("error", (err) => {
      timer.cancel();
      stream.destroy();
      reject(new HttpGetError(url, err.message));
    });
    r.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (d: Buffer) => {
        if (size < MAX_BODY) chunks.push(d.subarray(0, MAX_BODY - size));
        size += d.length;
      });
      const done = () => {
        timer.cancel();
        stream.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), location: res.headers.location });
      };
      res.on("end", done);
      res.on("error", done);
    });
    r.end();
  });
}
