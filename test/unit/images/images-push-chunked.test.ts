/**
 * Chunked blob upload on push (distribution-spec POST → PATCH… → PUT), against a registry on 127.0.0.1 that keeps
 * upload sessions as distribution 2.8 does (a Location carries the offset it was issued at; a request whose offset is
 * stale cancels the session) or, in "resumable" mode, answers the upload status with the bytes it holds and takes a
 * PATCH from there. A PATCH can be cut after some bytes (a dropped connection, those bytes kept).
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { after, before, beforeEach, describe, it } from "node:test";
import { OCI_MANIFEST } from "../../../src/images/manifest.js";
import { parseImageReference } from "../../../src/images/reference.js";
import { DistributionClient } from "../../../src/images/registry/client.js";
import { RegistryError } from "../../../src/images/registry/errors.js";
import type { PushSource } from "../../../src/images/registry/push.js";

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const REPO = "/v2/team/app";

class FakeRegistry {
  mode: "distribution" | "resumable" = "distribution";
  /** PATCHes (1-based count) cut after this many body bytes; every PATCH when `always`. */
  cut: { nth: number; after: number; always?: boolean } | undefined;
  readonly blobs = new Map<string, Buffer>();
  readonly sessions = new Map<string, Buffer>();
  readonly seen: string[] = [];
  private patches = 0;
  private next = 0;

  reset(): void {
    this.mode = "distribution";
    this.cut = undefined;
    this.blobs.clear();
    this.sessions.clear();
    this.seen.length = 0;
    this.patches = 0;
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://x");
    const range = req.headers["content-range"] ? ` ${String(req.headers["content-range"])}` : "";
    this.seen.push(`${req.method} ${url.pathname.replace(/uploads\/\d+$/, "uploads/ID")}${url.searchParams.has("digest") ? "?digest" : ""}${range}`);
    const body: Buffer[] = [];
    let got = 0;
    const cutAt = req.method === "PATCH" && this.cut && (this.cut.always || ++this.patches === this.cut.nth) ? this.cut.after : undefined;
    if (req.method === "PATCH" && this.cut?.always) this.patches++;
    req.on("data", (d: Buffer) => {
      if (cutAt !== undefined && got + d.length >= cutAt) {
        body.push(d.subarray(0, cutAt - got));
        got = cutAt;
        const id = /uploads\/(\d+)$/.exec(url.pathname)?.[1] ?? "";
        const held = this.sessions.get(id);
        if (held) this.sessions.set(id, Buffer.concat([held, ...body]));
        req.socket.destroy();
        return;
      }
      got += d.length;
      body.push(d);
    });
    req.on("end", () => this.answer(req, res, url, Buffer.concat(body)));
  };

  private answer(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const path = url.pathname;
    if (path === "/v2/") return void res.writeHead(200).end("{}");
    const blob = /^\/v2\/team\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(path);
    if (blob && req.method === "HEAD") return void res.writeHead(this.blobs.has(blob[1]) ? 200 : 404).end();
    if (path === `${REPO}/blobs/uploads/` && req.method === "POST") {
      const id = String(++this.next);
      this.sessions.set(id, Buffer.alloc(0));
      return void res.writeHead(202, { location: this.location(id), range: "0-0" }).end();
    }
    const upload = /^\/v2\/team\/app\/blobs\/uploads\/(\d+)$/.exec(path);
    if (upload) {
      const id = upload[1];
      const held = this.sessions.get(id);
      if (!held) return void res.writeHead(404).end(JSON.stringify({ errors: [{ code: "BLOB_UPLOAD_UNKNOWN", message: "blob upload unknown" }] }));
      if (this.mode === "distribution" && Number(url.searchParams.get("_state")) !== held.length) {
        this.sessions.delete(id); // distribution: "upload resumed at wrong offset", the session cancelled
        return void res.writeHead(400).end(JSON.stringify({ errors: [{ code: "BLOB_UPLOAD_INVALID", message: "blob upload invalid" }] }));
      }
      if (req.method === "GET") return void res.writeHead(204, { location: this.location(id), range: `0-${Math.max(held.length - 1, 0)}` }).end();
      if (req.method === "PATCH") {
        const start = Number(/^(\d+)-/.exec(String(req.headers["content-range"]))?.[1]);
        if (start !== held.length) return void res.writeHead(416).end();
        const now = Buffer.concat([held, body]);
        this.sessions.set(id, now);
        return void res.writeHead(202, { location: this.location(id), range: `0-${now.length - 1}` }).end();
      }
      if (req.method === "PUT") {
        const all = Buffer.concat([held, body]);
        const digest = url.searchParams.get("digest") ?? "";
        this.sessions.delete(id);
        if (sha(all) !== digest) return void res.writeHead(400).end(JSON.stringify({ errors: [{ code: "DIGEST_INVALID", message: "provided digest did not match uploaded content" }] }));
        this.blobs.set(digest, all);
        return void res.writeHead(201, { location: `${REPO}/blobs/${digest}`, "docker-content-digest": digest }).end();
      }
    }
    const manifest = /^\/v2\/team\/app\/manifests\/(.+)$/.exec(path);
    if (manifest && req.method === "PUT") return void res.writeHead(201, { "docker-content-digest": sha(body) }).end();
    res.writeHead(404).end();
  }

  private location(id: string): string {
    return `${REPO}/blobs/uploads/${id}?_state=${this.sessions.get(id)?.length ?? 0}`;
  }
}

const layer = randomBytes(3500);
const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha(layer)] } }));
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length },
  layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha(layer), size: layer.length }],
}));

