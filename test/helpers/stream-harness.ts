/**
 * A minimal API server for the streaming tests: just enough for real kubectl to reach exec, attach and
 * port-forward (`/version` with minor "32" so the gcloud dispatcher runs the built-in 1.32, legacy discovery of the
 * core group, one Running pod), with the upgrade route calling handleStreamUpgrade. Plus a fake PodIO that runs
 * exec commands as host processes and forwards "pod ports" to 127.0.0.1, and a kubectl runner.
 * The real router lives in src/apiserver; this stays deliberately small.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Duplex, type Readable } from "node:stream";
import { ApiError } from "../../src/api/errors.js";
import type { Pod, PodMetrics } from "../../src/api/types.js";
import type { ExecOptions, ExecSession, LogOptions, PodIO } from "../../src/api/pod-io.js";
import { handleStreamUpgrade } from "../../src/apiserver/streaming/index.js";

export const TOKEN = "stream-test-token";

export function runningPod(name = "web", containers = ["main"]): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", creationTimestamp: new Date().toISOString() },
    spec: { containers: containers.map((c) => ({ name: c, image: "busybox" })) },
    status: { phase: "Running", podIP: "10.0.0.2" },
  };
}

/** Host processes as "containers". Container "stopped" is not running; `ports` maps pod ports to 127.0.0.1 ports. */
export class FakePodIO implements PodIO {
  readonly execs: ExecOptions[] = [];
  readonly resizes: [number, number][] = [];
  readonly children = new Set<ChildProcess>();
  readonly upstreams = new Set<Socket>();
  /** What `attach` runs. */
  attachCommand = ["cat"];

  constructor(readonly ports: Record<number, number> = {}) {}

  logs(_pod: Pod, _opts: LogOptions): Promise<Readable> {
    return Promise.reject(ApiError.badRequest("logs are not faked"));
  }

  metrics(_pod: Pod): Promise<PodMetrics> {
    return Promise.reject(ApiError.badRequest("metrics are not faked"));
  }

  exec(pod: Pod, opts: ExecOptions): Promise<ExecSession> {
    this.execs.push(opts);
    if (opts.container === "stopped") {
      return Promise.reject(ApiError.badRequest(`container stopped in pod ${pod.metadata.name} is not running`));
    }
    return this.spawnSession(opts.command, opts.tty);
  }

  attach(_pod: Pod, opts: Omit<ExecOptions, "command">): Promise<ExecSession> {
    this.execs.push({ ...opts, command: [] });
    return this.spawnSession(this.attachCommand, opts.tty);
  }

  async portForward(_pod: Pod, port: number): Promise<Duplex> {
    const target = this.ports[port] ?? port;
    const socket = connect({ host: "127.0.0.1", port: target, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    this.upstreams.add(socket);
    socket.on("close", () => this.upstreams.delete(socket));
    return socket;
  }

  /** With a TTY the fake merges stderr into stdout and echoes each resize as `[resize WxH]` on stdout. */
  private async spawnSession(argv: string[], tty: boolean): Promise<ExecSession> {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e) => reject(new ApiError("InternalError", `exec ${argv[0]}: ${e.message}`)));
    });
    this.children.add(child);
    const exit = new Promise<number>((resolve) =>
      child.once("close", (code, signal) => {
        this.children.delete(child);
        resolve(code ?? (signal ? 128 + 9 : 1));
      }),
    );
    let stdout: NonNullable<ChildProcess["stdout"]> = child.stdout;
    let stderr: ChildProcess["stderr"] = child.stderr;
    const merged = new PassThrough();
    if (tty) {
      let open = 2;
      const endOne = (): void => void (--open === 0 && merged.end());
      for (const s of [child.stdout, child.stderr]) {
        s.on("data", (d: Buffer) => merged.write(d));
        s.on("end", endOne);
      }
      stdout = merged;
      stderr = null;
    }
    return {
      stdin: child.stdin,
      stdout,
      stderr,
      resize: (w, h) => {
        this.resizes.push([w, h]);
        if (tty && !merged.writableEnded) merged.write(`[resize ${w}x${h}]\n`);
      },
      exit,
      kill: () => child.kill("SIGKILL"),
    };
  }
}

/**
 * A self-signed certificate for 127.0.0.1, made with the openssl CLI. TLS is not optional: kubectl 1.32 does not send
 * a bearer token to an http:// server (seen: every request then gets 401).
 */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, "tls.key");
  const cert = join(dir, "tls.crt");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

export interface Harness {
  port: number;
  url: string;
  /** PEM of the server certificate (trust it to connect). */
  ca: string;
  /** The same API as plain HTTP on a unix socket. */
  socketPath: string;
  pod: Pod;
  io: FakePodIO;
  /** Requests seen: method, path and the upgrade-relevant headers. */
  requests: { method: string; url: string; upgrade: string; protocols: string }[];
  /** Upgraded or plain connections to the harness still open (to check that sessions close their sockets). */
  openConnections(): number;
  /** A kubeconfig for this server (token auth) and a fresh cache dir, in a temp dir removed by `close`. */
  kubeconfig: string;
  cacheDir: string;
  close(): Promise<void>;
}

/**
 * Starts the harness: HTTPS on 127.0.0.1 (for kubectl) and plain HTTP on a unix socket `socketPath` (nodelet's CLI
 * path, no TLS), both with the same routes.
 */
