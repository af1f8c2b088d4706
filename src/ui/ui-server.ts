/**
 * The web view's HTTP side, under /ui/ on the daemon's listeners:
 *   GET  /ui/                     the page (index.html; its script and style are /ui/assets/*), served before login
 *   POST /ui/login                form `token=…`: a token the listener accepts starts a session (cookie, 303 to /ui/)
 *   POST /ui/logout               X-CSRF-Token of the session: ends it (204, cookie cleared)
 *   GET  /ui/api/session          {user, groups, csrf} of the session, 401 without one
 *   GET  /ui/api/topology         the topology (topology.ts) as JSON; ?watch=1: Server-Sent Events, `topology` (whole)
 *                                 after a change of the objects, `counters` (the edges whose counters moved) on ticks
 *   GET  /ui/api/cluster          the Nodes with their pods and this node's routes to the others (cluster.ts)
 *   GET  /ui/api/usage/NS/NAME    the pod's CPU/memory points of the last 15 minutes
 *   GET  /ui/api/k8s/PATH         a GET of the Kubernetes API or /apis/nodelet.io (pods, events, nodes, logs,
 *                                 watches, explain) made as the session's user: the API's own RBAC decides
 * On TCP only the session cookie authenticates (a bearer token or client certificate is not looked at here, so no
 * ambient credential reaches the view); on the root-only unix socket the listener's user is the viewer (`nodelet
 * dashboard` keeps the sessions of its own listener). The view only reads: its one state-changing request besides
 * login is logout, which needs the session's CSRF token, and login refuses a cross-site Origin.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from "./cookies.js";
import type { Asset } from "./assets.js";
import { readTopology, type FeedEvent, type TopologyFeed, type TopologySource } from "./live.js";
import type { UsageSeries } from "./series.js";
import { scopeCounterDelta, scopeTopology, type Topology } from "./topology.js";
import type { Namespace, Node, Pod } from "../api/types.js";
import { buildClusterView, type ProgrammedRoutes } from "./cluster.js";
import { sameSecret, type SessionStore, type Viewer } from "./session.js";

/** What the listener offers the view (apiserver's ListenerAccess, structurally). */
export interface ViewAccess {
  listenerUser: Viewer | undefined;
  login(token: string): Viewer | undefined;
  authorize(user: Viewer, method: string, path: string): void;
  serveAs(user: Viewer, req: IncomingMessage, res: ServerResponse, path: string): void;
}

export interface UiDeps {
  sessions: SessionStore;
  assets: Map<string, Asset>;
  topology: TopologySource;
  feed: TopologyFeed;
  usage: UsageSeries;
  /** What this node programmed to reach the other nodes' pods (undefined: no pod network, or nothing yet). */
  crossNode?: () => ProgrammedRoutes | undefined;
}

/** The page may load only what the daemon serves, run only its own script, and be framed by nobody. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const COMMON_HEADERS = { "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" };
const MAX_LOGIN_BODY = 16 * 1024;
const KEEPALIVE_MS = 15_000;

/** The kinds the topology shows: a viewer must be allowed to list each, node-wide. */
const TOPOLOGY_READS = ["/api/v1/pods", "/api/v1/services", "/api/v1/endpoints"];

export class UiServer {
  constructor(private readonly d: UiDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, access: ViewAccess): Promise<void> {
    try {
      await this.route(req, res, url, access);
    } catch (err) {
      const code = errorCode(err);
      if (!res.headersSent) sendJson(res, code, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, access: ViewAccess): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path === "/ui" || path === "/ui/" || path === "/ui/index.html") return this.page(req, res, method);
    if (path.startsWith("/ui/assets/")) return this.asset(req, res, method, path.slice("/ui/assets/".length));
    if (path === "/ui/login") return method === "POST" ? this.login(req, res, access) : redirect(res, "/ui/");
    const viewer = this.viewer(req, access);
    if (path === "/ui/logout" && method === "POST") return this.logout(req, res, access);
    if (!viewer) return sendJson(res, 401, { error: "not logged in, or the session expired: log in again" }, { "Set-Cookie": clearedSessionCookie() });
    if (method !== "GET") return sendJson(res, 405, { error: `${method} is not allowed: the view only reads` });
    if (path === "/ui/api/session") return sendJson(res, 200, { user: viewer.user.name, groups: viewer.user.groups, csrf: viewer.csrf ?? "" });
    if (path === "/ui/api/topology") return this.topology(req, res, url, viewer.user, access);
    if (path === "/ui/api/cluster") return this.cluster(res, viewer.user, access);
    if (path.startsWith("/ui/api/usage/")) return this.usage(res, path.slice("/ui/api/usage/".length), viewer.user, access);
    if (path.startsWith("/ui/api/k8s/")) return access.serveAs(viewer.user, req, res, `/${path.slice("/ui/api/k8s/".length)}${url.search}`);
    sendJson(res, 404, { error: `no such page: ${path}` });
  }

