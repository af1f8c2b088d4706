/**
 * A layer refused part-way through releases what it was reading: the zstd process decoding it is gone and the
 * source stream was returned (closed), so failed pulls cannot pile up processes or open connections.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { childrenOf } from "../helpers/procs.js";
import { tarBuffer } from "../helpers/tar-writer.js";
import { BlobStore } from "../../src/images/store/blob-store.js";
import { LayerStore } from "../../src/images/store/layer-store.js";
import { HostRunner } from "../../src/sys/runner.js";

const skip = needsRoot();

/** The pids of this process's children whose command is `name`. */
function children(name: string): number[] {
  return childrenOf(process.pid).filter((p) => p.comm === name).map((p) => p.pid);
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a refused zstd layer releases its decoder and source (privileged)", { skip }, () => {
  let dir: string;
  before(() => void (dir = mkdtempSync(join(tmpdir(), "nodelet-imagefix-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("first entry unsafe: the unpack fails, no zstd process remains, the source stream is closed", async () => {
    // The unsafe entry comes first; many MiB of incompressible content follow, so zstd and the source are mid-stream.
    const tar = tarBuffer([{ name: "pwn", type: "hardlink", linkname: "/etc/shadow" }, { name: "big", data: randomBytes(16 << 20) }]);
    const blob = execFileSync("zstd", ["-q", "-c", "-1"], { input: tar, maxBuffer: 64 << 20 });
    const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
    const layers = new LayerStore(join(dir, "layers"), join(dir, "tmp"), new BlobStore(join(dir, "blobs")), new HostRunner());
    // Chunks larger than a pipe: the feed waits for zstd's stdin to drain when the unpack fails (where it leaked).
    const CHUNK = 4 << 20;
    let served = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        for (let o = 0; o < blob.length; o += CHUNK) {
          served = o;
          yield blob.subarray(o, o + CHUNK);
        }
      } finally {
        closed = true;
      }
    }
    const before = children("zstd").length;
    const layer = { digest: sha(blob), diffID: sha(tar), size: blob.length, mediaType: "application/vnd.oci.image.layer.v1.tar+zstd" };
    await assert.rejects(layers.ensure(layer, async () => source()), /hardlink target/);
    await until("the source stream to be closed", () => closed);
    assert.ok(served < blob.length - CHUNK, `the source was left early (${served} of ${blob.length} bytes served)`);
    await until("the zstd process to exit", () => children("zstd").length === before);
    assert.equal(await layers.has(layer), false, "no layer committed");
    assert.deepEqual(existsSync(join(dir, "tmp")) ? readdirSync(join(dir, "tmp")) : [], [], "no temporary left");
  });
});
