/**
 * Log-file preparation (log-files.ts): the pod's log directories made ahead (while its sandbox starts), then each
 * container's start clears its attempt's file and points its /var/log/containers link at it — also when the
 * directories were not made ahead (a pod adopted from a previous daemon) and when an old link is in the way.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeLogDirs, prepareLog } from "../../../src/runtime/log-files.js";

test("makeLogDirs makes every directory (nested, idempotent); prepareLog then only links", () => {
  const root = mkdtempSync(join(tmpdir(), "nodelet-logprep-"));
  try {
    const podDir = join(root, "pods", "default_p_uid");
    const dirs = [join(podDir, "init"), join(podDir, "app"), join(root, "containers")];
    makeLogDirs(dirs);
    makeLogDirs(dirs);
    for (const d of dirs) assert.ok(statSync(d).isDirectory(), d);
    const log = join(podDir, "app", "1.log");
    writeFileSync(log, "the previous run's\n");
    const link = join(root, "containers", "p_default_app-abc.log");
    writeFileSync(link, "an old file in the way");
    prepareLog(log, link);
    assert.equal(existsSync(log), false, "the attempt's file is cleared (the monitor creates it)");
    assert.equal(readlinkSync(link), log);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("prepareLog makes the link's directory when it was not made ahead", () => {
  const root = mkdtempSync(join(tmpdir(), "nodelet-logprep-"));
  try {
    const log = join(root, "pods", "default_p_uid", "app", "0.log");
    const link = join(root, "containers", "p_default_app-abc.log");
    prepareLog(log, link);
    assert.equal(readlinkSync(link), log);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