  /** The session's user (and CSRF token), or the listener's own user on the unix socket. */
  private viewer(req: IncomingMessage, access: ViewAccess): { user: Viewer; csrf?: string } | undefined {
    if (access.listenerUser) return { user: access.listenerUser };
    const s = this.d.sessions.touch(cookieValue(req.headers.cookie, SESSION_COOKIE));
    return s && { user: s.user, csrf: s.csrf };
  }

  private page(req: IncomingMessage, res: ServerResponse, method: string): void {
    if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { error: `${method} is not allowed` });
    const index = this.d.assets.get("index.html");
    if (!index) return sendJson(res, 503, { error: "the web view's files were not built (make build writes dist/ui)" });
    sendAsset(req, res, index, { "Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY" });
  }

  private asset(req: IncomingMessage, res: ServerResponse, method: string, name: string): void {
    const a = name !== "index.html" ? this.d.assets.get(name) : undefined;
    if (!a || (method !== "GET" && method !== "HEAD")) return sendJson(res, 404, { error: `no such file: ${name}` });
    sendAsset(req, res, a, {});
  }

  private async login(req: IncomingMessage, res: ServerResponse, access: ViewAccess): Promise<void> {
    if (!sameOrigin(req)) return sendJson(res, 403, { error: "login refused: the form was posted from another site" });
    const token = new URLSearchParams(await readBody(req, MAX_LOGIN_BODY)).get("token")?.trim() ?? "";
    const user = token ? access.login(token) : undefined;
    if (!user) return redirect(res, "/ui/?login=failed");
    const s = this.d.sessions.create(user);
    redirect(res, "/ui/", { "Set-Cookie": sessionCookie(s.id) });
  }

  private logout(req: IncomingMessage, res: ServerResponse, access: ViewAccess): void {
    if (access.listenerUser) return sendJson(res, 400, { error: "this listener has no sessions to end" });
    const s = this.d.sessions.touch(cookieValue(req.headers.cookie, SESSION_COOKIE));
    const sent = req.headers["x-csrf-token"];
    if (s && (typeof sent !== "string" || !sameSecret(sent, s.csrf))) return sendJson(res, 403, { error: "logout refused: missing or wrong X-CSRF-Token" });
    if (s) this.d.sessions.end(s.id);
    res.writeHead(204, { ...COMMON_HEADERS, "Set-Cookie": clearedSessionCookie() });
    res.end();
  }

  /** undefined: the viewer may list everywhere; else the namespaces it may list pods, services and endpoints in. */
  private scope(user: Viewer, access: ViewAccess): string[] | undefined {
    try {
      for (const p of TOPOLOGY_READS) access.authorize(user, "GET", p);
      return undefined;
    } catch (err) {
      if (errorCode(err) !== 403) throw err;
      const may = (ns: string) => {
        try {
          for (const r of ["pods", "services", "endpoints"]) access.authorize(user, "GET", `/api/v1/namespaces/${encodeURIComponent(ns)}/${r}`);
          return true;
        } catch {
          return false;
        }
      };
      const namespaces = this.d.topology.store.list<Namespace>("Namespace").items.map((n) => n.metadata.name ?? "").filter(may);
      if (namespaces.length === 0) throw err;
      return namespaces;
    }
  }

  private async topology(req: IncomingMessage, res: ServerResponse, url: URL, user: Viewer, access: ViewAccess): Promise<void> {
    const scope = this.scope(user, access);
    const scoped = (t: Topology): Topology => (scope ? scopeTopology(t, scope) : t);
    if (url.searchParams.get("watch") !== "1") return sendJson(res, 200, scoped(await readTopology(this.d.topology)));
    res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": "text/event-stream; charset=utf-8", Connection: "keep-alive" });
    res.write("retry: 1000\n\n");
    const sessionId = access.listenerUser ? undefined : cookieValue(req.headers.cookie, SESSION_COOKIE);
    // A session that ended (logout, expiry) stops receiving: checked at each event and every KEEPALIVE_MS.
    const alive = (): boolean => {
      if (sessionId === undefined || this.d.sessions.alive(sessionId)) return true;
      res.end("event: expired\ndata: {}\n\n");
      return false;
    };
    // A scoped viewer's counter deltas are cut to the edges of the last topology it was sent.
    let seen: Set<string> | undefined;
    const eventOf = (e: FeedEvent): string => {
      if (e.kind === "counters") {
        if (!scope) return `event: counters\ndata: ${e.json}\n\n`;
        const mine = scopeCounterDelta(e.delta, seen ?? new Set());
        return Object.keys(mine.edges).length ? `event: counters\ndata: ${JSON.stringify(mine)}\n\n` : "";
      }
      if (e.kind === "error" || !scope) return `event: topology\ndata: ${e.json}\n\n`;
      const t = scoped(e.topology);
      seen = new Set(t.edges.map((x) => x.id));
      return `event: topology\ndata: ${JSON.stringify(t)}\n\n`;
    };
    const unsubscribe = this.d.feed.subscribe((e) => {
      const text = eventOf(e);
      if (text && alive()) res.write(text);
    });
    const keepalive = setInterval(() => void (alive() && res.write(": keepalive\n\n")), KEEPALIVE_MS);
    res.once("close", () => {
      clearInterval(keepalive);
      unsubscribe();
    });
  }

  /** The cluster view needs the viewer to list Nodes and pods cluster-wide (the API's 403 otherwise). */
  private cluster(res: ServerResponse, user: Viewer, access: ViewAccess): void {
    for (const p of ["/api/v1/nodes", "/api/v1/pods"]) access.authorize(user, "GET", p);
    const store = this.d.topology.store;
    sendJson(res, 200, buildClusterView(this.d.topology.nodeName, store.list<Node>("Node").items, store.list<Pod>("Pod").items, this.d.crossNode?.()));
  }

  private usage(res: ServerResponse, rest: string, user: Viewer, access: ViewAccess): void {
    const [ns, name] = rest.split("/").map(decodeURIComponent);
    if (!ns || !name) return sendJson(res, 404, { error: "usage of which pod? /ui/api/usage/NAMESPACE/NAME" });
    access.authorize(user, "GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`);
    sendJson(res, 200, { namespace: ns, name, points: this.d.usage.of(ns, name) });
  }
}

/**
 * A login form must come from this origin. Sec-Fetch-Site, which a browser sets and a page cannot, decides where
 * present (the page's Referrer-Policy no-referrer makes Chromium send `Origin: null` even for its own forms); else
 * the Origin header; a client that sends neither is not a browser and carries no ambient credentials to abuse.
 */
export function sameOrigin(req: Pick<IncomingMessage, "headers">): boolean {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin" || site === "none";
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function errorCode(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" && code >= 400 && code < 600 ? code : 500;
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...COMMON_HEADERS, ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...COMMON_HEADERS, ...headers, Location: to, "Content-Length": 0 });
  res.end();
}

function sendAsset(req: IncomingMessage, res: ServerResponse, a: Asset, headers: Record<string, string>): void {
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? a.gzip : a.body;
  res.writeHead(200, { ...COMMON_HEADERS, ...headers, "Content-Type": a.type, "Content-Length": body.length, ...(gzip ? { "Content-Encoding": "gzip" } : {}), Vary: "Accept-Encoding" });
  res.end(req.method === "HEAD" ? undefined : body);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error(`request body over ${limit} bytes`), { code: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}
