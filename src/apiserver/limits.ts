/**
 * Bounds on what a client can make the API server hold: how long it may take to send its headers and its request,
 * how long an idle keep-alive connection stays, how many connections a listener takes, how many watches one client
 * keeps open and how far a watcher may fall behind. The values follow kube-apiserver where it has one
 * (staging/src/k8s.io/apiserver/pkg/server/secure_serving.go: ReadHeaderTimeout 32 s, IdleTimeout 90 s).
 *
 * Node applies headersTimeout and requestTimeout only until a request has been received, so a watch or a log
 * stream answering for hours is not cut; an upgraded connection (exec, attach, port-forward) leaves the HTTP
 * server's bookkeeping altogether.
 */
import type { ServerOptions } from "node:http";
import type { Server } from "node:net";

export interface ServerLimits {
  /** The longest a client may take to send a request's headers (slowloris), ms. */
  headersTimeoutMs: number;
  /** The longest a client may take to send a whole request, body included, ms. */
  requestTimeoutMs: number;
  /** How long a keep-alive connection may sit idle between requests, ms. */
  keepAliveTimeoutMs: number;
  /** How often the timeouts above are checked, ms (Node's default, 30 s, would add up to 30 s to each). */
  timeoutCheckIntervalMs: number;
  /** Connections a listener accepts at once; more are closed as they arrive. */
  maxConnections: number;
  /** Watches one client (a TCP peer address; the unix socket is one client, root) may have open at once. */
  maxWatchesPerClient: number;
  /** Bytes of watch events waiting for a client that does not read, beyond its initial events, before it is closed. */
  maxWatchBacklogBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 32_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 90_000,
  timeoutCheckIntervalMs: 1_000,
  maxConnections: 1024,
  maxWatchesPerClient: 100,
  maxWatchBacklogBytes: 8 * 1024 * 1024,
};

/** The node:http options that carry the limits (they must be given when the server is made). */
export function httpServerOptions(l: ServerLimits): ServerOptions {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: Math.max(l.requestTimeoutMs, l.headersTimeoutMs),
    connectionsCheckingInterval: l.timeoutCheckIntervalMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
  };
}

/** The limits that are settable on a made server. */
export function applyServerLimits(server: Server & { keepAliveTimeout?: number }, l: ServerLimits): void {
  server.maxConnections = l.maxConnections;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
}
