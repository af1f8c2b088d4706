/**
 * The daemon dies (kill -9) under running pods and comes back: running containers are re-adopted without a
 * restart, exits that happened while it was away are learned and acted on per restartPolicy, and a pod deleted
 * meanwhile (force, straight from the store's point of view) is torn down.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { openStore } from "../../src/store/sqlite-store.js";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, suiteDaemon } from "../helpers/daemon.js";
import { waitFor } from "../helpers/wait.js";
import { isSameProcess } from "../../src/sys/proc.js";

const skip = needsRoot();

describe("daemon restart (privileged)", { skip }, () => {
  const d = suiteDaemon("restart");

  const get = (name: string) => d.pod(name);

  test("kill -9 leaves pods running; the restarted daemon re-adopts them and learns exits", async () => {
    const manifest = join(d.root, "pods.yaml");
    const pod = (name: string, policy: string, cmd: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: ${policy}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "${cmd}"]\n`;
    writeFileSync(
      manifest,
      [pod("steady", "Always", "sleep 3600"), pod("finisher", "Never", "sleep 6; echo done"), pod("crasher", "Always", "sleep 6; exit 7")].join("---\n"),
    );
    await d.cli(["apply", "-f", manifest]);
    const before = await eventually(async () => {
      const pods = await Promise.all(["steady", "finisher", "crasher"].map(get));
      return pods.every((p) => p?.status?.containerStatuses?.[0]?.state.running) && pods;
    }, 30_000, "all running");
    const steadyId = before[0]!.status!.containerStatuses![0].containerID;

    await d.kill9();
    // While the daemon is down: finisher and crasher exit; their monitors record it (an exit record each in
    // ROOT/exits, which only a running daemon consumes). They live 6 s so that all three run at once even when a
    // loaded machine starts them seconds apart.
    const exitRecords = before.slice(1).map((p) => join(d.root, "exits", `${p!.status!.containerStatuses![0].containerID!.replace("nodelet://", "")}.json`));
    await waitFor("the exit records of finisher and crasher", () => exitRecords.every((f) => existsSync(f)), 30_000, 50);

    await d.start();
    const steady = await get("steady");
    assert.equal(steady!.status!.containerStatuses![0].containerID, steadyId, "the running container was not restarted");
    assert.equal(steady!.status!.containerStatuses![0].restartCount, 0);
    const finisher = await eventually(async () => (await get("finisher"))?.status?.phase === "Succeeded" && get("finisher"), 30_000, "finisher Succeeded");
    assert.equal(finisher.status!.containerStatuses![0].state.terminated!.exitCode, 0);
    assert.equal((await d.cli(["logs", "finisher"])).stdout, "done\n");
    const crasher = await eventually(async () => {
      const p = await get("crasher");
      return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
    }, 30_000, "crasher restarted");
    assert.equal(crasher.status!.containerStatuses![0].lastState.terminated!.exitCode, 7);
  });

  test("a pod deleted while the daemon was down is torn down when it comes back", async () => {
    await d.cli(["run", "orphan", "--image", "busybox", "--", "sleep", "3600"]);
    const p = await eventually(async () => {
      const x = await get("orphan");
      return x?.status?.containerStatuses?.[0]?.state.running && x;
    }, 10_000, "orphan running");
    const uid = p.metadata.uid!;
    const pid = d.runningPid(uid);
    assert.ok(pid && isSameProcess(pid));
    await d.kill9();
    // Another writer removes the pod from the store while no kubelet watches (as a force delete would).
    const store = openStore(join(d.root, "store.db"));
    store.delete("Pod", "default", "orphan");
    store.close();
    await d.start();
    await eventually(async () => !isSameProcess(pid), 10_000, "orphan's container stopped");
    await eventually(async () => !existsSync(join(d.root, "pods", uid)), 10_000, "orphan's pod directory removed");
  });
});

