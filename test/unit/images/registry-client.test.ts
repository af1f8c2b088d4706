/**
 * The registry client's pure parts: WWW-Authenticate parsing, index platform selection, the credential keyring,
 * the hosts config (mirrors, insecure rules), manifest parsing and digest checks, and the token cache on a fake clock.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { Authenticator } from "../../../src/images/registry/auth.js";
import { parseChallenges } from "../../../src/images/registry/challenge.js";
import { verifyManifestDigest } from "../../../src/images/registry/client.js";
import { Keyring, parseDockerConfig } from "../../../src/images/registry/credentials.js";
import { RegistryError } from "../../../src/images/registry/errors.js";
import { isLoopback, parseRegistriesConfig, RegistryHosts } from "../../../src/images/registry/hosts.js";
import { DOCKER_MANIFEST, layerCompression, OCI_INDEX, OCI_MANIFEST, parseManifest, type Descriptor } from "../../../src/images/manifest.js";
import { nodePlatform, selectPlatform } from "../../../src/images/platform.js";
import type { HttpRequest, HttpResponse } from "../../../src/images/registry/transport.js";

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const ctx = { registry: "r.example", repository: "team/app" };

describe("WWW-Authenticate challenges", () => {
  it("parses Bearer with realm, service and a scope holding colons and commas", () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), [
      { scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull,push" } },
    ]);
  });
  it("parses Basic, several challenges in one header, escapes and unquoted values", () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: "basic", params: { realm: "Registry Realm" } }]);
    assert.deepEqual(parseChallenges(['Basic realm="a\\"b", Bearer realm=x,service=y']), [
      { scheme: "basic", params: { realm: 'a"b' } },
      { scheme: "bearer", params: { realm: "x", service: "y" } },
    ]);
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges(""), []);
  });
});

describe("index platform selection", () => {
  const entry = (digest: string, os: string, architecture: string, variant?: string, extra: Partial<Descriptor> = {}): Descriptor => ({
    mediaType: OCI_MANIFEST,
    digest,
    size: 1,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
    ...extra,
  });
  const amd64 = { os: "linux", architecture: "amd64" };
  it("picks amd64, skipping an attestation listed first and arm64", () => {
    const att = entry(D("a"), "unknown", "unknown", undefined, { annotations: { "vnd.docker.reference.type": "attestation-manifest" } });
    assert.equal(selectPlatform([att, entry(D("b"), "linux", "arm64", "v8"), entry(D("c"), "linux", "amd64")], amd64).digest, D("c"));
  });
  it("skips an attestation even when it claims the node's platform, and entries of unknown media types", () => {
    const att = entry(D("a"), "linux", "amd64", undefined, { annotations: { "vnd.docker.reference.type": "attestation-manifest" } });
    const odd = { ...entry(D("b"), "linux", "amd64"), mediaType: "application/vnd.example.thing" };
    assert.equal(selectPlatform([att, odd, entry(D("c"), "linux", "amd64")], amd64).digest, D("c"));
  });
  it("takes the first of equal matches and prefers the best variant", () => {
    assert.equal(selectPlatform([entry(D("a"), "linux", "amd64"), entry(D("b"), "linux", "amd64")], amd64).digest, D("a"));
    assert.equal(selectPlatform([entry(D("a"), "linux", "amd64", "v3"), entry(D("b"), "linux", "amd64", "v1")], amd64).digest, D("b"));
    const arm64 = { os: "linux", architecture: "arm64", variant: "v8" };
    assert.equal(selectPlatform([entry(D("a"), "linux", "arm64")], arm64).digest, D("a"), "arm64 without variant is v8");
    const armv7 = { os: "linux", architecture: "arm", variant: "v7" };
    assert.equal(selectPlatform([entry(D("a"), "linux", "arm", "v5"), entry(D("b"), "linux", "arm", "v7"), entry(D("c"), "linux", "arm", "v6")], armv7).digest, D("b"));
    assert.equal(selectPlatform([entry(D("a"), "linux", "arm", "v5"), entry(D("c"), "linux", "arm", "v6")], armv7).digest, D("c"), "v7 runs v6");
  });
  it("says what the index offers when nothing matches", () => {
    assert.throws(() => selectPlatform([entry(D("a"), "linux", "arm64", "v8"), entry(D("b"), "windows", "amd64")], amd64), /no image for platform linux\/amd64 in the index \(it has: linux\/arm64\/v8, windows\/amd64\)/);
  });
  it("knows this node's platform", () => {
    assert.deepEqual(nodePlatform("x64", []), { os: "linux", architecture: "amd64", variant: "v1" });
    assert.deepEqual(nodePlatform("arm64"), { os: "linux", architecture: "arm64", variant: "v8" });
    assert.deepEqual(nodePlatform("arm", [], "6"), { os: "linux", architecture: "arm", variant: "v6" });
  });
});

describe("credential keyring (the kubelet's matching)", () => {
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  const ring = Keyring.from(
    {
      origin: "imagePullSecret default/a",
      json: JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hub:pw1") },
          "*.example.com": { username: "glob", password: "pw2" },
          "r.example.com/team": { auth: b64("team:pw:with:colons") },
          "r.example.com": { auth: b64("host:pw4") },
          "127.0.0.1:5000": { auth: b64("local:pw5") },
          "helper.example": {},
        },
      }),
    },
    { origin: "--registry-config /n.json", json: JSON.stringify({ auths: { "docker.io": { auth: b64("node:pw6") } } }) },
  );
  const users = (reg: string, repo: string): string[] => ring.lookup(reg, repo).map((c) => c.username);
  it("matches Docker Hub's keys to docker.io, secrets before the node's file", () => {
    assert.deepEqual(users("docker.io", "library/nginx"), ["hub", "node"]);
  });
  it("orders by specificity: path prefix, exact host, then globs", () => {
    assert.deepEqual(users("r.example.com", "team/app"), ["team", "host", "glob"]);
    assert.deepEqual(users("r.example.com", "teamx/app"), ["host", "glob"], "a path prefix matches whole components");
    assert.deepEqual(users("a.example.com", "x"), ["glob"]);
    assert.deepEqual(users("a.b.example.com", "x"), [], "a glob matches one DNS label");
    assert.deepEqual(users("example.com", "x"), []);
  });
  it("requires the port to match", () => {
    assert.deepEqual(users("127.0.0.1:5000", "x"), ["local"]);
    assert.deepEqual(users("127.0.0.1:5001", "x"), []);
    assert.deepEqual(users("127.0.0.1", "x"), []);
  });
  it("decodes auth (password may hold colons) and keeps the origin, never the secret, for messages", () => {
    const [c] = ring.lookup("r.example.com", "team/x");
    assert.equal(c.password, "pw:with:colons");
    assert.equal(c.origin, "imagePullSecret default/a");
  });
  it("refuses malformed config naming the key, not the value", () => {
    assert.throws(() => parseDockerConfig("{", "secret s"), /secret s: not valid JSON/);
    assert.throws(
      () => parseDockerConfig(JSON.stringify({ auths: { "h.example": { auth: b64("nocolonSECRET") } } }), "secret s"),
      (e: Error) => /auths\["h.example"\]\.auth/.test(e.message) && !e.message.includes("SECRET"),
    );
    assert.equal(parseDockerConfig(JSON.stringify({ "legacy.example": { auth: b64("u:p") } }), "x")[0].creds.username, "u", "legacy .dockercfg shape");
  });
});

describe("registries config: mirrors and insecure registries", () => {
  it("puts mirrors first, then the registry; Docker Hub's API host; schemes by the insecure rules", () => {
    const hosts = new RegistryHosts(
      parseRegistriesConfig(JSON.stringify({ registries: { "docker.io": { mirrors: ["http://127.0.0.1:5000", "mirror.example:443"] }, "mirror.example:443": { ca: "/etc/ca.pem" } } }), "f"),
      [],
      ["/global.pem"],
    );
    assert.deepEqual(
      hosts.pullEndpoints("docker.io").map((e) => [e.url, e.mirror, e.ca]),
      [
        ["http://127.0.0.1:5000", true, ["/global.pem"]],
        ["https://mirror.example:443", true, ["/global.pem", "/etc/ca.pem"]],
        ["https://registry-1.docker.io", false, ["/global.pem"]],
      ],
    );
    assert.equal(hosts.pushEndpoint("docker.io").url, "https://registry-1.docker.io", "push never goes to a mirror");
  });
  it("uses plain HTTP for loopback, --insecure-registry and config-marked hosts only", () => {
    const hosts = new RegistryHosts(parseRegistriesConfig(JSON.stringify({ registries: { "10.0.0.5:5000": { insecure: true } } }), "f"), ["reg.lan:5000", "plain.lan"]);
    const url = (h: string): string => hosts.pushEndpoint(h).url;
    assert.equal(url("127.0.0.1:5000"), "http://127.0.0.1:5000");
    assert.equal(url("localhost:5000"), "http://localhost:5000");
    assert.equal(url("[::1]:5000"), "http://[::1]:5000");
    assert.equal(url("reg.lan:5000"), "http://reg.lan:5000");
    assert.equal(url("reg.lan:5001"), "https://reg.lan:5001", "the flag names a port");
    assert.equal(url("plain.lan:8080"), "http://plain.lan:8080", "a flag without port covers every port");
    assert.equal(url("10.0.0.5:5000"), "http://10.0.0.5:5000");
    assert.equal(url("10.0.0.6:5000"), "https://10.0.0.6:5000");
    assert.equal(url("quay.example"), "https://quay.example");
    assert.ok(isLoopback("127.1.2.3:80") && !isLoopback("128.0.0.1") && !isLoopback("localhost.example.com"));
  });
  it("refuses bad config naming the field", () => {
    const bad: [unknown, RegExp][] = [
      [{ registries: { "docker.io": { mirrors: "x" } } }, /registries\["docker.io"\]\.mirrors must be an array/],
      [{ registries: { "docker.io": { mirrors: ["http://m.example/path"] } } }, /mirrors\[0\]: "http:\/\/m.example\/path" must be/],
      [{ registries: { "docker.io": { insecure: "yes" } } }, /insecure must be true or false/],
      [{ registries: { "docker.io": { ca: "rel.pem" } } }, /ca must be an absolute path/],
      [{ registries: { "docker.io": { mirror: [] } } }, /unknown field "mirror"/],
      [{ registries: { "bad host": {} } }, /"bad host" is not a HOST/],
      [{ mirrors: {} }, /unknown field "mirrors"/],
    ];
    for (const [doc, re] of bad) assert.throws(() => parseRegistriesConfig(JSON.stringify(doc), "registries.json"), re);
    assert.throws(() => new RegistryHosts(undefined, ["http://x"]), /--insecure-registry: "http:\/\/x"/);
  });
});

describe("manifests from untrusted bytes", () => {
  const cfg = { mediaType: "application/vnd.oci.image.config.v1+json", digest: D("c"), size: 10 };
  const layer = { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: D("1"), size: 100 };
  const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
  it("parses both manifest families and indexes, with or without mediaType in the body", () => {
    const m = parseManifest(json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [layer] }), OCI_MANIFEST);
    assert.equal(m.kind, "manifest");
    const noType = parseManifest(json({ schemaVersion: 2, manifests: [] }), `${OCI_INDEX}; charset=utf-8`);
    assert.deepEqual(noType, { kind: "index", index: { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] } });
    const docker = parseManifest(json({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { ...cfg, mediaType: "application/vnd.docker.container.image.v1+json" }, layers: [] }), DOCKER_MANIFEST);
    assert.equal(docker.kind === "manifest" && docker.manifest.mediaType, DOCKER_MANIFEST);
    assert.equal(layerCompression("application/vnd.docker.image.rootfs.diff.tar.gzip"), "gzip");
    assert.equal(layerCompression("application/vnd.oci.image.layer.v1.tar+zstd"), "zstd");
    assert.equal(layerCompression("text/plain"), undefined);
  });
  it("refuses what it cannot trust, naming the field", () => {
    const bad: [unknown, string, RegExp][] = [
      [{ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, OCI_MANIFEST, /declares media type .*index.* but was served as .*manifest/],
      [{ schemaVersion: 1, name: "x" }, "application/vnd.docker.distribution.manifest.v1+prettyjws", /Docker schema 1/],
      [{ schemaVersion: 2, mediaType: "application/vnd.example+json" }, "", /unsupported manifest media type application\/vnd.example\+json/],
      [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [{ ...layer, digest: "sha256:../../etc" }] }, OCI_MANIFEST, /layers\[0\]\.digest: invalid sha256 digest/],
      [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [{ ...layer, size: -1 }] }, OCI_MANIFEST, /layers\[0\]\.size must be a non-negative integer/],
      [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...cfg, mediaType: "application/vnd.cncf.helm.config.v1+json" }, layers: [] }, OCI_MANIFEST, /not a container image/],
      [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: Array(1001).fill(layer) }, OCI_MANIFEST, /1001 layers, over the limit/],
    ];
    for (const [doc, type, re] of bad) assert.throws(() => parseManifest(json(doc), type), re);
    assert.throws(() => parseManifest(Buffer.alloc((4 << 20) + 1, 32), OCI_MANIFEST), /over the 4194304-byte limit/);
    assert.throws(() => parseManifest(Buffer.from("not json"), OCI_MANIFEST), /not JSON/);
  });
  it("verifies a manifest's digest against the one asked for, else Docker-Content-Digest", () => {
    const bytes = Buffer.from("{}");
    const good = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    assert.equal(verifyManifestDigest(bytes, good, undefined, ctx), good);
    assert.equal(verifyManifestDigest(bytes, "v1", good, ctx), good);
    assert.equal(verifyManifestDigest(bytes, "v1", undefined, ctx), good);
    assert.throws(() => verifyManifestDigest(bytes, D("a"), good, ctx), (e: unknown) => e instanceof RegistryError && e.kind === "digest-mismatch" && /the digest asked for/.test(e.message));
    assert.throws(() => verifyManifestDigest(bytes, "v1", D("a"), ctx), /r\.example\/team\/app: manifest digest mismatch.*Docker-Content-Digest/);
  });
});

describe("token cache (fake clock)", () => {
  const challenge = { scheme: "bearer", params: { realm: "https://auth.example/token", service: "reg" } };
  const ep = { ca: [] };
  function fakeTokenServer(expiresIn?: number): { sender: { send(r: HttpRequest): Promise<HttpResponse> }; requests: HttpRequest[] } {
    const requests: HttpRequest[] = [];
    let n = 0;
    return {
      requests,
      sender: {
        send: async (r) => {
          requests.push(r);
          const body = Readable.from([Buffer.from(JSON.stringify({ token: `t${++n}`, ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) }))]) as unknown as IncomingMessage;
          return { status: 200, headers: {}, url: r.url, body };
        },
      },
    };
  }
  it("asks once per scope and credential, and again after expires_in", async () => {
    let now = 1_000_000;
    const { sender, requests } = fakeTokenServer(300);
    const auth = new Authenticator(sender, () => now);
    const cred = { username: "u", password: "p", origin: "test" };
    assert.equal(await auth.header(ep, challenge, ["repository:a:pull"], cred, ctx), "Bearer t1");
    assert.equal(await auth.header(ep, challenge, ["repository:a:pull"], cred, ctx), "Bearer t1");
    const url = new URL(requests[0].url);
    assert.equal(url.searchParams.get("service"), "reg");
    assert.deepEqual(url.searchParams.getAll("scope"), ["repository:a:pull"]);
    assert.equal(requests[0].authorization, `Basic ${Buffer.from("u:p").toString("base64")}`);
    assert.equal(await auth.header(ep, challenge, ["repository:b:pull"], cred, ctx), "Bearer t2", "another scope, another token");
    assert.equal(await auth.header(ep, challenge, ["repository:a:pull"], undefined, ctx), "Bearer t3", "anonymous is its own entry");
    assert.equal(requests[2].authorization, undefined);
    now += 280_000;
    assert.equal(await auth.header(ep, challenge, ["repository:a:pull"], cred, ctx), "Bearer t1", "still valid");
    now += 15_000; // within the 10 s margin of expiry
    assert.equal(await auth.header(ep, challenge, ["repository:a:pull"], cred, ctx), "Bearer t4");
  });
  it("treats a missing or short expires_in as 60 s", async () => {
    let now = 0;
    const { sender } = fakeTokenServer(5);
    const auth = new Authenticator(sender, () => now);
    assert.equal(await auth.header(ep, challenge, ["s"], undefined, ctx), "Bearer t1");
    now = 49_000;
    assert.equal(await auth.header(ep, challenge, ["s"], undefined, ctx), "Bearer t1");
    now = 51_000;
    assert.equal(await auth.header(ep, challenge, ["s"], undefined, ctx), "Bearer t2");
  });
  it("uses the OAuth2 refresh-token POST for an identity token", async () => {
    const { sender, requests } = fakeTokenServer();
    const auth = new Authenticator(sender, () => 0);
    await auth.header(ep, challenge, ["repository:a:pull"], { username: "", password: "", identityToken: "REFRESH", origin: "t" }, ctx);
    assert.equal(requests[0].method, "POST");
    const form = new URLSearchParams((requests[0].body as Buffer).toString());
    assert.equal(form.get("grant_type"), "refresh_token");
    assert.equal(form.get("refresh_token"), "REFRESH");
    assert.equal(form.get("scope"), "repository:a:pull");
  });
  it("answers Basic challenges with the credential and nothing without one", async () => {
    const auth = new Authenticator(fakeTokenServer().sender);
    const basic = { scheme: "basic", params: { realm: "r" } };
    assert.equal(await auth.header(ep, basic, [], { username: "a", password: "b", origin: "o" }, ctx), `Basic ${Buffer.from("a:b").toString("base64")}`);
    assert.equal(await auth.header(ep, basic, [], undefined, ctx), undefined);
    assert.equal(await auth.header(ep, null, [], { username: "a", password: "b", origin: "o" }, ctx), undefined, "no challenge: credentials are not sent");
  });
});
