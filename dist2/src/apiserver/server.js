/**
 * createApiServer: the Kubernetes-compatible API of one node, over HTTP/1.1 on a unix socket (root only: the local
 * administrator) and optionally HTTPS on TCP (client certificates, bearer tokens, ServiceAccount tokens), every
 * request authorized by RBAC (access.ts).
 *
 * Creating the server makes the initial namespaces; start() listens; close() stops listening and ends every open
 * connection, watches and exec sessions included.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { DEFAULT_SOCKET_PATH } from "../wire/defaults.js";
import { AuthenticatorChain } from "../auth/authenticator.js";
import { ServiceAccountTokens } from "../auth/service-account-tokens.js";
import { generateSigningKey } from "../auth/signing-key.js";
import { ClientCertAuthenticator } from "../auth/client-cert.js";
import { RbacAuthorizer } from "../auth/rbac/authorizer.js";
import { ensureBootstrapPolicy } from "../auth/rbac/bootstrap.js";
import { PolicyIndex } from "../auth/rbac/policy-index.js";
import { StaticTokenAuthenticator } from "../auth/token-file.js";
import { LOCAL_ADMIN, SYSTEM_MASTERS } from "../auth/user.js";
import { authenticate, authorize } from "./access.js";
import { handleRequest } from "./dispatch.js";
import { sendError } from "./http.js";
import { Hooks } from "./hooks.js";
import { applyServerLimits, DEFAULT_LIMITS, httpServerOptions } from "./limits.js";
import { listenTcp, listenUnix } from "./listen.js";
import { defaultNamespace, ensureInitialNamespaces, startNamespaceReaper } from "./namespaces.js";
import { handleUpgrade } from "./upgrade.js";
import { WatchLimiter } from "./watch-limits.js";
export function createApiServer(opts) {
    const hooks = new Hooks();
    hooks.registerCreateHook("Namespace", defaultNamespace);
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    ensureBootstrapPolicy(opts.store);
    let policy;
    if (!opts.authorizer)
        policy = new PolicyIndex().follow(opts.store);
    const ctx = {
        authorizer: opts.authorizer ?? new RbacAuthorizer(policy),
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
    };
    ensureInitialNamespaces(opts.store);
    return new Listeners(ctx, opts, () => policy?.stop());
}
/** The user of the node's admin token. */
export const ADMIN_TOKEN_USER = { name: "nodelet-admin", groups: [SYSTEM_MASTERS] };
class Listeners {
    ctx;
    opts;
    stopPolicy;
    nodeName;
    socketPath;
    serviceAccountTokens;
    servers = [];
    upgraded = new Set();
    tcp;
    stopReaper;
    constructor(ctx, opts, stopPolicy) {
        this.ctx = ctx;
        this.opts = opts;
        this.stopPolicy = stopPolicy;
        this.nodeName = ctx.nodeName;
        this.serviceAccountTokens = ctx.tokens;
        this.socketPath = opts.socketPath === null ? undefined : opts.socketPath ?? DEFAULT_SOCKET_PATH;
    }
    registerCreateHook(kind, fn) {
        return this.ctx.hooks.registerCreateHook(kind, fn);
    }
    registerUpdateHook(kind, fn) {
        return this.ctx.hooks.registerUpdateHook(kind, fn);
    }
    extra = [];
    registerHandler(prefix, handler) {
        this.extra.push({ prefix, handler });
    }
    /** The extra handler that claims the request's path, if any. */
    extraHandler(req) {
        if (this.extra.length === 0)
            return undefined;
        const path = (req.url ?? "/").split("?")[0];
        return this.extra.find((e) => path.startsWith(e.prefix))?.handler;
    }
    tcpAddress() {
        return this.tcp;
    }
    async start() {
        this.stopReaper = startNamespaceReaper(this.ctx.store);
        if (this.socketPath) {
            const unix = this.wire(createHttpServer(httpServerOptions(this.ctx.limits)), () => LOCAL_ADMIN);
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
                this.ctx.tokens,
            ]);
            this.wire(https, (req) => authenticate(chain, req));
            const addr = await listenTcp(https, t.host, t.port);
            this.tcp = { host: t.host, port: addr.port };
        }
    }
    async close() {
        this.stopReaper?.();
        this.stopPolicy();
        for (const s of this.upgraded)
            s.destroy();
        await Promise.all(this.servers.map((s) => new Promise((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
        })));
    }
    /** Attaches the request and upgrade handlers, with the listener's authentication, to a server. */
    wire(server, authenticate) {
        const log = this.opts.log;
        applyServerLimits(server, this.ctx.limits);
        server.on("request", (req, res) => {
            if (log)
                logWhenDone(log, req, res);
            const user = authenticate(req);
            const extra = user && this.extraHandler(req);
            if (!extra)
                return void handleRequest(this.ctx, req, res, user);
            try {
                authorize(this.ctx.authorizer, user, req.method ?? "GET", req.url ?? "/");
            }
            catch (err) {
                return sendError(res, err);
            }
            void extra(req, res, new URL(req.url ?? "/", "http://localhost"));
        });
        server.on("upgrade", (req, socket, head) => {
            log?.(`${req.method} ${req.url} upgrade`);
            this.upgraded.add(socket);
            socket.once("close", () => this.upgraded.delete(socket));
            handleUpgrade(this.ctx, req, socket, head, authenticate(req));
        });
        this.servers.push(server);
        return server;
    }
}
function logWhenDone(log, req, res) {
    const started = Date.now();
    res.once("close", () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
}
//# sourceMappingURL=server.js.map