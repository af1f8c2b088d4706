/**
 * createApiServer: the Kubernetes-compatible API of one node, over HTTP/1.1 on a unix socket (root only: the local
 * administrator) and optionally HTTPS on TCP (client certificates, bearer tokens, ServiceAccount tokens), every
 * request authorized by RBAC (access.ts).
 *
 * Creating the server makes the initial namespaces; start() listens; close() stops listening and ends every open
 * connection, watches and exec sessions included.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { AdmissionContext } from "../api/admission.js";
import type { Store } from "../store/store.js";
import type { StartTraces } from "../sys/start-trace.js";
import { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
import type { KeyObject } from "node:crypto";
import { AuthenticatorChain, type Authenticator } from "../auth/authenticator.js";
import { ServiceAccountTokens } from "../auth/service-account-tokens.js";
import type { AuditPolicy } from "../auth/audit.js";
import { AuditLog } from "./audit-log.js";
import { generateSigningKey } from "../auth/signing-key.js";
import { ClientCertAuthenticator } from "../auth/client-cert.js";
import { BootstrapTokenAuthenticator } from "../auth/bootstrap-token.js";
import { RbacAuthorizer, type Authorizer } from "../auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../auth/rbac/bootstrap.js";
import { PolicyIndex } from "../auth/rbac/policy-index.js";
import { NodeAndRbacAuthorizer, NodeAuthorizer } from "../auth/node/authorizer.js";
import { registerNodeRestriction } from "./node-restriction.js";
import { registerCertificateHooks } from "./certificates.js";
import { registerEscalationChecks } from "./rbac-escalation.js";
import { StaticTokenAuthenticator } from "../auth/token-file.js";
import { LOCAL_ADMIN, SYSTEM_MASTERS, type UserInfo } from "../auth/user.js";
import { authenticate, authorize } from "./access.js";
import type { NodeUsage, ServerContext } from "./context.js";
import { handleRequest } from "./dispatch.js";
import { sendError } from "./http.js";
import type { ObjectApi } from "../api/object-api.js";
import { LocalApi } from "./local-api.js";
import { listPodMetrics } from "./handlers/metrics.js";
import type { PodMetrics } from "../api/types.js";
import { Hooks, type CreateHook, type DeleteHook, type UpdateHook } from "./hooks.js";
import { applyServerLimits, DEFAULT_LIMITS, httpServerOptions, type ServerLimits } from "./limits.js";
import { listenTcp, listenUnix } from "./listen.js";
import { defaultNamespace, ensureInitialNamespaces, startNamespaceReaper } from "./namespaces.js";
import type { PodIO } from "../api/pod-io.js";
import { handleUpgrade } from "./upgrade.js";
import { Registry } from "../metrics/registry.js";
import { RequestMetrics } from "./request-metrics.js";
import { WatchLimiter } from "./watch-limits.js";

export interface TcpListenerOptions {
  /** Address to bind, e.g. "127.0.0.1" or "0.0.0.0". */
  host: string;
  /** Port; 0 picks a free one (see ApiServer.tcpAddress). */
  port: number;
  /** The node's admin bearer token (a system:masters user, `nodelet-admin`); "" for none. */
  token: string;
  /** PEM CA whose client certificates authenticate (CN = user, O = groups); the listener then asks for one. */
  clientCA?: string;
  /** PEM certificate and key (tls.ts ensureServingCert makes them). */
  cert: string;
  key: string;
}

