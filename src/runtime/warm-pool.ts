/**
 * The warm pool's rules, apart from the host (warm-sandboxes.ts makes and removes the sandboxes themselves): up to
 * `size` ready items, handed to claims oldest first (a dead one is skipped and removed), refilled one at a time in
 * the background — after a claim, once no pod start is under way (`busy`), so a refill never competes with the start
 * that emptied the slot — within the room the host allows (`room`: the pod addresses not kept for pods), backing
 * off after a failure. No timer runs while the pool is full: an idle node pays nothing for it.
 */
import type { Clock } from "../sys/clock.js";

export interface WarmPoolDeps<W> {
  clock: Clock;
  /** How many ready items the pool keeps (0: none). */
  size: number;
  make(): Promise<W>;
  /** Removes an item from the host; must not throw for an item already gone. */
  destroy(item: W): Promise<void>;
  /** Why the item can no longer be claimed (its pause process died, its veth is gone), or undefined: it can. */
  broken(item: W): string | undefined;
  /** How many more items the host has room for now (Infinity: no limit). */
  room(): number;
  /** Whether a pod start is under way: a refill waits (up to maxWaitMs) until none is. */
  busy(): boolean;
  report?(msg: string): void;
  /** After a claim, how long before the refill is tried (default 10 ms). */
  refillDelayMs?: number;
  /** How often a refill waiting for starts to finish looks again (default 5 ms). */
  busyRecheckMs?: number;
  /** The longest a refill waits for the node to be free of starts (default 1 s). */
  maxWaitMs?: number;
  /** After the first failed make the pool waits 1 s, doubling up to this (default 30 s). */
  maxBackoffMs?: number;
}

export class WarmPool<W> {
  private readonly ready: W[] = [];
  private making: Promise<void> | undefined;
  private timer: { cancel(): void } | undefined;
  private waitingSince: number | undefined;
  private failures = 0;
  private stopped = true;

  constructor(private readonly d: WarmPoolDeps<W>) {}

  /** Starts filling the pool (after refillDelayMs). */
  start(): void {
    if (this.d.size <= 0) return;
    this.stopped = false;
    this.schedule(this.d.refillDelayMs ?? 10);
  }

  /** Ready items now (not counting one being made). */
  get readyCount(): number {
    return this.ready.length;
  }

  /** The items the pool holds now, ready ones. */
  items(): readonly W[] {
    return this.ready;
  }

  /**
   * Hands out the oldest ready item that is still intact, or undefined; broken ones found on the way are removed (in
   * the background, reported, and told to `onBroken` with the reason). Synchronous: two claims never get the same
   * item. The refill follows in the background.
   */
  take(onBroken?: (why: string) => void): W | undefined {
    let found: W | undefined;
    while (!found && this.ready.length) {
      const w = this.ready.shift()!;
      const why = this.d.broken(w);
      if (why === undefined) found = w;
      else {
        this.discard(w, why);
        onBroken?.(why);
      }
    }
    this.poke();
    return found;
  }

  /**
   * Takes in an item a previous daemon made (found intact at start): false when the pool is full (or off), and the
   * caller removes it.
   */
  adopt(item: W): boolean {
    if (this.ready.length >= this.d.size) return false;
    this.ready.push(item);
    return true;
  }

  /** Gives back an item a claim could not use after all (it is removed: its state is unknown). */
  discard(item: W, why: string): void {
    this.d.report?.(`warm sandbox removed: ${why}`);
    void this.d.destroy(item).catch((err: unknown) => this.d.report?.(`cannot remove a warm sandbox: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Removes the ready items that broke (the runtime's resync), and refills. */
  prune(): void {
    for (const w of [...this.ready]) {
      const why = this.d.broken(w);
      if (why === undefined) continue;
      this.ready.splice(this.ready.indexOf(w), 1);
      this.discard(w, why);
    }
    this.poke();
  }

  /**
   * Gives one ready item back to the host at once (a pod needs its address): true if there was one. The refill
   * will not take the address again while room() says no.
   */
  async release(): Promise<boolean> {
    const w = this.ready.shift();
    if (w === undefined) return false;
    await this.d.destroy(w);
    return true;
  }

  /** Something changed (a claim, a pod removed): a refill is scheduled if the pool is short and none is pending. */
  poke(): void {
    if (this.stopped || this.timer || this.making || this.ready.length >= this.d.size) return;
    this.schedule(this.d.refillDelayMs ?? 10);
  }

  /** Stops refilling and waits for a make under way (whose item is removed); the ready items stay on the host. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.making;
  }

  /** Stops refilling, waits for a make under way, and removes every ready item from the host. */
  async drain(): Promise<void> {
    await this.stop();
    for (const w of this.ready.splice(0)) await this.d.destroy(w).catch((err: unknown) => this.d.report?.(`cannot remove a warm sandbox: ${err instanceof Error ? err.message : String(err)}`));
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = undefined;
      this.refill();
    }, ms);
  }

  private refill(): void {
    if (this.stopped || this.making || this.ready.length >= this.d.size) return;
    if (this.d.room() <= 0) return; // poked again when a pod goes
    if (this.d.busy()) {
      this.waitingSince ??= this.d.clock.now();
      if (this.d.clock.now() - this.waitingSince < (this.d.maxWaitMs ?? 1000)) {
        this.schedule(this.d.busyRecheckMs ?? 5);
        return;
      }
    }
    this.waitingSince = undefined;
    this.making = this.d
      .make()
      .then(
        (w) => {
          this.failures = 0;
          if (this.stopped) return this.d.destroy(w).catch(() => undefined);
          this.ready.push(w);
        },
        (err: unknown) => {
          this.failures++;
          const backoff = Math.min(this.d.maxBackoffMs ?? 30_000, 1000 * 2 ** (this.failures - 1));
          this.d.report?.(`cannot make a warm sandbox (${err instanceof Error ? err.message : String(err)}); trying again in ${backoff / 1000} s`);
          return backoff;
        },
      )
      .then((backoff) => {
        this.making = undefined;
        if (typeof backoff === "number") {
          if (!this.stopped) this.schedule(backoff);
        } else if (!this.stopped && this.ready.length < this.d.size) {
          this.refill();
        }
      });
  }
}
