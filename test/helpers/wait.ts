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
