/**
 * A work queue of keys with client-go's semantics (k8s.io/client-go/util/workqueue):
 * - a key added while it is queued is queued once (dedup);
 * - a key is handed to one worker at a time: added while being processed, it is marked dirty and queued again when
 *   the worker calls done() (so no change is lost and no key is processed twice at once);
 * - addAfter() delays a key (the earliest of several delays wins); addRateLimited() delays it by the rate limiter
 *   (rate-limit.ts) and forget() resets its back-off.
 * Timers run on the injected Clock.
 */
import type { Clock } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limit.js";

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: { cancel(): void } }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;
  readonly limiter: RateLimiter<K>;

  constructor(
    private readonly clock: Clock,
    limiter?: RateLimiter<K>,
  ) {
    this.limiter = limiter ?? defaultControllerRateLimiter<K>(clock);
  }

  /** Queues `key` unless it is already queued; if a worker holds it, it is queued again when done. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds `key` after `ms`; a key already waiting keeps the earlier of the two times. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const w = this.waiting.get(key);
    if (w && w.at <= at) return;
    w?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Adds `key` after the rate limiter's delay (a failed sync). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** The key succeeded: its back-off starts over. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** The next key, once there is one; undefined once the queue is shut down. The caller must call done(key). */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The worker finished `key`: if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  /** Keys queued (not those being processed or waiting on a delay). */
  len(): number {
    return this.queue.length;
  }

  /** Stops handing out keys: waiting getters get undefined, delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else this.queue.push(key);
  }

  private take(): K | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