export interface ApiServerOptions {
  store: Store;
  podIO: PodIO;
  /** This node's name: pods are bound to it, node metrics are reported for it. */
  nodeName: string;
  /** Unix socket path (default /run/nodelet/nodelet.sock); null serves no unix socket. */
  socketPath?: string | null;
  /** HTTPS listener with bearer-token authentication, for kubectl (`--listen HOST:PORT`). */
  tcp?: TcpListenerOptions;
  /** More authenticators for the TCP listener, after the client certificate and the admin token (token file, ServiceAccount tokens). */
  authenticators?: Authenticator[];
  /** Default: the Node authorizer, then RBAC over the store's roles and bindings (the defaults are created when missing). */
  authorizer?: Authorizer;
  /**
   * ServiceAccount tokens: the signing key (default: a fresh one, so tokens die with the server), the issuer and the
   * API's audiences (default: the issuer). Such tokens authenticate on the TCP listener.
   */
  serviceAccounts?: { signingKey?: KeyObject; issuer?: string; audiences?: string[] };
  /** The audit log (`--audit-log-path`) and its policy (auth/audit.ts). */
  audit?: { path: string; policy: AuditPolicy };
  /** Passed to admitCreate/admitUpdate; default { nodeName }. */
  admission?: AdmissionContext;
  /** Clock in ms (tables' ages, deletion deadlines); default Date.now. */
  now?: () => number;
  /** Debug log: one line per request. Omit to log nothing. */
  log?: (line: string) => void;
  /** Interval of BOOKMARK events on watches that allow them; default 30 s. */
  bookmarkIntervalMs?: number;
  /**
   * What `/metrics` exposes besides the API server's request metrics (which it registers in `metrics`), and what
   * `/metrics/cadvisor` exposes (404 when absent). Default: a registry of its own, no cadvisor endpoint.
   */
  metrics?: Registry;
  cadvisorMetrics?: Registry;
  /** Whole-node CPU/memory for NodeMetrics; default: the sum of the node's pods. */
  nodeUsage?: () => Promise<NodeUsage>;
  /** Pod start traces: a pod's create request is the first step of its start. */
  traces?: StartTraces;
  /** Timeouts, connection and watch bounds; each defaults to DEFAULT_LIMITS (limits.ts). */
  limits?: Partial<ServerLimits>;
}

export interface ApiServer {
  readonly nodeName: string;
  /** The unix socket path, or undefined when none is served. */
  readonly socketPath: string | undefined;
  /** Listens on the configured socket and TCP address. */
  start(): Promise<void>;
  /** The bound TCP address once started (port resolved when 0 was asked), or undefined. */
  tcpAddress(): { host: string; port: number } | undefined;
  /** Stops listening, ends all connections (watches, logs, exec sessions) and the namespace reaper. */
  close(): Promise<void>;
  /** See hooks.ts: runs on every API create of `kind`, after admission, before the store write. */
  registerCreateHook(kind: string, fn: CreateHook): () => void;
  /** See hooks.ts: runs on every API update/patch of `kind`. */
  registerUpdateHook(kind: string, fn: UpdateHook): () => void;
  /** See hooks.ts: runs before every API delete (and eviction) of `kind`. */
  registerDeleteHook(kind: string, fn: DeleteHook): () => void;
  /**
   * Serves every authenticated request whose path starts with `prefix` with `handler` instead of the Kubernetes
   * routes (nodelet's own API: images, explain). Not advertised in discovery.
   */
  registerHandler(prefix: string, handler: ExtraHandler): void;
  /**
   * Serves every request whose path starts with `prefix` with `handler`, authenticated or not, before the API's own
   * authentication: the web view (src/ui/), which authenticates by its session cookie and authorizes through `access`.
   */
  registerPublicHandler(prefix: string, handler: PublicHandler): void;
  /** The ServiceAccount token issuer (the kubelet's projected tokens come from it). */
  readonly serviceAccountTokens: ServiceAccountTokens;
  /** The API for in-process controllers: the same admission, hooks and deletion rules as requests (local-api.ts). */
  objectApi(): ObjectApi;
  /** What metrics.k8s.io lists for pods of `namespace` matching `labelSelector`, in-process (the autoscaler's source). */
  podMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]>;
}

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** What a public handler may do with the listener's authentication and the API's authorization. */
export interface ListenerAccess {
  /** The user the listener itself vouches for: the local administrator on the root-only unix socket; undefined on TCP. */
  listenerUser: UserInfo | undefined;
  /** The user a bearer token authenticates as on this listener (the TCP authenticator chain), or undefined. */
  login(token: string): UserInfo | undefined;
  /** Throws the API's 403 ApiError unless `user` may make this request (RBAC on the method and path). */
  authorize(user: UserInfo, method: string, path: string): void;
  /** Serves `req` as if it had been made to `path` (path and query) by `user`: authorization and the API's handlers. */
  serveAs(user: UserInfo, req: IncomingMessage, res: ServerResponse, path: string): void;
}

export type PublicHandler = (req: IncomingMessage, res: ServerResponse, url: URL, access: ListenerAccess) => Promise<void>;

