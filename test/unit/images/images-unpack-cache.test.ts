/**
 * The unpacker remembers parent directories it resolved (unpack.ts); a hostile layer that replaces an already
 * resolved directory by a link out of the root must still have its later entries resolved afresh, inside the root —
 * never written to the old path nor outside, and the replaced directory's time never set through the link.
 */
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { tarEntries } from "../../../src/images/store/tar-reader.js";
import { unpackLayer } from "../../../src/images/store/unpack.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { tarBuffer, type TarSpec } from "../../helpers/tar-writer.js";

const base = mkdtempSync(join(tmpdir(), "nodelet-unpack-cache-"));
after(() => rmSync(base, { recursive: true, force: true }));
const outside = join(base, "outside");

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
const unpack = (root: string, entries: TarSpec[]) => unpackLayer(tarEntries(once(tarBuffer(entries))), root, new ScriptedRunner());

test("a directory replaced by a link after its children were written: later children resolve through the new link, inside the root", async () => {
  const root = join(base, "layer");
  mkdirSync(root);
  mkdirSync(outside);
  utimesSync(outside, 1_000_000, 1_000_000);
  await unpack(root, [
    { name: "a/", type: "dir" },
    { name: "a/b/", type: "dir" },
    { name: "a/b/first", data: "1" },
    { name: "a", type: "symlink", linkname: outside }, // replaces the directory a (and what it held)
    { name: "a/b/second", data: "2" },
    { name: "c/", type: "dir" },
    { name: "c/d/third", data: "3" },
    { name: "c/d", type: "symlink", linkname: "../a" }, // replaces c/d, already resolved as a parent
    { name: "c/d/fourth", data: "4" },
  ]);
  assert.equal(existsSync(join(outside, "b")), false, "nothing written outside the layer");
  assert.equal(statSync(outside).mtimeMs, 1_000_000_000, "the replaced directory's time was not set through the link on the host");
  assert.ok(lstatSync(join(root, "a")).isSymbolicLink());
  const inside = join(root, ...outside.split("/").filter(Boolean));
  assert.equal(readFileSync(join(inside, "b/second"), "utf8"), "2", "a/b/second followed the new link, inside the root");
  assert.equal(existsSync(join(inside, "b/first")), false);
  assert.equal(readFileSync(join(inside, "fourth"), "utf8"), "4", "c/d/fourth followed c/d → ../a → the same place");
  assert.equal(existsSync(join(root, "c/d/third")), false, "the replaced directory's content is gone");
});

test("a directory entry later replaced by a link out of the root: its time is not set through the link", async () => {
  const root = join(base, "layer2");
  const target = join(base, "outside2");
  mkdirSync(root);
  mkdirSync(target);
  utimesSync(target, 1_000_000, 1_000_000);
  await unpack(root, [
    { name: "d/", type: "dir" },
    { name: "d", type: "symlink", linkname: target },
  ]);
  assert.ok(lstatSync(join(root, "d")).isSymbolicLink());
  assert.equal(statSync(target).mtimeMs, 1_000_000_000);
});
