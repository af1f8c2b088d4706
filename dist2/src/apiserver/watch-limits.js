import { ApiError } from "../api/errors.js";
/** Counts open watches per client. */
export class WatchLimiter {
    maxPerClient;
    open = new Map();
    constructor(maxPerClient) {
        this.maxPerClient = maxPerClient;
    }
    /** Takes a slot for `client`; returns its release (safe to call twice). Throws 429 when the client is at the limit. */
    acquire(client) {
        const n = this.open.get(client) ?? 0;
        if (n >= this.maxPerClient) {
            throw new ApiError("TooManyRequests", `too many watches open from this client (${this.maxPerClient}); close one and retry`, { retryAfterSeconds: 1 });
        }
        this.open.set(client, n + 1);
        let released = false;
        return () => {
            if (released)
                return;
            released = true;
            const left = (this.open.get(client) ?? 1) - 1;
            if (left > 0)
                this.open.set(client, left);
            else
                this.open.delete(client);
        };
    }
    /** Open watches of `client` (for tests and metrics). */
    count(client) {
        return this.open.get(client) ?? 0;
    }
}
/** Who a request comes from, for the per-client count: the TCP peer's address; every unix-socket client is root. */
export function clientOf(req) {
    return req.socket.remoteAddress ?? "unix";
}
/**
 * Watches the bytes queued for `res` (in Node and in the socket, not yet taken by the kernel). settle() marks the
 * end of the initial events, which may be large and are sent at once; after it, check() destroys the response when
 * what is queued has grown more than `maxBytes` beyond the least it has been since, and says whether it did.
 */
export class BacklogGuard {
    res;
    maxBytes;
    floor = 0;
    settled = false;
    constructor(res, maxBytes) {
        this.res = res;
        this.maxBytes = maxBytes;
    }
    settle() {
        this.floor = this.res.writableLength;
        this.settled = true;
    }
    check() {
        if (!this.settled)
            return false;
        const queued = this.res.writableLength;
        this.floor = Math.min(this.floor, queued);
        if (queued - this.floor <= this.maxBytes)
            return false;
        this.res.destroy();
        return true;
    }
}
//# sourceMappingURL=watch-limits.js.map