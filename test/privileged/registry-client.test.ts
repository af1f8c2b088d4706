/**
 * The distribution client against real registries (Debian's docker-registry, test/helpers/registry.ts): anonymous,
 * Basic and token auth; OCI and Docker manifests; a multi-arch index with an arm64 and an attestation entry; a
 * corrupted blob; a connection dropped mid-blob; a redirect to another host; mirrors; push then pull by digest.
 * Needs no root, only the registry and skopeo.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { DistributionClient } from "../../src/images/registry/client.js";
import { Keyring, NO_CREDENTIALS } from "../../src/images/registry/credentials.js";
import { RegistryError } from "../../src/images/registry/errors.js";
import { parseRegistriesConfig, RegistryHosts } from "../../src/images/registry/hosts.js";
import { registryImageSource } from "../../src/images/registry/image-source.js";
import { layoutBlobs, layoutPushSource } from "../../src/images/registry/layout-source.js";
import { ImageNotFoundError, pushLocalImage } from "../../src/images/registry/push-image.js";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "../../src/images/manifest.js";
import { parseImageReference } from "../../src/images/reference.js";
import { OciLayout, type LayoutImage } from "../helpers/oci-layout.js";
import { startBlobStore, startRegistryProxy } from "../helpers/registry-proxy.js";
import { pushImage, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { freePort } from "../helpers/ports.js";
import { needsCommand, skipUnless } from "../helpers/root.js";

const skip = skipUnless(needsCommand("docker-registry"), needsCommand("skopeo"), needsCommand("htpasswd"));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function creds(host: string, username: string, password: string): Keyring {
  return Keyring.from({ origin: "test secret", json: JSON.stringify({ auths: { [host]: { username, password } } }) });
}

describe("registry client against docker-registry", { skip }, () => {
  let work: string;
  let layout: OciLayout;
  let image: LayoutImage;
  let arm: LayoutImage;
  let multiDigest: string;
  let anon: TestRegistry;
  const cleanups: (() => Promise<void> | void)[] = [];
  const client = new DistributionClient({ idleTimeoutMs: 10_000 });
  const ref = (s: string) => parseImageReference(s);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "regtest-client-"));
    layout = new OciLayout(join(work, "layout"));
    image = await layout.image({ busybox: true, files: { "etc/motd": "amd64\n" } });
    arm = await layout.image({ architecture: "arm64", variant: "v8", files: { "etc/motd": "arm64\n" } });
    const multi = await layout.index([arm, image], { attestationFor: image });
    multiDigest = multi.digest;
    layout.tag("v1", image);
    layout.tag("multi", multi);
    layout.tag("pair", await layout.index([arm, image]));
    anon = await startRegistry();
    cleanups.push(() => anon.stop());
    await pushImage(anon, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
    await pushImage(anon, layout.dir, { from: "v1", to: "tiny/docker:v1", format: "v2s2" });
    await pushImage(anon, layout.dir, { from: "multi", to: "tiny/multi:v1", all: true });
    await pushImage(anon, layout.dir, { from: "pair", to: "tiny/list:v1", all: true, format: "v2s2" });
  });
  after(async () => {
    client.close();
    for (const c of cleanups.reverse()) await c();
    rmSync(work, { recursive: true, force: true });
  });

  it("anonymous: an OCI manifest by tag and by digest, its config and layers as verified streams", async () => {
    const got = await client.getImageManifest(ref(`${anon.host}/tiny/busybox:v1`));
    assert.equal(got.digest, image.digest);
    assert.equal(got.manifestDigest, image.digest);
    assert.equal(got.mediaType, OCI_MANIFEST);
    assert.deepEqual(got.bytes, layout.readBlob(image.digest));
    assert.deepEqual(got.manifest.layers.map((l) => l.digest), image.layers.map((l) => l.digest));
    assert.equal(got.endpoint, anon.url);
    const byDigest = await client.getImageManifest(ref(`${anon.host}/tiny/busybox@${image.digest}`));
    assert.equal(byDigest.digest, image.digest);
    for (const d of [got.manifest.config, ...got.manifest.layers]) {
      assert.deepEqual(await readAll(await client.openBlob(ref(`${anon.host}/tiny/busybox:v1`), d)), layout.readBlob(d.digest), d.digest);
    }
  });

  it("a Docker schema 2 manifest comes back as Docker's type (all four types are accepted)", async () => {
    const got = await client.getImageManifest(ref(`${anon.host}/tiny/docker:v1`));
    assert.equal(got.mediaType, DOCKER_MANIFEST);
    assert.equal(got.manifest.layers.length, 2);
    const layer = got.manifest.layers[1];
    assert.equal(layer.mediaType, "application/vnd.docker.image.rootfs.diff.tar.gzip");
    assert.equal((await readAll(await client.openBlob(ref(`${anon.host}/tiny/docker:v1`), layer))).length, layer.size);
  });

  it("a multi-arch OCI index: amd64 is picked, arm64 and the attestation listed first are skipped", async () => {
    const got = await client.getImageManifest(ref(`${anon.host}/tiny/multi:v1`));
    assert.equal(got.digest, multiDigest, "the digest of what the reference named (the index)");
    assert.equal(got.manifestDigest, image.digest);
    assert.equal(got.index?.mediaType, OCI_INDEX);
    assert.equal(got.index?.index.manifests[0].annotations?.["vnd.docker.reference.type"], "attestation-manifest");
    const armOnly = new DistributionClient({ platform: { os: "linux", architecture: "arm64", variant: "v8" } });
    assert.equal((await armOnly.getImageManifest(ref(`${anon.host}/tiny/multi:v1`))).manifestDigest, arm.digest);
    const s390 = new DistributionClient({ platform: { os: "linux", architecture: "s390x" } });
    await assert.rejects(s390.getImageManifest(ref(`${anon.host}/tiny/multi:v1`)), (e: unknown) => e instanceof RegistryError && e.kind === "unsupported" && /no image for platform linux\/s390x.*linux\/arm64\/v8, linux\/amd64/.test(e.message));
    armOnly.close();
    s390.close();
  });

  it("a Docker manifest list resolves the same way", async () => {
    const got = await client.getImageManifest(ref(`${anon.host}/tiny/list:v1`));
    assert.equal(got.index?.mediaType, DOCKER_MANIFEST_LIST);
    assert.equal(got.mediaType, DOCKER_MANIFEST);
    assert.equal(got.manifest.layers.length, 2, "the amd64 image (busybox + files), not arm64's single layer");
  });

  it("missing tag and repository: 404 naming registry, repository and tag", async () => {
    await assert.rejects(client.getImageManifest(ref(`${anon.host}/tiny/busybox:nope`)), (e: unknown) => {
      return e instanceof RegistryError && e.kind === "not-found" && e.message === `${anon.host}/tiny/busybox nope: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)`;
    });
  });

  it("a corrupted blob in the registry's storage fails the stream at its end with a digest error", async () => {
    const reg = await startRegistry();
    cleanups.push(() => reg.stop());
    await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
    const layer = image.layers[1];
    const file = reg.blobDataPath(layer.digest);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const stream = await client.openBlob(ref(`${reg.host}/tiny/busybox:v1`), layer);
    await assert.rejects(readAll(stream), (e: unknown) => {
      return e instanceof RegistryError && e.kind === "digest-mismatch" && e.message.startsWith(`${reg.host}/tiny/busybox ${layer.digest}: blob digest mismatch`);
    });
  });

  it("a connection dropped mid-blob is resumed with Range and the blob verifies", async () => {
    const proxy = await startRegistryProxy(anon, { dropBlobAfter: 100_000 });
    cleanups.push(() => proxy.close());
    const layer = image.layers[0];
    assert.ok(layer.size > 200_000, "the busybox layer is big enough to cut");
    const data = await readAll(await client.openBlob(ref(`${proxy.host}/tiny/busybox:v1`), layer));
    assert.deepEqual(data, layout.readBlob(layer.digest));
    const gets = proxy.requests.filter((r) => r.method === "GET" && r.path.includes("/blobs/"));
    assert.equal(gets.length, 2, "one cut GET, one resumed GET");
    assert.equal(gets[0].range, undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? "")?.[1]);
    assert.ok(from > 0 && from <= 100_000, `resumed from what had arrived (${gets[1].range})`);
  });

  it("Basic auth: right password pulls; a wrong one is a 401 naming the credentials' origin, never the password", async () => {
    const reg = await startRegistry({ mode: "htpasswd", username: "alice", password: "right-pw" });
    cleanups.push(() => reg.stop());
    await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
    const r = ref(`${reg.host}/tiny/busybox:v1`);
    const got = await client.getImageManifest(r, creds(reg.host, "alice", "right-pw"));
    assert.equal(got.digest, image.digest);
    assert.equal((await readAll(await client.openBlob(r, got.manifest.config, creds(reg.host, "alice", "right-pw")))).length, got.manifest.config.size);
    await assert.rejects(client.getImageManifest(r, creds(reg.host, "alice", "WRONG-pw")), (e: unknown) => {
      return e instanceof RegistryError && e.kind === "unauthorized" && /401 Unauthorized.*with the credentials from test secret/.test(e.message) && !e.message.includes("WRONG");
    });
    await assert.rejects(client.getImageManifest(r, NO_CREDENTIALS), /tiny\/busybox v1: 401 Unauthorized.*no credentials match this registry/);
    const both = Keyring.chain(creds(reg.host, "alice", "WRONG-pw"), creds(reg.host, "alice", "right-pw"));
    assert.equal((await client.getImageManifest(r, both)).digest, image.digest, "each matching credential is tried in turn");
    const secret = JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from("alice:right-pw").toString("base64") } } });
    const source = registryImageSource(client, r, ["{not json", secret]);
    assert.deepEqual(await source.manifest(), { bytes: layout.readBlob(image.digest), mediaType: OCI_MANIFEST, digest: image.digest }, "the puller's source, with a pod's pull secret");
    assert.equal((await readAll(await source.blob(image.config))).length, image.config.size);
  });

  it("token auth: the token server is asked for repository:NAME:pull with the service, and the token is reused", async () => {
    const reg = await startRegistry({ mode: "token", username: "bob", password: "tok-pw" });
    cleanups.push(() => reg.stop());
    await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
    const ts = reg.tokenServer;
    assert.ok(ts);
    const before = ts.requests.length;
    const r = ref(`${reg.host}/tiny/busybox:v1`);
    const fresh = new DistributionClient();
    cleanups.push(() => fresh.close());
    const got = await fresh.getImageManifest(r, creds(reg.host, "bob", "tok-pw"));
    for (const d of got.manifest.layers) await readAll(await fresh.openBlob(r, d, creds(reg.host, "bob", "tok-pw")));
    const asked = ts.requests.slice(before);
    assert.deepEqual(asked, [{ service: "nodelet-test-registry", scopes: ["repository:tiny/busybox:pull"], account: "bob", granted: true }], "one token for the manifest and both layers");
    await assert.rejects(fresh.getImageManifest(ref(`${reg.host}/tiny/other:v1`), creds(reg.host, "bob", "nope")), (e: unknown) => {
      return e instanceof RegistryError && e.kind === "unauthorized" && /401 Unauthorized from token server http:\/\/127\.0\.0\.1:\d+ for the credentials from test secret/.test(e.message);
    });
  });

  it("a blob redirected to another host is fetched without the Authorization header", async () => {
    const reg = await startRegistry({ mode: "htpasswd", username: "carol", password: "pw" });
    cleanups.push(() => reg.stop());
    await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
    const store = await startBlobStore(reg);
    const proxy = await startRegistryProxy(reg, { redirectBlobsTo: store.url });
    cleanups.push(() => store.close(), () => proxy.close());
    const keys = creds(proxy.host, "carol", "pw");
    const r = ref(`${proxy.host}/tiny/busybox:v1`);
    const got = await client.getImageManifest(r, keys);
    const layer = got.manifest.layers[1];
    assert.deepEqual(await readAll(await client.openBlob(r, layer, keys)), layout.readBlob(layer.digest));
    assert.ok(proxy.requests.some((q) => q.path.includes("/blobs/") && q.authorization), "the registry got the credentials");
    assert.equal(store.requests.length, 1);
    assert.equal(store.requests[0].authorization, false, "the other host did not");
  });

  it("mirrors: docker.io/library/busybox:1.28 served by a local registry after a dead and an empty mirror", async () => {
    const mirror = await startRegistry();
    const empty = await startRegistry();
    cleanups.push(() => mirror.stop(), () => empty.stop());
    await pushImage(mirror, layout.dir, { from: "v1", to: "library/busybox:1.28" });
    const dead = `http://127.0.0.1:${await freePort()}`;
    const hosts = new RegistryHosts(parseRegistriesConfig(JSON.stringify({ registries: { "docker.io": { mirrors: [dead, empty.url, mirror.host] } } }), "registries.json"));
    const viaMirror = new DistributionClient({ hosts });
    cleanups.push(() => viaMirror.close());
    const r = ref("busybox:1.28");
    const got = await viaMirror.getImageManifest(r);
    assert.equal(got.digest, image.digest);
    assert.equal(got.endpoint, mirror.url, "a loopback mirror without a scheme is plain HTTP");
    assert.deepEqual(await readAll(await viaMirror.openBlob(r, got.manifest.config)), layout.readBlob(image.config.digest));

    // Every mirror failing: the registry's own error, with what each mirror said.
    const upstream = await startRegistry();
    cleanups.push(() => upstream.stop());
    const onlyBad = new DistributionClient({ hosts: new RegistryHosts(parseRegistriesConfig(JSON.stringify({ registries: { [upstream.host]: { mirrors: [dead, empty.url] } } }), "f")) });
    cleanups.push(() => onlyBad.close());
    await assert.rejects(onlyBad.getImageManifest(ref(`${upstream.host}/library/busybox:1.28`)), (e: unknown) => {
      return e instanceof RegistryError && e.kind === "not-found" && e.message.includes(`mirrors tried first: ${dead}: cannot reach ${dead}: ECONNREFUSED; ${empty.url}: 404 Not Found`);
    });
  });

  it("push from an OCI layout (blobs, then manifest), then pull back by digest; a second push finds the blobs there", async () => {
    const reg = await startRegistry({ mode: "token", username: "dan", password: "push-pw" });
    cleanups.push(() => reg.stop());
    const keys = creds(reg.host, "dan", "push-pw");
    const pushed = await client.pushImage(ref(`${reg.host}/team/pushed:v2`), await layoutPushSource(layout.dir, "v1"), keys);
    assert.deepEqual(pushed, { digest: image.digest, uploaded: 3, existing: 0, mounted: 0 });
    assert.ok(reg.tokenServer?.requests.some((q) => q.scopes.includes("repository:team/pushed:pull,push")), "push scope asked");
    const back = await client.getImageManifest(ref(`${reg.host}/team/pushed@${pushed.digest}`), keys);
    assert.deepEqual(back.bytes, layout.readBlob(image.digest));
    const layer = back.manifest.layers[0];
    assert.deepEqual(await readAll(await client.openBlob(ref(`${reg.host}/team/pushed@${pushed.digest}`), layer, keys)), layout.readBlob(layer.digest));
    const again = await client.pushImage(ref(`${reg.host}/team/pushed:v3`), await layoutPushSource(layout.dir, "v1"), keys);
    assert.deepEqual(again, { digest: image.digest, uploaded: 0, existing: 3, mounted: 0 });
    const mounted = await client.pushImage(ref(`${reg.host}/team/copy:v1`), { ...(await layoutPushSource(layout.dir, "v1")), mountFrom: ["team/pushed"] }, keys);
    assert.deepEqual(mounted, { digest: image.digest, uploaded: 0, existing: 0, mounted: 3 });
    const index = await client.pushImage(ref(`${reg.host}/team/multi:v1`), await layoutPushSource(layout.dir, "multi"), keys);
    assert.equal(index.digest, multiDigest);
    assert.equal((await client.getImageManifest(ref(`${reg.host}/team/multi:v1`), keys)).manifestDigest, image.digest);
    await assert.rejects(client.pushImage(ref(`${reg.host}/team/denied:v1`), await layoutPushSource(layout.dir, "v1"), creds(reg.host, "dan", "bad")), /401 Unauthorized from token server/);
  });

  it("pushLocalImage: the node's image under its normalised reference, blobs served by digest", async () => {
    const target = `${anon.host}/team/local:v1`;
    const local = { manifestDigest: (r: string) => (r === target ? image.digest : undefined), blobs: layoutBlobs(layout.dir) };
    const pushed = await pushLocalImage(client, `${anon.host}/team/local:v1`, local, NO_CREDENTIALS);
    assert.deepEqual(pushed, { repository: `${anon.host}/team/local`, tag: "v1", digest: image.digest, size: image.size, uploaded: 3, existing: 0, mounted: 0 });
    assert.equal((await client.getImageManifest(ref(target))).digest, image.digest);
    await assert.rejects(pushLocalImage(client, `${anon.host}/team/absent`, local, NO_CREDENTIALS), (e: unknown) => e instanceof ImageNotFoundError && /image ".*team\/absent" is not on this node/.test(e.message));
  });

  it("HTTPS: a registry with a self-signed certificate is refused as a TLS error, and trusted with its CA", async () => {
    const reg = await startRegistry({ mode: "anonymous" }, { tls: true });
    cleanups.push(() => reg.stop());
    const https = `https://${reg.host}`;
    const upstream = await startRegistry();
    cleanups.push(() => upstream.stop());
    // Loopback hosts default to plain HTTP, so the HTTPS registry is named as an https:// mirror in front of another.
    const config = (ca?: string) => parseRegistriesConfig(JSON.stringify({ registries: { [upstream.host]: { mirrors: [https] }, ...(ca ? { [reg.host]: { ca } } : {}) } }), "f");
    await assert.rejects(fetch(`${https}/v2/`), "node refuses the self-signed certificate");
    const trusting = new DistributionClient({ hosts: new RegistryHosts(config(reg.caFile)) });
    cleanups.push(() => trusting.close());
    const untrusting = new DistributionClient({ hosts: new RegistryHosts(config()) });
    cleanups.push(() => untrusting.close());
    await pushImage(reg, layout.dir, { from: "v1", to: "library/busybox:1.28" });
    const r = ref(`${upstream.host}/library/busybox:1.28`);
    const got = await trusting.getImageManifest(r);
    assert.equal(got.endpoint, https);
    assert.equal(got.digest, image.digest);
    await assert.rejects(untrusting.getImageManifest(r), (e: unknown) => e instanceof RegistryError && e.message.includes(`mirrors tried first: ${https}: TLS with ${https} failed`));
    const globalCa = new DistributionClient({ hosts: new RegistryHosts(config(), [], [reg.caFile as string]) });
    cleanups.push(() => globalCa.close());
    assert.equal((await globalCa.getImageManifest(r)).endpoint, https, "--registry-ca trusts it for every registry");
  });
});
