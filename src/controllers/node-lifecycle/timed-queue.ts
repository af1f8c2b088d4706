/**
 * RateLimitedTimedQueue (pkg/controller/nodelifecycle/scheduler): nodes waiting for a NoExecute taint in one zone,
 * in the order they were added, released through a token bucket of burst 1 whose rate can be swapped as the zone's
 * state changes (rate 0: nothing is released). Pure over the times passed in.
 */

/** A token bucket of burst 1 (flowcontrol.NewTokenBucketRateLimiter(qps, 1)); qps 0 never accepts. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly qps: number,
    now: number,
  ) {
    this.tokens = qps > 0 ? 1 : 0;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Item {
  value: string;
  processAt: number;
  added: number;
}

export class RateLimitedTimedQueue {
  private items: Item[] = [];
  private limiter: TokenBucket;

  constructor(qps: number, now: number) {
    this.limiter = new TokenBucket(qps, now);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds `value` unless it is queued already. True when added. */
  add(value: string, now: number): boolean {
    if (this.items.some((i) => i.value === value)) return false;
    this.items.push({ value, processAt: now, added: now });
    return true;
  }

  remove(value: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.value !== value);
    return this.items.length !== before;
  }

  has(value: string): boolean {
    return this.items.some((i) => i.value === value);
  }

  /**
   * Hands each due item to `fn` while the limiter accepts (one token per item): done → removed; otherwise it is
   * retried `retryMs` later.
   */
  try(now: number, fn: (value: string) => { done: boolean; retryMs?: number }): void {
    const due = [...this.items].sort((a, b) => a.processAt - b.processAt || a.added - b.added);
    for (const item of due) {
      if (item.processAt > now) break;
      if (!this.limiter.tryAccept(now)) break;
      const r = fn(item.value);
      if (r.done) this.remove(item.value);
      else item.processAt = now + (r.retryMs ?? 0);
    }
  }

  /** SwapLimiter: a new rate; a bucket that was empty leaves the new one empty too (burst 1). */
  swapLimiter(qps: number, now: number): void {
    if (qps === this.limiter.qps) return;
    const next = new TokenBucket(qps, now);
    if (qps > 0 && !this.limiter.tryAccept(now)) next.tryAccept(now);
    this.limiter = next;
  }
}
