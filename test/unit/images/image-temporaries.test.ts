/**
 * What an interrupted pull, import or build leaves in the image store (blob temporaries, ROOT/images/tmp entries) is
 * removed at daemon start, and committed blobs are kept.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ImageStore } from "../../../src/runtime/images.js";
import { HostRunner } from "../../../src/sys/runner.js";

const root = mkdtempSync(join(tmpdir(), "nodelet-image-tmp-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("removeTemporaries removes blob temporaries and tmp/ entries, keeps committed blobs", async () => {
  const committed = createHash("sha256").update("blob").digest("hex");
  mkdirSync(join(root, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(root, "blobs", "sha256", committed), "blob");
  writeFileSync(join(root, "blobs", "sha256", ".tmp-0123456789abcdef-aabbcc"), "partial");
  mkdirSync(join(root, "tmp", "layer-1", "usr", "bin"), { recursive: true });
  writeFileSync(join(root, "tmp", "layer-1", "usr", "bin", "half"), "x");
  writeFileSync(join(root, "tmp", "import-2"), "x");

  await new ImageStore(root, new HostRunner()).removeTemporaries();

  assert.deepEqual(readdirSync(join(root, "blobs", "sha256")), [committed]);
  assert.deepEqual(readdirSync(join(root, "tmp")), []);
});

test("removeTemporaries on a store that has never been written is a no-op", async () => {
  const fresh = join(root, "fresh");
  await new ImageStore(fresh, new HostRunner()).removeTemporaries();
  assert.equal(existsSync(join(fresh, "tmp")), false);
});
