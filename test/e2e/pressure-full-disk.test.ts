/**
 * Every state write survives a full disk (privileged): a daemon whose --root is a 64 MiB tmpfs of its own, with a
 * pod that exits every few seconds and restarts. The host fills the disk to the last block; the daemon's reserve
 * goes first and DiskPressure is written; then the host takes that room too, so the container records, exit
 * records, logs and store writes of the restarting pod all meet ENOSPC. The daemon stays up and answers, reports
 * the failed writes, and once some room is back it accepts `delete pod --force`, catches up, and its store is
 * intact.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, statfsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Node } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { suiteDaemon, eventually } from "../helpers/daemon.js";

const skip = needsRoot();

describe("state writes on a full disk (privileged)", { skip }, () => {
  const d = suiteDaemon("full-disk", ["--no-network", "--eviction-pressure-transition-period", "15s"], { tmpfs: "64m" });

  /** Fills the root's filesystem to the last block with a file of the test's own. */
  const fill = (name: string) => {
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(d.root, name)}`, "bs=64k"], { stdio: "ignore" });
    } catch {
      // dd ends with "No space left on device": that is the point
    }
    assert.equal(statfsSync(d.root).bavail, 0, "the disk is full");
  };
  const diskPressure = async () => {
    const r = await d.cli(["get", "nodes", "-o", "json"]);
    assert.equal(r.code, 0, `the daemon answers: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { items: Node[] }).items[0].status?.conditions?.find((c) => c.type === "DiskPressure")?.status;
  };

  test("the daemon stays up through ENOSPC on its records, logs and store; force delete works once room returns", async () => {
    // A static pod (critical: never evicted) keeps exiting and restarting under the pressure; "victim" just runs.
    mkdirSync(join(d.root, "manifests"), { recursive: true });
    writeFileSync(join(d.root, "manifests", "crasher.yaml"), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo up; sleep 2; exit 1"]\n`);
    const run = await d.cli(["run", "victim", "--image", "busybox", "--", "sleep", "3600"]);
    assert.equal(run.code, 0, run.stderr);
    const crasher = async () => (await d.pods()).find((p) => p.metadata.name?.startsWith("crasher-"));
    await eventually(async () => ((await crasher())?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, "the crasher restarting");
    const pid = d.pid!;

    fill("host-fill-1");
    await eventually(async () => /disk reserve of \d+ bytes released/.test(d.log), 30_000, "the reserve given back");
    await eventually(async () => (await diskPressure()) === "True", 30_000, "DiskPressure written with the reserve's room");
    const from = d.log.length;
    fill("host-fill-2");
    // The crasher exits and restarts every few seconds (back-off up to 40 s here): each needs records and a log.
    await eventually(async () => /ENOSPC|no space left on device|disk is full/i.test(d.log.slice(from)), 90_000, "a write meeting the full disk reported");
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(d.pid, pid, "the daemon is the same process: nothing killed it");
    assert.equal(await diskPressure(), "True", "reads still answer, and the condition stands");

    rmSync(join(d.root, "host-fill-2"));
    const del = await d.cli(["delete", "pod", "victim", "--force", "--grace-period=0"]);
    assert.equal(del.code, 0, del.stderr);
    await eventually(async () => (await d.pod("victim")) === undefined, 30_000, "the victim gone");
    rmSync(join(d.root, "manifests", "crasher.yaml"));
    await eventually(async () => (await crasher()) === undefined, 30_000, "the static pod gone with its manifest");
    assert.equal(d.pid, pid);

    await d.terminate();
    const db = new Database(join(d.root, "store.db"), { readonly: true });
    try {
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    } finally {
      db.close();
    }
  });
});
