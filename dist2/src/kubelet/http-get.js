/**
 * One HTTP GET to a pod's port (httpGet probes and lifecycle hooks), over a stream from the PodDialer so it works
 * both to the pod IP and inside the pod's network namespace. Follows redirects that stay on the same host (up to
 * 10), as the kubelet's probe client does with followNonLocalRedirects=false (pkg/probe/http/http.go); HTTPS is
 * not verified (the kubelet sets InsecureSkipVerify). Errors read like Go's http.Client errors, which the kubelet
 * puts in its events: `Get "http://10.244.0.5:8080/healthz": dial tcp 10.244.0.5:8080: connect: connection refused`.
 */
import { request } from "node:http";
import { connect as tlsConnect } from "node:tls";
export class HttpGetError extends Error {
    url;
    detail;
    timeout;
    constructor(url, detail, timeout = false) {
        super(`Get "${url}": ${detail}`);
        this.url = url;
        this.detail = detail;
        this.timeout = timeout;
        this.name = "HttpGetError";
    }
}
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;
export const PROBE_USER_AGENT = "kube-probe/1.32";
/** GETs path on the endpoint; resolves with the final response, rejects with HttpGetError. */
export async function httpGet(dialer, endpoint, req, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let path = req.path || "/";
    for (let hop = 0;; hop++) {
        const url = urlOf(req.scheme, endpoint.host, req.port, path);
        const res = await getOnce(dialer, endpoint, { ...req, path }, url, Math.max(1, deadline - Date.now()));
        if (res.status < 300 || res.status >= 400 || !res.location)
            return res;
        const next = new URL(res.location, url);
        if (next.hostname !== endpoint.host || Number(next.port || defaultPort(req.scheme)) !== req.port) {
            return { status: res.status, body: res.body, offHostRedirect: next.href };
        }
        if (hop >= MAX_REDIRECTS)
            throw new HttpGetError(url, "stopped after 10 redirects");
        path = next.pathname + next.search;
    }
}
function defaultPort(scheme) {
    return scheme === "HTTPS" ? 443 : 80;
}
export function urlOf(scheme, host, port, path) {
    const h = host.includes(":") ? `[${host}]` : host;
    return `${scheme.toLowerCase()}://${h}:${port}${path.startsWith("/") ? path : `/${path}`}`;
}
async function connectFor(dialer, endpoint, req, url, timeoutMs) {
    let stream;
    try {
        stream = await dialer.dial(endpoint, req.port, timeoutMs);
    }
    catch (err) {
        const timedOut = err.kind === "timeout";
        throw new HttpGetError(url, timedOut ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)" : err.message, timedOut);
    }
    if (req.scheme !== "HTTPS")
        return stream;
    return tlsConnect({ socket: stream, rejectUnauthorized: false, servername: isIP(endpoint.host) ? undefined : endpoint.host });
}
const isIP = (h) => /^[\d.]+$/.test(h) || h.includes(":");
async function getOnce(dialer, endpoint, req, url, timeoutMs) {
    const started = Date.now();
    const stream = await connectFor(dialer, endpoint, req, url, timeoutMs);
    const headers = { "User-Agent": PROBE_USER_AGENT, Accept: "*/*", Connection: "close" };
    for (const h of req.headers)
        headers[h.name] = h.value;
    return new Promise((resolve, reject) => {
        const r = request({ method: "GET", host: endpoint.host, port: req.port, path: req.path, headers, createConnection: () => stream });
        const timer = setTimeout(() => {
            r.destroy();
            stream.destroy();
            reject(new HttpGetError(url, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)", true));
        }, Math.max(1, timeoutMs - (Date.now() - started)));
        r.on("error", (err) => {
            clearTimeout(timer);
            stream.destroy();
            reject(new HttpGetError(url, err.message));
        });
        r.on("response", (res) => {
            const chunks = [];
            let size = 0;
            res.on("data", (d) => {
                if (size < MAX_BODY)
                    chunks.push(d.subarray(0, MAX_BODY - size));
                size += d.length;
            });
            const done = () => {
                clearTimeout(timer);
                stream.destroy();
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), location: res.headers.location });
            };
            res.on("end", done);
            res.on("error", done);
        });
        r.end();
    });
}
//# sourceMappingURL=http-get.js.map