/**
 * Readers under storage/ and images/ fail closed (security review): a record or directory that cannot be read or
 * does not parse is never taken for "absent" where absence leads to removing or recreating something.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BlobStore } from "../../../src/images/store/blob-store.js";
import { ImageStore } from "../../../src/runtime/images.js";
import { readState } from "../../../src/storage/atomic-writer.js";
import { LocalProvisioner } from "../../../src/storage/local-provisioner.js";
import { LoopImage } from "../../../src/storage/loop-image.js";
import { CorruptStateError } from "../../../src/sys/json-state.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";

const root = mkdtempSync(join(tmpdir(), "nodelet-imagesec-failclosed-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("orphan volumes: one whose record is corrupt is kept and reported, one with no record is removed", async () => {
  const dir = join(root, "volumes");
  for (const n of ["pvc-corrupt", "pvc-orphan", "pvc-live"]) mkdirSync(join(dir, n), { recursive: true });
  writeFileSync(join(dir, "pvc-corrupt", "volume.json"), '{"bytes": 8388608, "released": tr');
  const reports: string[] = [];
  const gone = await new LocalProvisioner(dir, new ScriptedRunner(), () => 1 << 30).collectOrphans(new Set(["pvc-live"]), (m) => reports.push(m));
  assert.deepEqual(gone, ["pvc-orphan"]);
  assert.equal(existsSync(join(dir, "pvc-corrupt", "volume.json")), true, "the volume with the unreadable record is still there");
  assert.equal(reports.length, 1);
  assert.match(reports[0], /volume pvc-corrupt kept: its record cannot be read \(corrupt state file/);
});

test("a loop image that cannot be checked is an error, not absent (the caller would make a new filesystem over it)", () => {
  const dir = join(root, "loop");
  mkdirSync(dir);
  symlinkSync("disk.img", join(dir, "disk.img")); // ELOOP on stat
  const img = new LoopImage(dir, new ScriptedRunner());
  assert.throws(() => img.exists(), /cannot stat .*disk\.img/);
  writeFileSync(join(dir, "volume.json"), "not json");
  assert.throws(() => img.state(), CorruptStateError);
  assert.equal(new LoopImage(join(root, "loop-none"), new ScriptedRunner()).exists(), false, "missing is absent");
});

test("the image store's blob listing and tags: unreadable is an error, not 'none'", async () => {
  const images = join(root, "images");
  mkdirSync(join(images, "blobs"), { recursive: true });
  writeFileSync(join(images, "blobs", "sha256"), "a file where the blob directory should be");
  await assert.rejects(new BlobStore(join(images, "blobs")).list(), /ENOTDIR/);
  writeFileSync(join(images, "repositories.json"), '{"docker.io/library/busybox:1.28": "ab');
  const store = new ImageStore(images, new ScriptedRunner());
  assert.throws(() => store.has("busybox:1.28"), CorruptStateError, "a torn tag file is not 'no such image' (a pull would then rewrite the tags from nothing)");
  await assert.rejects(store.removeOrphans(new Set()), /ENOTDIR/, "orphan removal stops instead of judging from a partial listing");
});

test("a configuration volume's directory that cannot be read stops the atomic writer's planning", async () => {
  const file = join(root, "not-a-dir");
  writeFileSync(file, "x");
  await assert.rejects(readState(file), /ENOTDIR/);
  assert.deepEqual((await readState(join(root, "no-such-volume"))).visible, [], "a volume not written yet is empty");
});
