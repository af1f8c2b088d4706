/**
 * One resolver of paths inside an image root (root-path.ts) for the layer unpacker and the image-file reader: the same
 * hostile layer is written and read back through the same rules — links out of the root land inside it, `..` is
 * clamped, loops and files used as directories fail alike.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { lookup, readImageFile } from "../../../src/images/image-root.js";
import { resolveInRoot } from "../../../src/images/root-path.js";
import { tarEntries } from "../../../src/images/store/tar-reader.js";
import { UnsafeLayerError, unpackLayer } from "../../../src/images/store/unpack.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { tarBuffer, type TarSpec } from "../../helpers/tar-writer.js";

const base = mkdtempSync(join(tmpdir(), "nodelet-imagesec-rootpath-"));
after(() => rmSync(base, { recursive: true, force: true }));
const outside = join(base, "outside");
const notOpaque = async () => false;

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
const unpack = (root: string, entries: TarSpec[]) => unpackLayer(tarEntries(once(tarBuffer(entries))), root, new ScriptedRunner());

test("what the unpacker writes through a link out of the root, the reader finds at the same place inside it", async () => {
  const root = join(base, "layer");
  mkdirSync(root);
  await unpack(root, [
    { name: "etc", type: "symlink", linkname: `../../../../../..${outside}` },
    { name: "etc/passwd", data: "inside\n" },
    { name: "abs", type: "symlink", linkname: "/etc" },
    { name: "abs/group", data: "g\n" },
    { name: "../../dotdot", data: "d\n" },
    { name: "file", data: "f" },
  ]);
  assert.equal(existsSync(outside), false, "nothing written outside the layer");
  const landed = join(root, ...outside.split("/").filter(Boolean), "passwd");
  assert.equal(readFileSync(landed, "utf8"), "inside\n");
  assert.equal((await lookup([root], "/etc/passwd", notOpaque))?.host, landed);
  assert.equal((await lookup([root], "abs/passwd", notOpaque))?.host, landed, "an absolute link restarts at the image root");
  assert.equal(await readImageFile([root], "/abs/group", notOpaque), "g\n");
  assert.equal(await readImageFile([root], "/../../../dotdot", notOpaque), "d\n", "'..' is clamped at the root");
  assert.equal(await lookup([root], "/file/x", notOpaque), undefined, "a file used as a directory: ENOTDIR");
  await assert.rejects(unpack(root, [{ name: "file/x", data: "" }]), (e: unknown) => e instanceof UnsafeLayerError && /"file" is not a directory/.test(e.message));
});

test("a symlink loop fails the reader and the unpacker alike (40 links, as the kernel)", async () => {
  const root = join(base, "loop");
  mkdirSync(root);
  await unpack(root, [{ name: "a", type: "symlink", linkname: "b" }, { name: "b", type: "symlink", linkname: "/a" }]);
  await assert.rejects(lookup([root], "/a/x", notOpaque), /too many levels of symbolic links/);
  await assert.rejects(unpack(root, [{ name: "a/x", data: "" }]), (e: unknown) => e instanceof UnsafeLayerError && /too many levels of symbolic links/.test(e.message));
});

test("resolveInRoot: '..' at the root stays there; a trailing '..' names the parent", async () => {
  const root = join(base, "plain");
  mkdirSync(join(root, "a", "b"), { recursive: true });
  const view = { entry: async (c: string[]) => (await lookup([root], c.join("/"), notOpaque)) };
  const r = await resolveInRoot("../../a/b/..", view, async () => "");
  assert.deepEqual(r.kind === "found" && r.comps, ["a"]);
  assert.deepEqual(await resolveInRoot("a/nope/b", view, async () => ""), { kind: "missing", comps: ["a", "nope"] });
});
