/**
 * Insecure registries (loopback by default, --insecure-registry, "insecure": true) as Docker treats them: HTTPS is
 * tried first with the certificate unchecked, plain HTTP only when the host does not speak TLS. Two small registries
 * on 127.0.0.1 answer /v2/ and one manifest, one over plain HTTP and one over HTTPS with a self-signed certificate;
 * the unchecked certificate is for the insecure host only, not for a host it redirects to.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OCI_MANIFEST } from "../../../src/images/manifest.js";
import { parseImageReference } from "../../../src/images/reference.js";
import { DistributionClient } from "../../../src/images/registry/client.js";
import { RegistryError } from "../../../src/images/registry/errors.js";

const dir = mkdtempSync(join(tmpdir(), "nodelet-https-first-"));
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 2 },
  layers: [],
}));
const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
const blobDigest = `sha256:${"b".repeat(64)}`;

/** A registry of one manifest; its blob GET redirects to `redirectTo` (another host) when set. */
function handler(seen: string[], redirectTo?: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === "/v2/") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if (req.url === "/v2/team/app/manifests/v1") {
      return void res.writeHead(200, { "content-type": OCI_MANIFEST, "docker-content-digest": digest, "content-length": manifest.length }).end(manifest);
    }
    if (req.url === `/v2/team/app/blobs/${blobDigest}` && redirectTo) return void res.writeHead(307, { location: redirectTo() }).end();
    res.writeHead(404).end();
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("insecure registries: HTTPS first, plain HTTP when the host does not speak TLS", () => {
  const plainSeen: string[] = [];
  const tlsSeen: string[] = [];
  const plain = createHttpServer(handler(plainSeen));
  let tls: Server;
  let other: Server;
  let plainPort = 0;
  let tlsPort = 0;
  let otherPort = 0;
  const clients: DistributionClient[] = [];
  const client = () => {
    const c = new DistributionClient({ idleTimeoutMs: 10_000 });
    clients.push(c);
    return c;
  };

  before(async () => {
    const key = join(dir, "key.pem");
    const crt = join(dir, "crt.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    const creds = { key: readFileSync(key), cert: readFileSync(crt) };
    tls = createHttpsServer(creds, handler(tlsSeen, () => `https://localhost:${otherPort}/blob`));
    other = createHttpsServer(creds, (_req, res) => void res.writeHead(200).end("blob"));
    plainPort = await listen(plain);
    tlsPort = await listen(tls);
    otherPort = await listen(other);
  });
  after(() => {
    for (const c of clients) c.close();
    for (const s of [plain, tls, other]) {
      s.closeAllConnections();
      s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("a loopback registry speaking HTTPS with a self-signed certificate is reached over HTTPS", async () => {
    const got = await client().getManifest(parseImageReference(`127.0.0.1:${tlsPort}/team/app:v1`), "v1");
    assert.equal(got.digest, digest);
    assert.equal(got.endpoint, `https://127.0.0.1:${tlsPort}`);
    assert.ok(tlsSeen.includes("GET /v2/team/app/manifests/v1"));
  });

  it("a loopback registry speaking plain HTTP is reached over HTTP after the TLS attempt fails, asked once per host", async () => {
    const c = client();
    const got = await c.getManifest(parseImageReference(`127.0.0.1:${plainPort}/team/app:v1`), "v1");
    assert.equal(got.endpoint, `http://127.0.0.1:${plainPort}`);
    assert.equal(got.digest, digest);
    await c.getManifest(parseImageReference(`127.0.0.1:${plainPort}/team/app:v1`), "v1");
    assert.deepEqual(plainSeen.filter((s) => s === "GET /v2/"), ["GET /v2/"], "one ping: the scheme and challenge are remembered");
  });

  it("the unchecked certificate is the insecure host's only: a redirect to another host's self-signed certificate fails TLS", async () => {
    const open = client().openBlob(parseImageReference(`127.0.0.1:${tlsPort}/team/app:v1`), { digest: blobDigest, size: 4 });
    await assert.rejects(open, (e: unknown) => e instanceof RegistryError && /TLS with https:\/\/localhost:\d+ failed/.test(e.message));
  });
});
