/**
 * Chunked push against Debian's docker-registry (distribution 2.8) with token auth: a busybox image pushed in 64 KiB
 * PATCHes, through a proxy that cuts one PATCH's body mid-chunk; the push still completes (the upload resumed or
 * started again, whichever the registry's state allows) and the image pulled back is byte-identical. Needs no root,
 * only the registry and skopeo.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { DistributionClient } from "../../src/images/registry/client.js";
import { Keyring } from "../../src/images/registry/credentials.js";
import { layoutPushSource } from "../../src/images/registry/layout-source.js";
import { parseImageReference } from "../../src/images/reference.js";
import { OciLayout, type LayoutImage } from "../helpers/oci-layout.js";
import { startRegistryProxy, type RunningServer } from "../helpers/registry-proxy.js";
import { startRegistry, type TestRegistry } from "../helpers/registry.js";
import { needsCommand, skipUnless } from "../helpers/root.js";

const skip = skipUnless(needsCommand("docker-registry"), needsCommand("skopeo"));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("chunked push to docker-registry", { skip }, () => {
  let work: string;
  let layout: OciLayout;
  let image: LayoutImage;
  let reg: TestRegistry;
  let proxy: RunningServer;
  const clients: DistributionClient[] = [];
  const CHUNK = 64 << 10;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "regtest-chunked-"));
    layout = new OciLayout(join(work, "layout"));
    image = await layout.image({ busybox: true, files: { "etc/motd": "chunked\n" } });
    layout.tag("v1", image);
    reg = await startRegistry({ mode: "token", username: "pat", password: "chunk-pw" });
    proxy = await startRegistryProxy(reg, { dropPatch: { nth: 3, after: 20_000 } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await proxy?.close();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("pushes in 64 KiB PATCHes with a token, survives a PATCH cut mid-body, and the image pulls back identical", async () => {
    const client = new DistributionClient({ idleTimeoutMs: 10_000, push: { chunkBytes: CHUNK } });
    clients.push(client);
    const keys = Keyring.from({ origin: "test secret", json: JSON.stringify({ auths: { [proxy.host]: { username: "pat", password: "chunk-pw" }, [reg.host]: { username: "pat", password: "chunk-pw" } } }) });
    const ref = parseImageReference(`${proxy.host}/team/chunked:v1`);
    const layer = image.layers.reduce((a, b) => (b.size > a.size ? b : a));
    assert.ok(layer.size > 3 * CHUNK, `the busybox layer (${layer.size} bytes) spans several chunks`);

    const pushed = await client.pushImage(ref, await layoutPushSource(layout.dir, "v1"), keys);
    assert.deepEqual(pushed, { digest: image.digest, uploaded: 1 + image.layers.length, existing: 0, mounted: 0 });

    const patches = proxy.requests.filter((r) => r.method === "PATCH");
    assert.ok(patches.length >= Math.ceil(layer.size / CHUNK) + 1, `${patches.length} PATCHes for ${layer.size} bytes, one cut`);
    assert.ok(patches.every((r) => r.authorization), "every PATCH carries the token");
    const cutAt = proxy.requests.indexOf(patches[2]);
    assert.equal(proxy.requests[cutAt + 1]?.method, "GET", "the upload's status asked after the cut");
    assert.ok(proxy.requests.some((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/") && r.path.includes("digest=")), "closed by a PUT with the digest");

    const back = await client.getImageManifest(parseImageReference(`${reg.host}/team/chunked@${image.digest}`), keys);
    assert.deepEqual(back.bytes, layout.readBlob(image.digest));
    const data = await readAll(await client.openBlob(parseImageReference(`${reg.host}/team/chunked@${image.digest}`), layer, keys));
    assert.deepEqual(data, layout.readBlob(layer.digest));
  });
});
