/**
 * `nodelet reset --root DIR` removes the cgroups of a daemon that ran in another cgroup than the reset: the daemon
 * is started from a cgroup of the test's own (as a daemon started from another shell or service is), and the reset,
 * run from here, must find its cgroup parent where the daemon recorded it was, not under the reset's own cgroup.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { eventually, TestDaemon } from "../helpers/daemon.js";
import { parseCgroupMounts, parseProcCgroup } from "../../src/sys/cgroups/detect.js";

const skip = needsRoot();

/**
 * The host directory of this process's cgroup in the hierarchy that holds the memory controller (v1), or in the
 * unified one (v2): the hierarchy where a daemon's cgroup differed from the reset's and was left behind.
 */
function ownMemoryCgroupDir(): string {
  const mounts = parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8"));
  const self = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8"));
  const v1 = mounts.find((m) => m.fsType === "cgroup" && m.controllers.includes("memory"));
  const mount = v1 ?? mounts.find((m) => m.fsType === "cgroup2");
  if (!mount) throw new Error("no memory cgroup hierarchy");
  const path = self.find((e) => (v1 ? e.controllers.includes("memory") : e.controllers.length === 0))?.path ?? "/";
  const rel = mount.root !== "/" && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return join(mount.mountPoint, rel);
}

/** Removes an (empty of processes) cgroup directory and its children, deepest first. */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  rmdirSync(dir);
}

describe("reset --root of a daemon that ran in another cgroup (privileged)", { skip }, () => {
  const d = new TestDaemon("reset-cgroup");
  let own = "";
  let elsewhere = "";
  before(async () => {
    own = ownMemoryCgroupDir();
    elsewhere = join(own, `nodelet-e2e-elsewhere-${process.pid}`);
    mkdirSync(elsewhere);
    // The daemon inherits the cgroup it is spawned from; this process goes back at once.
    writeFileSync(join(elsewhere, "cgroup.procs"), String(process.pid));
    try {
      await d.start();
    } finally {
      writeFileSync(join(own, "cgroup.procs"), String(process.pid));
    }
  });
  after(async () => {
    await d.cleanup();
    // What a failed reset left of the daemon's cgroups (its pods are gone): ours to remove.
    if (elsewhere) removeCgroupTree(elsewhere);
    assert.deepEqual(d.leftovers(), [], "nothing of the daemon is left on the host");
  });

  test("removes the daemon's memory cgroup where the daemon made it", async () => {
    const r = await d.cli(["run", "p", "--image", "busybox", "--limits", "memory=64Mi", "--", "sleep", "3600"]);
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => (await d.pod("p"))?.status?.phase === "Running", 30_000, "pod Running");
    assert.ok(existsSync(join(elsewhere, d.cgroupParent)), "the daemon's cgroup parent is under the daemon's own cgroup");
    assert.ok(!existsSync(join(own, d.cgroupParent)), "and not under the test's");

    await d.terminate();
    const reset = await d.cli(["reset", "--root", d.root]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.ok(!existsSync(join(elsewhere, d.cgroupParent)), "the reset removed the daemon's memory cgroup parent");
  });
});