export function createApiServer(opts: ApiServerOptions): ApiServer {
  const hooks = new Hooks();
  hooks.registerCreateHook("Namespace", defaultNamespace);
  registerNodeRestriction(hooks);
  registerCertificateHooks(hooks);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  ensureBootstrapPolicy(opts.store);
  let policy: PolicyIndex | undefined;
  if (!opts.authorizer) policy = new PolicyIndex().follow(opts.store);
  const ctx: ServerContext = {
    authorizer: opts.authorizer ?? new NodeAndRbacAuthorizer(new NodeAuthorizer(opts.store), new RbacAuthorizer(policy!)),
    tokens: new ServiceAccountTokens({ ...opts.serviceAccounts, privateKey: opts.serviceAccounts?.signingKey ?? generateSigningKey(), store: opts.store, now: opts.now }),
    limits,
    watches: new WatchLimiter(limits.maxWatchesPerClient),
    store: opts.store,
    podIO: opts.podIO,
    nodeName: opts.nodeName,
    admission: opts.admission ?? { nodeName: opts.nodeName },
    hooks,
    now: opts.now ?? Date.now,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
    nodeUsage: opts.nodeUsage,
    traces: opts.traces,
    metrics: { main: opts.metrics ?? new Registry(), cadvisor: opts.cadvisorMetrics },
  };
  registerEscalationChecks(hooks, ctx.authorizer);
  ensureInitialNamespaces(opts.store);
  return new Listeners(ctx, opts, () => policy?.stop());
}

/** The user of the node's admin token. */
export const ADMIN_TOKEN_USER: UserInfo = { name: "nodelet-admin", groups: [SYSTEM_MASTERS] };

class Listeners implements ApiServer {
  readonly nodeName: string;
  readonly socketPath: string | undefined;
  readonly serviceAccountTokens: ServiceAccountTokens;
  private readonly servers: Server[] = [];
  private readonly upgraded = new Set<Duplex>();
  private tcp: { host: string; port: number } | undefined;
  private readonly audit: AuditLog | undefined;
  private stopReaper: (() => void) | undefined;
  private readonly requests: RequestMetrics;

  constructor(
    private readonly ctx: ServerContext,
    private readonly opts: ApiServerOptions,
    private readonly stopPolicy: () => void,
  ) {
    this.nodeName = ctx.nodeName;
    this.serviceAccountTokens = ctx.tokens;
    this.requests = new RequestMetrics(ctx.metrics.main);
    this.audit = opts.audit ? new AuditLog(opts.audit.path, opts.audit.policy, ctx.authorizer) : undefined;
    this.socketPath = opts.socketPath === null ? undefined : opts.socketPath ?? DEFAULT_SOCKET_PATH;
  }

  objectApi(): ObjectApi {
    return new LocalApi(this.ctx);
  }

  podMetrics(namespace: string, labelSelector: string): Promise<PodMetrics[]> {
    return listPodMetrics(this.ctx, namespace, labelSelector);
  }

  registerCreateHook(kind: string, fn: CreateHook): () => void {
    return this.ctx.hooks.registerCreateHook(kind, fn);
  }

  registerUpdateHook(kind: string, fn: UpdateHook): () => void {
    return this.ctx.hooks.registerUpdateHook(kind, fn);
  }

  registerDeleteHook(kind: string, fn: DeleteHook): () => void {
    return this.ctx.hooks.registerDeleteHook(kind, fn);
  }

  private readonly extra: { prefix: string; handler: ExtraHandler }[] = [];

  registerHandler(prefix: string, handler: ExtraHandler): void {
    this.extra.push({ prefix, handler });
  }

  private readonly publicHandlers: { prefix: string; handler: PublicHandler }[] = [];

  registerPublicHandler(prefix: string, handler: PublicHandler): void {
    this.publicHandlers.push({ prefix, handler });
  }

  /** The extra handler that claims the request's path, if any. */
  private extraHandler(req: IncomingMessage): ExtraHandler | undefined {
    if (this.extra.length === 0) return undefined;
    const path = (req.url ?? "/").split("?")[0];
    return this.extra.find((e) => path.startsWith(e.prefix))?.handler;
  }

  tcpAddress(): { host: string; port: number } | undefined {
    return this.tcp;
  }

