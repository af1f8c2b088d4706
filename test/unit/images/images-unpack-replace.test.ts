/**
 * A later entry replaces an earlier one of the same path (unpack.ts creates first and looks only on EEXIST): each
 * kind over each kind ends as the later entry, a directory over a directory keeps its children and takes the new
 * mode, and nothing is ever created or changed through a symlink that was there first.
 */
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { tarEntries } from "../../../src/images/store/tar-reader.js";
import { unpackLayer } from "../../../src/images/store/unpack.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { tarBuffer, type TarSpec } from "../../helpers/tar-writer.js";

const base = mkdtempSync(join(tmpdir(), "nodelet-unpack-replace-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
async function unpack(entries: TarSpec[]): Promise<string> {
  const root = join(base, `layer-${n++}`);
  mkdirSync(root);
  await unpackLayer(tarEntries(once(tarBuffer(entries))), root, new ScriptedRunner());
  return root;
}

test("each of file, directory and symlink over each: the later entry is what is left", async () => {
  const first: Record<string, TarSpec> = {
    file: { name: "p", data: "old" },
    dir: { name: "p/", type: "dir" },
    symlink: { name: "p", type: "symlink", linkname: "elsewhere" },
  };
  for (const [was, old] of Object.entries(first)) {
    const file = await unpack([old, { name: "p", data: "new", mode: 0o640 }]);
    assert.equal(readFileSync(join(file, "p"), "utf8"), "new", `file over ${was}`);
    assert.equal(lstatSync(join(file, "p")).mode & 0o7777, 0o640);
    const link = await unpack([old, { name: "p", type: "symlink", linkname: "target" }]);
    assert.equal(readlinkSync(join(link, "p")), "target", `symlink over ${was}`);
    const dir = await unpack([old, { name: "p/", type: "dir", mode: 0o711 }]);
    assert.ok(lstatSync(join(dir, "p")).isDirectory(), `directory over ${was}`);
    assert.equal(lstatSync(join(dir, "p")).mode & 0o7777, 0o711);
  }
});

test("a directory over a directory keeps the children and takes the later mode", async () => {
  const root = await unpack([{ name: "d/", type: "dir", mode: 0o700 }, { name: "d/child", data: "c" }, { name: "d/", type: "dir", mode: 0o755 }]);
  assert.deepEqual(readdirSync(join(root, "d")), ["child"]);
  assert.equal(lstatSync(join(root, "d")).mode & 0o7777, 0o755);
});

test("a file, directory or symlink over a symlink to outside replaces the link, never writes through it", async () => {
  const outside = join(base, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "f"), "host");
  const mode = lstatSync(outside).mode;
  for (const later of [{ name: "l", data: "pwned" }, { name: "l/", type: "dir", mode: 0o777 }, { name: "l", type: "symlink", linkname: "x" }] as TarSpec[]) {
    for (const to of [join(outside, "f"), outside, join(outside, "missing")]) {
      const root = await unpack([{ name: "l", type: "symlink", linkname: to }, later]);
      assert.equal(lstatSync(join(root, "l")).isSymbolicLink(), later.type === "symlink", `${later.type ?? "file"} over a link to ${to}`);
    }
  }
  assert.deepEqual(readdirSync(outside), ["f"]);
  assert.equal(readFileSync(join(outside, "f"), "utf8"), "host");
  assert.equal(lstatSync(outside).mode, mode, "no chmod through the link");
});
