/**
 * The token realm (security review): Basic credentials go to a Bearer challenge's realm only over HTTPS, or plain HTTP
 * to a host the node marks insecure; the realm request trusts the endpoint's CA. Local servers play the realm.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Authenticator } from "../../../src/images/registry/auth.js";
import { DistributionClient } from "../../../src/images/registry/client.js";
import { RegistryError } from "../../../src/images/registry/errors.js";
import { RegistryHosts } from "../../../src/images/registry/hosts.js";
import { Transport } from "../../../src/images/registry/transport.js";

const ctx = { registry: "registry.example", repository: "team/app" };
const cred = { username: "alice", password: "s3cret", origin: "the node's config.json" };
const basic = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;

/** A token server: answers every request with a token and records the Authorization each one carried. */
function tokenHandler(seen: (string | undefined)[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.headers.authorization);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `t${seen.length}` }));
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("token realm over plain HTTP", () => {
  const seen: (string | undefined)[] = [];
  const server = createHttpServer(tokenHandler(seen));
  const transport = new Transport(5_000);
  let realm: string;
  let host: string;
  before(async () => {
    const port = await listen(server);
    host = `127.0.0.1:${port}`;
    realm = `http://${host}/token`;
  });
  after(() => {
    transport.close();
    server.close();
  });
  const challenge = () => ({ scheme: "bearer", params: { realm, service: "registry.example" } });

  test("credentials are not sent to an http realm of a host not marked insecure; nothing reaches it", async () => {
    const auth = new Authenticator(transport, Date.now, () => false);
    await assert.rejects(auth.header({ ca: [] }, challenge(), ["repository:team/app:pull"], cred, ctx), (e: unknown) =>
      e instanceof RegistryError && e.kind === "tls" && /refusing to send the credentials from the node's config\.json to token server http:\/\/127\.0\.0\.1:\d+ over plain HTTP/.test(e.message) && !e.message.includes("s3cret"));
    await assert.rejects(auth.header({ ca: [] }, challenge(), ["repository:team/app:pull"], { ...cred, identityToken: "REFRESH" }, ctx), /refusing to send the credentials/);
    assert.equal(seen.length, 0, "the realm got no request at all");
  });

  test("an anonymous token may come over http; credentials go to an http realm the node marks insecure", async () => {
    const auth = new Authenticator(transport, Date.now, (h) => h === host);
    const before = seen.length;
    assert.match((await new Authenticator(transport, Date.now, () => false).header({ ca: [] }, challenge(), ["s"], undefined, ctx))!, /^Bearer t/);
    assert.equal(seen[before], undefined, "anonymous: no Authorization");
    assert.match((await auth.header({ ca: [] }, challenge(), ["s"], cred, ctx))!, /^Bearer t/);
    assert.equal(seen[before + 1], basic);
  });

  test("the distribution client asks its registry hosts: loopback and --insecure-registry hosts are insecure, others not", async () => {
    const loopback = new DistributionClient({ hosts: new RegistryHosts() });
    const before = seen.length;
    await loopback.auth.header({ ca: [] }, challenge(), ["s2"], cred, ctx);
    assert.equal(seen[before], basic, "a loopback realm counts as insecure, as Docker treats it");
    loopback.close();
    const remote = new DistributionClient({ hosts: new RegistryHosts({ registries: {} }, ["auth.internal:5001"]) });
    await assert.rejects(remote.auth.header({ ca: [] }, { scheme: "bearer", params: { realm: "http://auth.example.invalid/token" } }, ["s"], cred, ctx), /refusing to send the credentials/);
    assert.equal(remote.hosts.isInsecure("auth.internal:5001"), true, "the predicate the authenticator asks");
    remote.close();
  });
});

describe("token realm over HTTPS", () => {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-realm-ca-"));
  const key = join(dir, "tls.key");
  const crt = join(dir, "tls.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const seen: (string | undefined)[] = [];
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(crt) }, tokenHandler(seen));
  const transport = new Transport(5_000);
  let realm: string;
  before(async () => {
    realm = `https://127.0.0.1:${await listen(server)}/token`;
  });
  after(() => {
    transport.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the realm request trusts the endpoint's CA (--registry-ca), and only that makes it succeed", async () => {
    const challenge = { scheme: "bearer", params: { realm } };
    const auth = new Authenticator(transport, Date.now);
    await assert.rejects(auth.header({ ca: [] }, challenge, ["s"], cred, ctx), (e: unknown) => e instanceof RegistryError && e.kind === "tls");
    assert.equal(seen.length, 0);
    assert.match((await auth.header({ ca: [crt] }, challenge, ["s"], cred, ctx))!, /^Bearer t1$/);
    assert.deepEqual(seen, [basic], "over https the credentials are sent");
  });
});
