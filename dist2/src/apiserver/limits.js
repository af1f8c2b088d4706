export const DEFAULT_LIMITS = {
    headersTimeoutMs: 32_000,
    requestTimeoutMs: 300_000,
    keepAliveTimeoutMs: 90_000,
    timeoutCheckIntervalMs: 1_000,
    maxConnections: 1024,
    maxWatchesPerClient: 100,
    maxWatchBacklogBytes: 8 * 1024 * 1024,
};
/** The node:http options that carry the limits (they must be given when the server is made). */
export function httpServerOptions(l) {
    return {
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: Math.max(l.requestTimeoutMs, l.headersTimeoutMs),
        connectionsCheckingInterval: l.timeoutCheckIntervalMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
    };
}
/** The limits that are settable on a made server. */
export function applyServerLimits(server, l) {
    server.maxConnections = l.maxConnections;
    server.keepAliveTimeout = l.keepAliveTimeoutMs;
}
//# sourceMappingURL=limits.js.map