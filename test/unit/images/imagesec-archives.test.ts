/**
 * Hostile layers and archives (security review of the image code): extended tar headers are bounded in size and
 * number; a layer's uncompressed size and entry count are bounded and a bomb fails naming the layer with nothing
 * left behind; device nodes never land in a layer and an imported archive may hold none (nor FIFOs); OCI layout and
 * docker-archive files are opened inside the archive, regular files only, bounded, blobs checked against their size.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { archiveImages, unpackArchive } from "../../../src/images/archives.js";
import { OciLayoutSource } from "../../../src/images/oci-layout.js";
import { layoutBlobs } from "../../../src/images/registry/layout-source.js";
import { BlobStore } from "../../../src/images/store/blob-store.js";
import { LayerStore } from "../../../src/images/store/layer-store.js";
import { MAX_META_RECORDS, tarEntries, TarFormatError } from "../../../src/images/store/tar-reader.js";
import { LayerLimitError, UnsafeLayerError, unpackLayer } from "../../../src/images/store/unpack.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { extendedHeader, paxRecords, tarBuffer, type TarSpec } from "../../helpers/tar-writer.js";

const root = mkdtempSync(join(tmpdir(), "nodelet-imagesec-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => {
  const d = join(root, `${name}-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function names(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of tarEntries(once(tar))) out.push(e.header.name);
  return out;
}

describe("tar reader: extended headers bounded", () => {
  test("global pax headers adding up to more than 1 MiB are refused (each alone is under the per-record limit)", async () => {
    const record = (i: number) => extendedHeader("g", paxRecords({ [`comment${i}`]: "x".repeat(300 << 10) }));
    const tar = Buffer.concat([record(0), record(1), record(2), record(3), tarBuffer([{ name: "f", data: "1" }])]);
    await assert.rejects(names(tar), (e: unknown) => e instanceof TarFormatError && /global extended headers of more than 1048576 bytes/.test(e.message));
    // Under the bound, a global header is read and the entries follow.
    assert.deepEqual(await names(Buffer.concat([record(0), tarBuffer([{ name: "f", data: "1" }])])), ["f"]);
  });

  test("more than MAX_META_RECORDS extended headers before one entry are refused (pax, long names, long links alike)", async () => {
    const many = Array.from({ length: MAX_META_RECORDS + 1 }, (_, i) => extendedHeader(i % 2 ? "L" : "x", i % 2 ? Buffer.from(`name${i}\0`) : paxRecords({ path: `p${i}` })));
    await assert.rejects(names(Buffer.concat([...many, tarBuffer([{ name: "f" }])])), (e: unknown) => e instanceof TarFormatError && /more than 16 extended headers in a row/.test(e.message));
    // The count is per entry: the same number spread over entries is fine.
    const spread = Array.from({ length: MAX_META_RECORDS + 1 }, (_, i) => Buffer.concat([extendedHeader("K", Buffer.from(`t${i}\0`)), tarBuffer([{ name: `e${i}`, type: "symlink", linkname: "x" }]).subarray(0, 512)]));
    assert.equal((await names(Buffer.concat([...spread, Buffer.alloc(1024)]))).length, MAX_META_RECORDS + 1);
  });

  test("a long-link record over 1 MiB is refused before it is read", async () => {
    const big = extendedHeader("K", Buffer.alloc((1 << 20) + 1, 0x61));
    await assert.rejects(names(Buffer.concat([big, tarBuffer([{ name: "l", type: "symlink", linkname: "x" }])])), /extended header of 1048577 bytes/);
  });
});

describe("layer unpack: devices, entry count", () => {
  test("character and block devices are skipped in a layer; FIFOs and the 0/0 whiteout device are made", async () => {
    // mknod recorded, and a plain file put in the node's place so the unpacker can set its owner and times.
    const runner = new ScriptedRunner((argv) => void (argv[0] === "mknod" && writeFileSync(argv[3], "")));
    const dir = fresh("dev");
    const tar = tarBuffer([
      { name: "dev/", type: "dir" },
      { name: "dev/sda", type: "block", major: 8, minor: 0, mode: 0o666 },
      { name: "dev/mem", type: "char", major: 1, minor: 1, mode: 0o666 },
      { name: "wh", type: "char", major: 0, minor: 0 },
      { name: "pipe", type: "fifo" },
      { name: ".wh.gone" },
    ]);
    const r = await unpackLayer(tarEntries(once(tar)), dir, runner);
    assert.equal(r.skippedDevices, 2);
    const mknods = runner.calls.filter((c) => c.argv[0] === "mknod").map((c) => c.argv.slice(3).join(" "));
    assert.deepEqual(mknods.map((m) => m.replace(dir, "ROOT")), ["ROOT/wh c 0 0", "ROOT/pipe p", "ROOT/gone c 0 0"]);
  });

  test("an imported archive holding a device node or a FIFO is refused", async () => {
    for (const bad of [{ name: "dev/null", type: "char", major: 1, minor: 3 }, { name: "disk", type: "block", major: 8, minor: 0 }, { name: "index.json", type: "fifo" }] as TarSpec[]) {
      const file = join(fresh("archive"), "a.tar");
      writeFileSync(file, tarBuffer([{ name: "oci-layout", data: "{}" }, bad]));
      await assert.rejects(unpackArchive(file, fresh("into"), new ScriptedRunner()), (e: unknown) => e instanceof UnsafeLayerError && /has no place in an image archive/.test(e.message), bad.name);
    }
  });

  test("more entries than the bound is a LayerLimitError", async () => {
    const tar = tarBuffer(Array.from({ length: 6 }, (_, i) => ({ name: `f${i}` })));
    await assert.rejects(unpackLayer(tarEntries(once(tar)), fresh("count"), new ScriptedRunner(), { maxEntries: 5 }), (e: unknown) => e instanceof LayerLimitError && /more than 5 entries/.test(e.message));
  });
});

describe("layer store: decompressed size bounded", () => {
  test("a gzip bomb fails the layer naming its digest at the bound, leaving no layer, blob or temporary", async () => {
    const base = fresh("store");
    const blobs = new BlobStore(join(base, "blobs"));
    const store = new LayerStore(join(base, "layers"), join(base, "tmp"), blobs, new ScriptedRunner(), { maxBytes: 1 << 20, maxEntries: 100 });
    const tar = tarBuffer([{ name: "zeros", data: Buffer.alloc(8 << 20) }]);
    const gz = gzipSync(tar);
    assert.ok(gz.length < 64 << 10, "the bomb is small compressed");
    const layer = { digest: sha256(gz), diffID: sha256(tar), size: gz.length, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" };
    await assert.rejects(store.ensure(layer, async () => once(gz)), (e: unknown) =>
      e instanceof LayerLimitError && e.message.includes(layer.digest) && /more than 1048576 bytes uncompressed \(--image-max-layer-size\)/.test(e.message));
    assert.equal(await store.has(layer), false);
    assert.deepEqual(readdirSync(join(base, "tmp")), []);
    assert.equal(await blobs.has({ algorithm: "sha256", hex: layer.digest.slice(7) }), false);
    // The same layer under a bound it fits is unpacked.
    const roomy = new LayerStore(join(base, "layers"), join(base, "tmp"), blobs, new ScriptedRunner(), { maxBytes: 16 << 20, maxEntries: 100 });
    await roomy.ensure(layer, async () => once(gz));
    assert.equal(await roomy.has(layer), true);
  });

  test("the entry bound names the layer too", async () => {
    const base = fresh("store");
    const store = new LayerStore(join(base, "layers"), join(base, "tmp"), new BlobStore(join(base, "blobs")), new ScriptedRunner(), { maxBytes: 1 << 30, maxEntries: 3 });
    const tar = tarBuffer(Array.from({ length: 4 }, (_, i) => ({ name: `f${i}` })));
    const layer = { digest: sha256(tar), diffID: sha256(tar), size: tar.length, mediaType: "application/vnd.oci.image.layer.v1.tar" };
    await assert.rejects(store.ensure(layer, async () => once(tar)), new RegExp(`layer ${layer.digest}: more than 3 entries`));
  });
});

describe("OCI layout and docker archive files", () => {
  const outside = fresh("outside");
  writeFileSync(join(outside, "secret"), '{"manifests": []}');

  function layout(files: Record<string, string | Buffer>): string {
    const dir = fresh("layout");
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    for (const [p, v] of Object.entries(files)) {
      mkdirSync(join(dir, p, ".."), { recursive: true });
      writeFileSync(join(dir, p), v);
    }
    return dir;
  }

  test("index.json as a symlink out of the layout is resolved inside it (not found), never read from the host", async () => {
    const dir = layout({});
    symlinkSync(join(outside, "secret"), join(dir, "index.json"));
    await assert.rejects(OciLayoutSource.open(dir), /"index\.json" is not in/);
  });

  test("index.json as a FIFO or a device is refused without blocking; an oversized one unread", async () => {
    const dir = layout({});
    execFileSync("mkfifo", [join(dir, "index.json")]);
    await assert.rejects(OciLayoutSource.open(dir), /"index\.json" is not a regular file/);
    const dev = layout({});
    symlinkSync("/dev/zero", join(dev, "index.json"));
    await assert.rejects(OciLayoutSource.open(dev), /index\.json/); // "/dev/zero" resolves inside the layout: absent
    const big = layout({ "index.json": Buffer.alloc((4 << 20) + 1, 0x20) });
    await assert.rejects(OciLayoutSource.open(big), /over the 4194304-byte limit/);
  });

  test("a blobs directory that is a symlink out of the layout reads nothing outside it", async () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const digest = sha256(manifest);
    const elsewhere = fresh("elsewhere");
    mkdirSync(join(elsewhere, "sha256"));
    writeFileSync(join(elsewhere, "sha256", digest.slice(7)), manifest);
    const dir = layout({ "index.json": JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: manifest.length }] }) });
    symlinkSync(elsewhere, join(dir, "blobs"));
    const src = await OciLayoutSource.open(dir);
    await assert.rejects(src.manifest(), /is not in/);
    await assert.rejects(layoutBlobs(dir).read(digest), /is not in/);
  });

  test("a blob whose size differs from its descriptor is refused before a byte is used", async () => {
    const data = Buffer.from("layer bytes");
    const digest = sha256(data);
    const dir = layout({ "index.json": JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 1 }] }), [`blobs/sha256/${digest.slice(7)}`]: data });
    const src = await OciLayoutSource.open(dir);
    await assert.rejects(src.blob({ digest, size: data.length + 5 }), /is 11 bytes, over the 16-byte limit|is 11 bytes, its descriptor says 16/);
    const chunks: Buffer[] = [];
    for await (const c of await src.blob({ digest, size: data.length })) chunks.push(c);
    assert.equal(Buffer.concat(chunks).toString(), "layer bytes");
  });

  test("docker save: manifest.json and its Layers paths are opened inside the archive", async () => {
    const dir = fresh("docker");
    writeFileSync(join(dir, "manifest.json"), JSON.stringify([{ Config: "../../../../etc/hostname", RepoTags: ["x:1"], Layers: [] }]));
    await assert.rejects(archiveImages(dir), /"\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" is not in/);
    const fifo = fresh("docker");
    execFileSync("mkfifo", [join(fifo, "manifest.json")]);
    await assert.rejects(archiveImages(fifo), /"manifest\.json" is not a regular file/);
  });
});
