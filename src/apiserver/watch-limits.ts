/**
 * Watch bounds: a count of open watches per client, and a guard that closes a watch whose client stopped reading.
 *
 * kube-apiserver's watch cache gives every watcher a bounded buffer and closes a watcher it cannot deliver to in
 * time ("Forcing watcher close due to unresponsiveness"); the client re-lists and watches again. Here the buffer
 * is the response's own write queue: once the bytes waiting for the client exceed the bound, the stream is
 * destroyed and its memory freed, instead of growing with every event for as long as the client sleeps.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../api/errors.js";

/** Counts open watches per client. */
export class WatchLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** Takes a slot for `client`; returns its release (safe to call twice). Throws 429 when the client is at the limit. */
  acquire(client: string): () => void {
    const n = this.open.get(client) ?? 0;
    if (n >= this.maxPerClient) {
      throw new ApiError("TooManyRequests", `too many watches open from this client (${this.maxPerClient}); close one and retry`, { retryAfterSeconds: 1 });
    }
    this.open.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    };
  }

  /** Open watches of `client` (for tests and metrics). */
  count(client: string): number {
    return this.open.get(client) ?? 0;
  }
}

/** Who a request comes from, for the per-client count: the TCP peer's address; every unix-socket client is root. */
export function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unix";
}

/**
 * Watches the bytes queued for `res` (in Node and in the socket, not yet taken by the kernel). settle() marks the
 * end of the initial events, which may be large and are sent at once; after it, check() destroys the response when
 * what is queued has grown more than `maxBytes` beyond the least it has been since, and says whether it did.
 */
export class BacklogGuard {
  private floor = 0;
  private settled = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
  ) {}

  settle(): void {
    this.floor = this.res.writableLength;
    this.settled = true;
  }

  check(): boolean {
    if (!this.settled) return false;
    const queued = this.res.writableLength;
    this.floor = Math.min(this.floor, queued);
    if (queued - this.floor <= this.maxBytes) return false;
    this.res.destroy();
    return true;
  }
}
