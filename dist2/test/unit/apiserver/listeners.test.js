import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { ApiError } from "../../../src/api/errors.js";
import { createApiServer, ensureServingCert, renderKubeconfig, writeKubeconfig } from "../../../src/apiserver/index.js";
import { ApiClient } from "../../../src/client/index.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { needsCommand } from "../../helpers/root.js";
import { FakePodIO } from "../../helpers/fake-pod-io.js";
import { startTestServer } from "./harness.js";
describe("unix socket listener", () => {
    let t;
    before(async () => (t = await startTestServer()));
    after(() => t.close());
    it("is a 0600 socket in a 0700 directory", () => {
        assert.equal(statSync(t.socketPath).mode & 0o777, 0o600);
        assert.equal(statSync(join(t.dir, "run")).mode & 0o777, 0o700);
    });
    it("refuses to take over a live socket", async () => {
        const other = createApiServer({ store: openStore(":memory:"), podIO: new FakePodIO(), nodeName: "n", socketPath: t.socketPath });
        await assert.rejects(other.start(), /another server is listening/);
        await other.close();
    });
    it("replaces a stale socket file", async () => {
        const dir = mkdtempSync(join(tmpdir(), "nodelet-stale-"));
        try {
            const path = join(dir, "api.sock");
            // A crashed daemon: a process that listened and was killed leaves its socket file behind.
            const child = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`]);
            await new Promise((r) => child.stdout.once("data", r));
            child.kill("SIGKILL");
            await new Promise((r) => child.once("exit", r));
            assert.ok(statSync(path).isSocket());
            const s = createApiServer({ store: openStore(":memory:"), podIO: new FakePodIO(), nodeName: "n", socketPath: path });
            await s.start();
            const client = new ApiClient({ socketPath: path });
            assert.equal(await client.request("GET", "/healthz"), "ok");
            client.close();
            await s.close();
        }
        finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
describe("TCP listener (HTTPS + bearer token)", { skip: needsCommand("openssl") }, () => {
    let dir;
    let cert;
    let t;
    let port;
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "nodelet-tls-"));
        cert = await ensureServingCert({ dir: join(dir, "pki") });
        t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "s3cret", ...cert } });
        port = t.server.tcpAddress().port;
    });
    after(async () => {
        await t?.close();
        rmSync(dir, { recursive: true, force: true });
    });
    it("answers 401 without the token and serves with it", async () => {
        const anon = new ApiClient({ server: `https://127.0.0.1:${port}`, ca: cert.cert });
        await assert.rejects(anon.request("GET", "/api/v1/namespaces"), (e) => e instanceof ApiError && e.code === 401 && e.reason === "Unauthorized");
        const wrong = new ApiClient({ server: `https://127.0.0.1:${port}`, ca: cert.cert, token: "nope" });
        await assert.rejects(wrong.request("GET", "/version"), (e) => e instanceof ApiError && e.code === 401);
        const ok = new ApiClient({ server: `https://127.0.0.1:${port}`, ca: cert.cert, token: "s3cret" });
        assert.equal((await ok.request("GET", "/version")).minor, "32");
        for (const c of [anon, wrong, ok])
            c.close();
    });
    it("reuses a certificate that still covers the hosts, and remakes one that does not", async () => {
        const again = await ensureServingCert({ dir: join(dir, "pki") });
        assert.equal(again.cert, cert.cert);
        const wider = await ensureServingCert({ dir: join(dir, "pki"), hosts: ["10.1.2.3", "node1.example"] });
        assert.notEqual(wider.cert, cert.cert);
        assert.equal(statSync(join(dir, "pki", "apiserver.key")).mode & 0o777, 0o600);
    });
    it("writes a kubeconfig with the CA and token, mode 0600", async () => {
        const path = join(dir, "kube", "config");
        await writeKubeconfig(path, { server: `https://127.0.0.1:${port}`, caCert: cert.cert, token: "s3cret", namespace: "default" });
        assert.equal(statSync(path).mode & 0o777, 0o600);
        const cfg = parse(renderKubeconfig({ server: "https://h:1", caCert: cert.cert, token: "s3cret" })); // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.equal(cfg["current-context"], "nodelet");
        assert.equal(Buffer.from(cfg.clusters[0].cluster["certificate-authority-data"], "base64").toString(), cert.cert);
        assert.equal(cfg.users[0].user.token, "s3cret");
    });
});
describe("--listen addresses", () => {
    it("parses HOST:PORT forms", async () => {
        const { parseListenAddress } = await import("../../../src/apiserver/index.js");
        assert.deepEqual(parseListenAddress("127.0.0.1:6443"), { host: "127.0.0.1", port: 6443 });
        assert.deepEqual(parseListenAddress(":6443"), { host: "0.0.0.0", port: 6443 });
        assert.deepEqual(parseListenAddress("[::1]:6443"), { host: "::1", port: 6443 });
        assert.throws(() => parseListenAddress("6443"), /want HOST:PORT/);
        assert.throws(() => parseListenAddress("h:99999"), /invalid listen address/);
    });
    it("prepares a certificate and a token once, then reuses them", { skip: needsCommand("openssl") }, async () => {
        const { prepareTcpListener } = await import("../../../src/apiserver/index.js");
        const dir = mkdtempSync(join(tmpdir(), "nodelet-listen-"));
        try {
            const a = await prepareTcpListener({ listen: "127.0.0.1:0", dir });
            const b = await prepareTcpListener({ listen: "127.0.0.1:0", dir });
            assert.equal(a.token, b.token);
            assert.equal(a.cert, b.cert);
            assert.equal(statSync(join(dir, "token")).mode & 0o777, 0o600);
        }
        finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
//# sourceMappingURL=listeners.test.js.map