/**
 * Monitors are watched (privileged): a container's monitor killed with SIGKILL is noticed within 1 s through the
 * daemon's pidfd on it; the container, left with nobody holding its stdio, is killed through its own pidfd and
 * reported as exit 137 (SIGKILL), restarted per its restart policy, with a MonitorLost event; after a daemon
 * restart the re-adopted monitors are watched again.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Event } from "../../src/api/types.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

describe("lost monitors (privileged)", { skip }, () => {
  const d = suiteDaemon("monitors", ["--no-network", "--resync", "300"]);

  const running = async (uid: string, attempt: number) =>
    eventually(async () => d.containerRecords(uid).find((r) => r.state === "running" && r.attempt === attempt && r.monitorPid), 20_000, `attempt ${attempt} running`);

  /**
   * SIGKILLs the monitor of the running attempt and times the pidfd path from the daemon's own clocks, not from this
   * test's polling: `ended`, the container's finishedAt (the pidwatch helper's time of seeing it gone after its
   * SIGKILL); `written`, the mtime of the container record the daemon wrote on handling it; `seen`, when this test
   * first read that record (a 10 ms poll). All in ms after the kill was sent.
   */
  async function killMonitor(uid: string, attempt: number) {
    const rec = await running(uid, attempt);
    const file = join(d.root, "pods", uid, "containers", rec.id, "container.json");
    const killedAt = Date.now();
    process.kill(rec.monitorPid!, "SIGKILL");
    for (;;) {
      const now = d.containerRecords(uid).find((r) => r.id === rec.id);
      if (now?.state === "exited") {
        const seen = Date.now() - killedAt;
        const ended = Date.parse(now.finishedAt!) - killedAt;
        const written = Math.round(statSync(file).mtimeMs) - killedAt;
        return { ended, written, seen, exitCode: now.exitCode, reason: now.reason, pid: rec.pid! };
      }
      if (Date.now() - killedAt > 30_000) assert.fail("the lost monitor was not noticed within 30 s");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  test("a monitor killed with SIGKILL: noticed within 1 s, the container killed (137), restarted, an event", async (t) => {
    const file = `/tmp/nodelet-monitor-${process.pid}.yaml`;
    writeFileSync(file, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: watched\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n`);
    const r = await d.cli(["apply", "-f", file]);
    rmSync(file, { force: true });
    assert.equal(r.code, 0, r.stderr);
    const pod = await eventually(async () => {
      const p = await d.pod("watched");
      return p?.status?.phase === "Running" && p;
    }, 20_000, "watched running");
    const uid = pod.metadata.uid!;

    const first = await killMonitor(uid, 0);
    t.diagnostic(`lost monitor: container ended ${first.ended} ms after the kill, record written at ${first.written} ms, read at ${first.seen} ms`);
    // The pidfd tells at once: the container's recorded end is the helper's own time, so the 1 s is measured
    // on the path itself, not on a loaded daemon's or this test's scheduling. The daemon's resync is 300 s here, so
    // a record written within 30 s can only come from the pidfd.
    assert.ok(first.ended >= 0 && first.ended < 1000, `container ended ${first.ended} ms after its monitor was killed`);
    assert.ok(first.written < 30_000, `record written ${first.written} ms after the kill`);
    assert.equal(first.exitCode, 137);
    assert.equal(isSameProcess(first.pid), false, "the container's process is gone with its monitor");

    const restarted = await eventually(async () => {
      const p = await d.pod("watched");
      const s = p?.status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state.running && p;
    }, 20_000, "restarted under restartPolicy Always");
    const last = restarted.status!.containerStatuses![0].lastState.terminated!;
    assert.equal(last.exitCode, 137);
    assert.match(last.message ?? "", /monitor \(pid \d+\) was lost; the container was stopped with SIGKILL/);
    const events = (JSON.parse((await d.cli(["get", "events", "-o", "json"])).stdout) as { items: Event[] }).items;
    const lost = events.find((e) => e.reason === "MonitorLost" && e.involvedObject.name === "watched");
    assert.ok(lost, "a MonitorLost event");
    assert.equal(lost.type, "Warning");
    assert.equal(lost.involvedObject.fieldPath, "spec.containers{c}");

    // Re-adoption: a restarted daemon watches the monitors it finds.
    await d.terminate();
    await d.start();
    const second = await killMonitor(uid, 1);
    t.diagnostic(`after a daemon restart: ended ${second.ended} ms, written ${second.written} ms, read ${second.seen} ms after the kill`);
    assert.ok(second.ended >= 0 && second.ended < 1000, `container ended ${second.ended} ms after the kill, after a daemon restart`);
    assert.ok(second.written < 30_000, `record written ${second.written} ms after the kill, after a daemon restart`);
    assert.equal(second.exitCode, 137);
    await eventually(async () => (await d.pod("watched"))?.status?.containerStatuses?.[0]?.restartCount === 2, 20_000, "restarted again");
    await d.cli(["delete", "pod", "watched", "--now"]);
  });
});
