/**
 * fsGroup as the kubelet applies it: the modes it gives, when OnRootMismatch skips the walk, and a walk that
 * changes a tree (to the test's own group, so no root is needed) without following a link out of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsGroupOf, ownedMode, rootNeedsChange, setVolumeOwnership } from "../../../src/storage/fs-group.js";

test("modes: group rw (ro for read-only volumes), directories setgid and group x", () => {
  assert.equal(ownedMode(0o644, false, false), 0o664);
  assert.equal(ownedMode(0o400, false, true), 0o440, "a Secret file with defaultMode 0400 becomes group-readable");
  assert.equal(ownedMode(0o777, true, false), 0o2777, "the emptyDir root: drwxrwsrwx");
  assert.equal(ownedMode(0o1777, true, true), 0o3777, "a tmpfs root: drwxrwsrwt");
  assert.equal(ownedMode(0o755, true, true), 0o2755);
});

test("OnRootMismatch: a root with the group, the bits and setgid needs nothing", () => {
  const dir = (gid: number, mode: number) => ({ gid, mode, isDirectory: () => true });
  const p = { gid: 2000, readOnly: false };
  assert.equal(rootNeedsChange(dir(2000, 0o42777), p), false);
  assert.equal(rootNeedsChange(dir(0, 0o42777), p), true, "wrong group");
  assert.equal(rootNeedsChange(dir(2000, 0o40777), p), true, "no setgid");
  assert.equal(rootNeedsChange(dir(2000, 0o42707), p), true, "no group rwx");
  assert.equal(rootNeedsChange(dir(2000, 0o42750), { gid: 2000, readOnly: true }), false, "read-only needs r-x only");
  assert.equal(rootNeedsChange({ gid: 2000, mode: 0o100664, isDirectory: () => false }, p), true);
  assert.deepEqual(fsGroupOf({ fsGroup: 5, fsGroupChangePolicy: "OnRootMismatch" }, true), { gid: 5, readOnly: true, changePolicy: "OnRootMismatch" });
  assert.equal(fsGroupOf({}, true), undefined);
});

test("the walk changes the tree and follows no link out of it; OnRootMismatch skips a matching root", async () => {
  const base = mkdtempSync(join(tmpdir(), "nodelet-fsgroup-"));
  try {
    const gid = process.getgid!();
    const vol = join(base, "vol");
    mkdirSync(join(vol, "sub"), { recursive: true });
    writeFileSync(join(vol, "sub", "f"), "x", { mode: 0o600 });
    chmodSync(join(vol, "sub", "f"), 0o600);
    chmodSync(vol, 0o755);
    const outside = join(base, "outside");
    writeFileSync(outside, "host file", { mode: 0o600 });
    chmodSync(outside, 0o600);
    symlinkSync(outside, join(vol, "link"));
    assert.equal(await setVolumeOwnership(vol, { gid, readOnly: false }), true);
    assert.equal(statSync(vol).mode & 0o7777, 0o2775);
    assert.equal(statSync(join(vol, "sub")).mode & 0o7777, 0o2775);
    assert.equal(statSync(join(vol, "sub", "f")).mode & 0o7777, 0o660);
    assert.equal(statSync(outside).mode & 0o7777, 0o600, "the link's target is untouched");
    chmodSync(join(vol, "sub", "f"), 0o600);
    assert.equal(await setVolumeOwnership(vol, { gid, readOnly: false, changePolicy: "OnRootMismatch" }), false);
    assert.equal(statSync(join(vol, "sub", "f")).mode & 0o7777, 0o600, "skipped: the root already matched");
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
