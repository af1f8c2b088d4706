/**
 * `nodelet dashboard`: the web view for a user of the node's root-only unix socket, on a listener of its own at
 * 127.0.0.1 (like `kubectl proxy`, plus a login). The first line it prints is a one-time login URL: opening it starts
 * a session (the same HttpOnly, Secure, SameSite=Strict cookie as the daemon's HTTPS listener; browsers treat a
 * loopback origin as secure); every other request needs that session and is forwarded to the daemon's /ui/ over the
 * socket, where it acts as the socket's user. Requests naming another Host are refused (DNS rebinding: a web page
 * of another site resolving its own name to 127.0.0.1 must not reach the node).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from "./cookies.js";
import { OneTimeLogins, sameSecret, SessionStore } from "./session.js";

export interface DashboardOptions {
  /** The daemon's unix socket. */
  socketPath: string;
  /** 0 picks a free port. */
  port: number;
  now?: () => number;
}

export interface Dashboard {
  /** The one-time login URL (printed first). */
  loginUrl: string;
  port: number;
  close(): Promise<void>;
}

const HEADERS = { "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" };
/** Request headers not passed to the daemon: the browser's credentials are this listener's, not the node's. */
const DROPPED = new Set(["cookie", "authorization", "host", "connection", "proxy-authorization"]);

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const now = o.now ?? Date.now;
  const sessions = new SessionStore(now);
  const logins = new OneTimeLogins(now);
  const server = createServer((req, res) => void serve(req, res, o.socketPath, port, sessions, logins));
  server.headersTimeout = 32_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    loginUrl: `http://127.0.0.1:${port}/ui/login?once=${logins.issue()}`,
    close: () => closeServer(server),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, socketPath: string, port: number, sessions: SessionStore, logins: OneTimeLogins): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = url.pathname;
  const method = req.method ?? "GET";
  if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return text(res, 421, "refused: this listener answers only to 127.0.0.1");
  if (path === "/") return redirect(res, "/ui/");
  if (path === "/ui/login" && method === "GET") {
    if (!logins.redeem(url.searchParams.get("once"))) return text(res, 403, "this login URL was used already or has expired: run `nodelet dashboard` again for a new one");
    return redirect(res, "/ui/", { "Set-Cookie": sessionCookie(sessions.create({ name: "nodelet-dashboard", groups: [] }).id) });
  }
  // The daemon's token login is for its HTTPS listener; here the one-time URL is the way in.
  if (path === "/ui/login") return redirect(res, "/ui/?login=dashboard");
  if (path === "/ui" || path === "/ui/" || path.startsWith("/ui/assets/")) return forward(req, res, socketPath, {});
  if (!path.startsWith("/ui/")) return text(res, 404, `no such page: ${path}`);
  const session = sessions.touch(cookieValue(req.headers.cookie, SESSION_COOKIE));
  if (path === "/ui/logout" && method === "POST") {
    const sent = req.headers["x-csrf-token"];
    if (session && (typeof sent !== "string" || !sameSecret(sent, session.csrf))) return json(res, 403, { error: "logout refused: missing or wrong X-CSRF-Token" });
    if (session) sessions.end(session.id);
    res.writeHead(204, { ...HEADERS, "Set-Cookie": clearedSessionCookie() });
    return void res.end();
  }
  if (!session) return json(res, 401, { error: "not logged in, or the session expired: run `nodelet dashboard` again for a login URL" }, { "Set-Cookie": clearedSessionCookie() });
  // The session document names the socket's user (the daemon's answer) and this listener's CSRF token.
  if (path === "/ui/api/session") return forward(req, res, socketPath, { csrf: session.csrf });
  forward(req, res, socketPath, {});
}

/** Passes one request to the daemon's socket and its answer back, streaming both ways (watches, followed logs). */
function forward(req: IncomingMessage, res: ServerResponse, socketPath: string, merge: Record<string, string>): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROPPED.has(k)) headers[k] = v;
  const merging = Object.keys(merge).length > 0;
  if (merging) delete headers["accept-encoding"];
  const up = request({ socketPath, method: req.method, path: req.url, headers: { ...headers, host: "localhost" } }, (answer) => {
    if (merging && answer.statusCode === 200) return void mergeJson(answer, res, merge);
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  up.on("error", (err) => {
    if (!res.headersSent) json(res, 502, { error: `the node's daemon does not answer on ${socketPath}: ${err.message}` });
    else res.destroy();
  });
  res.once("close", () => up.destroy());
  req.pipe(up);
}

function mergeJson(answer: IncomingMessage, res: ServerResponse, merge: Record<string, string>): void {
  const chunks: Buffer[] = [];
  answer.on("data", (c: Buffer) => chunks.push(c));
  answer.on("end", () => {
    const body = { ...(JSON.parse(Buffer.concat(chunks).toString()) as object), ...merge };
    json(res, 200, body);
  });
}

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const t = JSON.stringify(body);
  res.writeHead(code, { ...HEADERS, ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(t) });
  res.end(t);
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(`${body}`);
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...HEADERS, ...headers, Location: to, "Content-Length": 0 });
  res.end();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
