/**
 * The kubelet surviving itself (privileged): kill -9 under 50 running pods with restarts in flight — nothing
 * healthy restarts, back-off resumes where it was; a crash's leftovers (a pod cgroup, pause process, mount and
 * directory no record owns) are removed at start; SIGTERM leaves pods running; --cleanup-on-exit stops them.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { isSameProcess } from "../../src/sys/proc.js";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon, TestDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

const pods = (d: TestDaemon): Promise<Pod[]> => d.pods();

const steadyYaml = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`;
const crasherYaml = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "sleep 1; exit 1"]\n`;

describe("kubelet restart under 50 pods (privileged)", { skip }, () => {
  const d = suiteDaemon("restart50");

  test("kill -9 with restarts in flight: healthy containers keep running, crash loops resume their back-off", async () => {
    const file = join(d.root, "fifty.yaml");
    const names = [...Array(40).keys()].map((i) => `steady-${i}`);
    const crashers = [...Array(10).keys()].map((i) => `crash-${i}`);
    writeFileSync(file, [...names.map(steadyYaml), ...crashers.map(crasherYaml)].join("---\n"));
    const applied = await d.cli(["apply", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    // Every steady pod running, every crasher in its first back-off (10 s after its second exit).
    const before = await eventually(async () => {
      const all = await pods(d);
      const steady = all.filter((p) => p.metadata.name!.startsWith("steady-"));
      const looping = all.filter((p) => p.metadata.name!.startsWith("crash-"));
      const ok = steady.length === 40 && steady.every((p) => p.status?.containerStatuses?.[0]?.state.running)
        && looping.length === 10 && looping.every((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === "CrashLoopBackOff");
      return ok && all;
    }, 90_000, "40 running and 10 in CrashLoopBackOff");
    const ids = new Map(before.map((p) => [p.metadata.name!, p.status!.containerStatuses![0].containerID]));
    await d.kill9();
    await new Promise((r) => setTimeout(r, 500));
    await d.start();
    assert.match(d.log, /re-adopted \d+ pods in \d+ ms/);
    // The restarted daemon: no steady container restarted.
    const afterSteady = await eventually(async () => {
      const all = await pods(d);
      return all.filter((p) => p.metadata.name!.startsWith("steady-")).every((p) => p.status?.containerStatuses?.[0]?.state.running) && all;
    }, 30_000, "steady pods still running");
    for (const p of afterSteady.filter((x) => x.metadata.name!.startsWith("steady-"))) {
      assert.equal(p.status!.containerStatuses![0].containerID, ids.get(p.metadata.name!), `${p.metadata.name} was not restarted`);
      assert.equal(p.status!.containerStatuses![0].restartCount, 0);
    }
    // Crashers: the next start waits out the back-off that was running when the daemon died (10 s after the
    // exit), instead of starting at once as a daemon without the persisted back-off would. The runtime's records
    // of attempts 1 (exited before the kill) and 2 (started by the new daemon) show it.
    // Read at every look while waiting: the records are kept for the current and previous attempts only, so a crasher
    // that reached attempt 3 (21 s after attempt 2 on a loaded machine's slow listing) has lost attempt 1's.
    const waited = new Map<string, number>();
    await eventually(async () => {
      const all = (await pods(d)).filter((p) => p.metadata.name!.startsWith("crash-"));
      for (const p of all) {
        const byAttempt = new Map(d.containerRecords(p.metadata.uid!).map((r) => [r.attempt, r]));
        const [one, two] = [byAttempt.get(1), byAttempt.get(2)];
        if (one?.finishedAt && two) waited.set(p.metadata.name!, Date.parse(two.createdAt) - Date.parse(one.finishedAt));
      }
      return all.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2) && all;
    }, 60_000, "crashers restarted after their back-off");
    for (const [name, ms] of waited) assert.ok(ms >= 9000, `${name}: attempt 2 started ${ms} ms after attempt 1 exited (back-off 10 s)`);
    assert.ok(waited.size >= 5, `checked ${waited.size} crashers`);
    const del = await d.cli(["delete", "-f", file, "--grace-period", "1"]);
    assert.equal(del.code, 0, del.stderr);
  });

  test("what a crash left behind (cgroup, pause process, mount, directory with no record) is removed at start", async () => {
    await d.cli(["run", "ghost", "--image", "busybox", "--", "sleep", "3600"]);
    const p = await eventually(async () => {
      const x = (await pods(d)).find((q) => q.metadata.name === "ghost");
      return x?.status?.containerStatuses?.[0]?.state.running && x;
    }, 20_000, "ghost running");
    const uid = p.metadata.uid!;
    const podDir = join(d.root, "pods", uid);
    const sandbox = JSON.parse(readFileSync(join(podDir, "sandbox.json"), "utf8")) as { pid: number };
    await d.kill9();
    // As if the daemon had died before writing its records: the host state is there, the records are not.
    rmSync(join(podDir, "sandbox.json"));
    for (const id of readdirSync(join(podDir, "containers"))) rmSync(join(podDir, "containers", id, "container.json"));
    await d.start();
    assert.match(d.log, /removed what a crash left behind: cgroup .*pod/);
    assert.match(d.log, /removed what a crash left behind: mount .*shm/);
    assert.ok(!isSameProcess(sandbox.pid), "the orphaned pause process is gone");
    // The pod object still exists, so the kubelet builds it again from scratch.
    await eventually(async () => (await pods(d)).find((q) => q.metadata.name === "ghost")?.status?.containerStatuses?.[0]?.state.running, 20_000, "ghost rebuilt");
    assert.ok(existsSync(join(podDir, "sandbox.json")));
    await d.cli(["delete", "pod", "ghost", "--now"]);
  });

  test("SIGTERM stops the daemon and leaves pods running; the next start re-adopts them", async () => {
    await d.cli(["run", "keeper", "--image", "busybox", "--", "sleep", "3600"]);
    const p = await eventually(async () => {
      const x = (await pods(d)).find((q) => q.metadata.name === "keeper");
      return x?.status?.containerStatuses?.[0]?.state.running && x;
    }, 20_000, "keeper running");
    await d.terminate();
    assert.match(d.log, /stopping \(pods keep running\)/);
    assert.ok(isSameProcess(d.containerRecords(p.metadata.uid!)[0].pid!), "the container outlived the daemon");
    await d.start();
    const again = (await pods(d)).find((q) => q.metadata.name === "keeper")!;
    assert.equal(again.status!.containerStatuses![0].containerID, p.status!.containerStatuses![0].containerID);
    await d.cli(["delete", "pod", "keeper", "--now"]);
  });
});


describe("--cleanup-on-exit (privileged)", { skip }, () => {
  const d = new TestDaemon("cleanup", ["--cleanup-on-exit"]);
  after(async () => {
    await d.cleanup();
    assert.deepEqual(d.leftovers(), []);
  });

  test("SIGTERM with --cleanup-on-exit stops and removes every pod, static ones too", async () => {
    await d.start();
    // A bare sleep as PID 1 ignores SIGTERM and would hold the stop for the default 30 s grace: s has a 1 s grace,
    // p1 (run has no grace flag) exits on SIGTERM.
    writeFileSync(join(d.root, "manifests", "s.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n");
    await d.cli(["run", "p1", "--image", "busybox", "--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]);
    await eventually(async () => {
      const all = await pods(d);
      return all.length === 2 && all.every((x) => x.status?.containerStatuses?.[0]?.state.running);
    }, 30_000, "both running");
    await d.terminate();
    assert.match(d.log, /stopping \(removing every pod\)/);
    assert.deepEqual(readdirSync(join(d.root, "pods")), [], "no pod left on the host");
    assert.deepEqual(d.leftovers(), []);
  });
});