/** The image as a push source; the layer's stream comes in 300-byte pieces (chunk edges fall inside them). */
function source(layerBytes: Buffer = layer): PushSource {
  const blobs = new Map([[sha(config), config], [sha(layer), layerBytes]]);
  return {
    manifests: [{ mediaType: OCI_MANIFEST, bytes: manifest }],
    blobs: [{ digest: sha(config), size: config.length }, { digest: sha(layer), size: layer.length }],
    openBlob: (digest) => {
      const b = blobs.get(digest)!;
      const pieces: Buffer[] = [];
      for (let i = 0; i < b.length; i += 300) pieces.push(b.subarray(i, i + 300));
      return Promise.resolve(Readable.from(pieces));
    },
  };
}

describe("push: blobs larger than a chunk go in PATCHes, resumed or started again after a dropped connection", () => {
  const reg = new FakeRegistry();
  const server: Server = createServer(reg.handle);
  let host = "";
  const clients: DistributionClient[] = [];
  const push = (src = source()) => {
    const c = new DistributionClient({ idleTimeoutMs: 10_000, push: { chunkBytes: 1000, retries: 2 } });
    clients.push(c);
    return c.pushImage(parseImageReference(`${host}/team/app:v1`), src);
  };
  const layerRequests = () => reg.seen.filter((s) => /uploads|digest/.test(s) && !s.startsWith("HEAD"));

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => reg.reset());
  after(() => {
    for (const c of clients) c.close();
    server.closeAllConnections();
    server.close();
  });

  it("a small blob goes in one PUT; a 3500-byte one in four PATCHes with Content-Range, then a PUT without a body", async () => {
    const result = await push();
    assert.deepEqual(result, { digest: sha(manifest), uploaded: 2, existing: 0, mounted: 0 });
    assert.deepEqual(layerRequests(), [
      "POST /v2/team/app/blobs/uploads/",
      "PUT /v2/team/app/blobs/uploads/ID?digest",
      "POST /v2/team/app/blobs/uploads/",
      "PATCH /v2/team/app/blobs/uploads/ID 0-999",
      "PATCH /v2/team/app/blobs/uploads/ID 1000-1999",
      "PATCH /v2/team/app/blobs/uploads/ID 2000-2999",
      "PATCH /v2/team/app/blobs/uploads/ID 3000-3499",
      "PUT /v2/team/app/blobs/uploads/ID?digest",
    ]);
    assert.deepEqual(reg.blobs.get(sha(layer)), layer);
    assert.deepEqual(reg.blobs.get(sha(config)), config);
  });

  it("distribution: a PATCH cut mid-body cancels the session when resumed; the blob goes again in a new one", async () => {
    reg.cut = { nth: 2, after: 500 };
    await push();
    assert.deepEqual(layerRequests().slice(2), [
      "POST /v2/team/app/blobs/uploads/",
      "PATCH /v2/team/app/blobs/uploads/ID 0-999",
      "PATCH /v2/team/app/blobs/uploads/ID 1000-1999",
      "GET /v2/team/app/blobs/uploads/ID",
      "POST /v2/team/app/blobs/uploads/",
      "PATCH /v2/team/app/blobs/uploads/ID 0-999",
      "PATCH /v2/team/app/blobs/uploads/ID 1000-1999",
      "PATCH /v2/team/app/blobs/uploads/ID 2000-2999",
      "PATCH /v2/team/app/blobs/uploads/ID 3000-3499",
      "PUT /v2/team/app/blobs/uploads/ID?digest",
    ]);
    assert.deepEqual(reg.blobs.get(sha(layer)), layer);
  });

  it("a registry that resumes: the upload's status says 1500 bytes arrived, the chunk goes on from byte 1500", async () => {
    reg.mode = "resumable";
    reg.cut = { nth: 2, after: 500 };
    await push();
    assert.deepEqual(layerRequests().slice(2), [
      "POST /v2/team/app/blobs/uploads/",
      "PATCH /v2/team/app/blobs/uploads/ID 0-999",
      "PATCH /v2/team/app/blobs/uploads/ID 1000-1999",
      "GET /v2/team/app/blobs/uploads/ID",
      "PATCH /v2/team/app/blobs/uploads/ID 1500-1999",
      "PATCH /v2/team/app/blobs/uploads/ID 2000-2999",
      "PATCH /v2/team/app/blobs/uploads/ID 3000-3499",
      "PUT /v2/team/app/blobs/uploads/ID?digest",
    ]);
    assert.deepEqual(reg.blobs.get(sha(layer)), layer);
  });

  it("a connection that always drops: the push fails naming the blob after a bounded number of attempts, no manifest put", async () => {
    reg.mode = "resumable";
    reg.cut = { nth: 1, after: 10, always: true };
    await assert.rejects(push(), (e: unknown) => e instanceof RegistryError && e.kind === "connection" && e.message.includes(sha(layer)));
    assert.ok(reg.seen.filter((s) => s.startsWith("PATCH")).length <= 3 * 3, `bounded: ${reg.seen.length} requests`);
    assert.equal(reg.blobs.has(sha(layer)), false);
    assert.equal(reg.seen.some((s) => s.includes("/manifests/")), false);
  });

  it("a source that holds other bytes than the descriptor says: refused, nothing committed", async () => {
    await assert.rejects(push(source(layer.subarray(0, 2500))), (e: unknown) => e instanceof RegistryError && /holds 2500 bytes, its descriptor says 3500/.test(e.message));
    assert.equal(reg.blobs.has(sha(layer)), false);
    await assert.rejects(push(source(Buffer.concat([layer, Buffer.from("x")]))), /holds more than the 3500 bytes/);
    assert.equal(reg.blobs.has(sha(layer)), false);
  });
});
