import { setTimeout as sleep } from "node:timers/promises";

/**
 * Waits until `check` holds, polling every `pollMs`; fails (never hangs) after `timeoutMs` with what it waited for.
 * Every test that waits on a condition uses this, so no loop can outlive the test run's budget.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
  pollMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

/**
 * Polls `fn` every 100 ms until it returns a truthy value, and returns it; a throw counts as not yet (the last one is
 * named if the wait times out after `timeoutMs`).
 */
export async function eventually<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, what = "condition"): Promise<T> {
  let value: T | undefined | false;
  let last: unknown;
  const check = async () => {
    try {
      value = await fn();
      return Boolean(value);
    } catch (err) {
      last = err;
      return false;
    }
  };
  await waitFor(what, check, timeoutMs, 100).catch(() => {
    throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : last ? `: ${JSON.stringify(last)}` : ""}`);
  });
  return value as T;
}