  async start(): Promise<void> {
    this.stopReaper = startNamespaceReaper(this.ctx.store);
    if (this.socketPath) {
      const unix = this.wire(createHttpServer(httpServerOptions(this.ctx.limits)), () => LOCAL_ADMIN, { listenerUser: LOCAL_ADMIN, login: () => undefined });
      await listenUnix(unix, this.socketPath);
    }
    const t = this.opts.tcp;
    if (t) {
      // HTTP/1.1 only: no h2 over ALPN, since exec/port-forward need HTTP/1.1 upgrades (reference §10).
      // A client certificate is asked for, not required: token users connect without one (verified → authorized).
      const clientCerts = t.clientCA ? { requestCert: true, rejectUnauthorized: false, ca: t.clientCA } : {};
      const https = createHttpsServer({ ...httpServerOptions(this.ctx.limits), cert: t.cert, key: t.key, ALPNProtocols: ["http/1.1"], ...clientCerts });
      const chain = new AuthenticatorChain([
        ...(t.clientCA ? [new ClientCertAuthenticator()] : []),
        ...(t.token ? [new StaticTokenAuthenticator([{ token: t.token, user: ADMIN_TOKEN_USER }])] : []),
        ...(this.opts.authenticators ?? []),
        new BootstrapTokenAuthenticator(this.ctx.store, { now: () => this.ctx.now(), log: this.opts.log }),
        this.ctx.tokens,
      ]);
      this.wire(https, (req) => authenticate(chain, req), { listenerUser: undefined, login: (token) => tokenUser(chain, token) });
      const addr = await listenTcp(https, t.host, t.port);
      this.tcp = { host: t.host, port: addr.port };
    }
  }

  async close(): Promise<void> {
    this.stopReaper?.();
    this.stopPolicy();
    for (const s of this.upgraded) s.destroy();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    await this.audit?.close();
  }

  /** The public handler that claims the request's path, if any. */
  private publicHandler(req: IncomingMessage): PublicHandler | undefined {
    if (this.publicHandlers.length === 0) return undefined;
    const path = (req.url ?? "/").split("?")[0];
    return this.publicHandlers.find((e) => path.startsWith(e.prefix))?.handler;
  }

  /** An authenticated (or not: 401) request to the API's routes or to an extra handler, authorized first. */
  private serve(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined): void {
    const extra = user && this.extraHandler(req);
    if (!extra) return void handleRequest(this.ctx, req, res, user);
    try {
      authorize(this.ctx.authorizer, user, req.method ?? "GET", req.url ?? "/");
    } catch (err) {
      return sendError(res, err);
    }
    void extra(req, res, new URL(req.url ?? "/", "http://localhost"));
  }

  /** Attaches the request and upgrade handlers, with the listener's authentication, to a server. */
  private wire<S extends Server>(server: S, authenticate: (req: IncomingMessage) => UserInfo | undefined, listener: Pick<ListenerAccess, "listenerUser" | "login">): S {
    const log = this.opts.log;
    applyServerLimits(server, this.ctx.limits);
    const access: ListenerAccess = {
      ...listener,
      authorize: (user, method, path) => void authorize(this.ctx.authorizer, user, method, path),
      serveAs: (user, req, res, path) => {
        req.url = path;
        this.serve(req, res, user);
      },
    };
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (log) logWhenDone(log, req, res);
      this.requests.observe(req, res);
      const pub = this.publicHandler(req);
      if (pub) return void pub(req, res, new URL(req.url ?? "/", "http://localhost"), access);
      const user = authenticate(req);
      this.audit?.observe(req, res, user);
      this.serve(req, res, user);
    });
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      log?.(`${req.method} ${req.url} upgrade`);
      this.upgraded.add(socket);
      socket.once("close", () => this.upgraded.delete(socket));
      const user = authenticate(req);
      this.audit?.observe(req, undefined, user);
      handleUpgrade(this.ctx, req, socket, head, user);
    });
    this.servers.push(server);
    return server;
  }
}

/** The user a bearer token names on the TCP listener (as a request carrying it would authenticate), or undefined. */
function tokenUser(chain: AuthenticatorChain, token: string): UserInfo | undefined {
  const r = chain.authenticate({ token });
  return r && "user" in r ? r.user : undefined;
}

function logWhenDone(log: (line: string) => void, req: IncomingMessage, res: ServerResponse): void {
  const started = Date.now();
  res.once("close", () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
}