export async function startHarness(io = new FakePodIO(), pod = runningPod()): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "stream-harness-"));
  const requests: Harness["requests"] = [];
  const sockets = new Set<Duplex>();
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const tls = selfSignedCert(dir);
  const rest = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push(describe(req));
    serveRest(req, res, pod);
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    requests.push(describe(req));
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
    if (req.headers.authorization !== `Bearer ${TOKEN}` || !m || m[2] !== pod.metadata.name) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    const subresource = m[3] as "exec" | "attach" | "portforward";
    handleStreamUpgrade(req, socket, head, { subresource, pod, io, query: url.searchParams });
  };
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, rest);
  const local = createHttpServer(rest);
  server.on("secureConnection", track);
  local.on("connection", track);
  server.on("upgrade", upgrade);
  local.on("upgrade", upgrade);
  const socketPath = join(dir, "api.sock");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => local.listen(socketPath, resolve));
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigText(url, tls.cert));
  return {
    port,
    url,
    ca: tls.cert,
    socketPath,
    pod,
    io,
    requests,
    kubeconfig,
    cacheDir: join(dir, "cache"),
    openConnections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      for (const c of io.children) c.kill("SIGKILL");
      for (const u of io.upstreams) u.destroy();
      await Promise.all([server, local].map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function describe(req: IncomingMessage): Harness["requests"][number] {
  const protocols = req.headers["sec-websocket-protocol"] ?? req.headers["x-stream-protocol-version"] ?? "";
  return { method: req.method ?? "", url: req.url ?? "", upgrade: req.headers.upgrade ?? "", protocols: String(protocols) };
}

function kubeconfigText(server: string, ca: string): string {
  const caData = Buffer.from(ca).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: test\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${caData}`,
    "users:",
    `- name: test\n  user:\n    token: ${TOKEN}`,
    "contexts:",
    "- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: default",
    "current-context: test",
    "",
  ].join("\n");
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const POD_RESOURCES = ["pods", "pods/exec", "pods/attach", "pods/portforward", "pods/log"].map((name) => ({
  name,
  singularName: name === "pods" ? "pod" : "",
  namespaced: true,
  kind: name === "pods" ? "Pod" : name === "pods/log" ? "Pod" : "PodExecOptions",
  verbs: name === "pods" ? ["get", "list"] : ["get", "create"],
  shortNames: name === "pods" ? ["po"] : undefined,
}));

function serveRest(req: IncomingMessage, res: ServerResponse, pod: Pod): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/version") {
    return json(res, 200, { major: "1", minor: "32", gitVersion: "v1.32.4", platform: "linux/amd64" });
  }
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    return json(res, 401, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Unauthorized", code: 401 });
  }
  if (path === "/api") return json(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
  if (path === "/apis") return json(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: [] });
  if (path === "/api/v1") return json(res, 200, { kind: "APIResourceList", groupVersion: "v1", resources: POD_RESOURCES });
  if (path === `/api/v1/namespaces/default/pods/${pod.metadata.name}`) return json(res, 200, pod);
  const name = path.split("/").pop();
  return json(res, 404, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `pods "${name}" not found`,
    reason: "NotFound",
    details: { name, kind: "pods" },
    code: 404,
  });
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the harness; `input` is piped to its stdin (stdin is closed without it). */
export function kubectl(h: Harness, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const child = spawn("kubectl", [`--kubeconfig=${h.kubeconfig}`, `--cache-dir=${h.cacheDir}`, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  return collect(child, opts.input, opts.timeoutMs ?? 30_000);
}

/** Waits for a child, with its output; kills it after `timeoutMs`. */
export function collect(child: ChildProcess, input: string | undefined, timeoutMs: number): Promise<KubectlResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `kubectl port-forward pod/NAME :REMOTE`, with the local port it chose. */
export interface KubectlPortForward {
  port: number;
  stderr(): string;
  stop(): Promise<void>;
}

export async function kubectlPortForward(h: Harness, remote: number, env: Record<string, string> = {}): Promise<KubectlPortForward> {
  const child = spawn("kubectl", [`--kubeconfig=${h.kubeconfig}`, `--cache-dir=${h.cacheDir}`, "port-forward", `pod/${h.pod.metadata.name}`, `:${remote}`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubectl port-forward did not start: ${err}`)), 20_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`kubectl port-forward exited: ${err}`)));
  });
  return {
    port,
    stderr: () => err,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** GET http://127.0.0.1:port/path on a fresh connection. */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Test "pods" on 127.0.0.1: an HTTP server answering `ok <path>` (slowly enough that 20 requests overlap), and a
 * TCP server that reads until EOF, then answers with the byte count and closes (needs half-close end to end).
 */
export async function startBackends(): Promise<{ http: number; countAfterEof: number; close(): Promise<void> }> {
  const http = createHttpServer((req, res) => setTimeout(() => res.end(`ok ${req.url}`), 20));
  const tcp = createNetServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on("data", (d: Buffer) => (n += d.length));
    s.on("end", () => s.end(`got ${n}`));
    s.on("error", () => s.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  return {
    http: (http.address() as { port: number }).port,
    countAfterEof: (tcp.address() as { port: number }).port,
    async close() {
      http.closeAllConnections();
      await Promise.all([http, tcp].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
