/**
 * Controller expectations (pkg/controller/controller_utils.go ControllerExpectations): before a controller creates
 * or deletes N pods for an owner it records that it expects N adds or deletes; the informer's events count them
 * down. Until they are all seen (or 5 minutes pass, in case an event was lost), the owner's sync does not act on
 * its possibly stale cache, so it never creates twice for the same gap. Deletions are tracked by pod key, so a
 * delete that is observed twice (marked, then removed) counts once.
 */
import type { Clock } from "./clock.js";

/** ExpectationsTimeout: how long an unmet expectation holds a controller back. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** The owner is about to create `adds` objects and delete the objects keyed `deletes`. Replaces what was there. */
  expect(owner: string, adds: number, deletes: string[] = []): void {
    this.byOwner.set(owner, { adds, deletes: new Set(deletes), at: this.clock.now() });
  }

  /** One of the owner's creates was seen (or failed: then the controller lowers the count itself). */
  creationObserved(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e) e.adds--;
  }

  /** The deletion of `key` was seen (or failed). */
  deletionObserved(owner: string, key: string): void {
    this.byOwner.get(owner)?.deletes.delete(key);
  }

  /** True when the owner may act: nothing expected, everything seen, or the expectation expired. */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  /** The owner is gone: forget it. */
  delete(owner: string): void {
    this.byOwner.delete(owner);
  }
}
