/**
 * A rotated client certificate is used without a restart (RemoteStore.useClientCertificate): after the swap, the
 * blocking calls (the worker thread's connections), the async requests and the watch streams all reach the server
 * with the new certificate — the watch's stream on the old one is closed and reopened from its resourceVersion. The
 * server (a TLS listener that records each request's client certificate) runs on a thread of its own, since the
 * store's blocking calls hold this one.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { after, before, describe, it } from "node:test";
import { ensureNodePki, issueCert, type NodePki, type CertPair } from "../../../src/auth/pki.js";
import { RemoteStore } from "../../../src/store/remote-store.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { needsCommand, skipUnless } from "../../helpers/root.js";
import { waitFor } from "../../helpers/wait.js";

const skip = skipUnless(needsCommand("openssl"));

/** The server's thread: answers a ConfigMap, /version, and watches it keeps open; posts "CN METHOD PATH" per request. */
const SERVER = `
const { parentPort, workerData } = require("node:worker_threads");
const https = require("node:https");
const server = https.createServer({ cert: workerData.cert, key: workerData.key, ca: workerData.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
  const cn = req.socket.getPeerCertificate().subject.CN;
  parentPort.postMessage(cn + " " + req.method + " " + req.url.split("?")[0] + (req.url.includes("watch=1") ? " watch" : ""));
  res.setHeader("Content-Type", "application/json");
  if (req.url.includes("watch=1")) { res.writeHead(200); res.flushHeaders(); return; }
  if (req.url.startsWith("/version")) return res.end(JSON.stringify({ gitVersion: "v1.32.0" }));
  res.end(JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x", namespace: "default", resourceVersion: "5" } }));
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage("port " + server.address().port));
`;

describe("remote store: a rotated client certificate", { skip }, () => {
  let dir = "";
  let pki: NodePki;
  let a: CertPair;
  let b: CertPair;
  let server: Worker | undefined;
  const seen: string[] = [];
  let port = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-rotate-"));
    const runner = new HostRunner();
    pki = await ensureNodePki(join(dir, "pki"), [], runner);
    a = await issueCert(runner, { dir: join(dir, "pki"), name: "node-a", commonName: "system:node:a", organizations: ["system:nodes"], usage: "client" });
    b = await issueCert(runner, { dir: join(dir, "pki"), name: "node-b", commonName: "system:node:b", organizations: ["system:nodes"], usage: "client" });
    server = new Worker(SERVER, { eval: true, workerData: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert } });
    server.on("message", (m: string) => (m.startsWith("port ") ? (port = Number(m.slice(5))) : seen.push(m)));
    await waitFor("the server", () => port > 0, 10_000);
  });

  after(async () => {
    await server?.terminate();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("blocking calls, async requests and watches present the new certificate once it is in use", async () => {
    const store = new RemoteStore({ endpoint: { server: `https://127.0.0.1:${port}`, ca: pki.ca.cert, cert: a.cert, key: a.key }, rewatchDelayMs: 20 });
    // Lets the server thread's messages in (the blocking calls hold this thread).
    const drained = () => new Promise((r) => setImmediate(r));
    try {
      assert.equal(store.get("ConfigMap", "default", "x")?.metadata.name, "x");
      await store.requestAsync({ method: "GET", path: "/version" });
      const stop = store.watch("ConfigMap", { namespace: "default", resourceVersion: "5" }, () => undefined);
      await waitFor("the watch on the first certificate", () => seen.includes("system:node:a GET /api/v1/namespaces/default/configmaps watch"), 10_000);
      await drained();
      assert.ok(seen.includes("system:node:a GET /api/v1/namespaces/default/configmaps/x"), seen.join("\n"));
      assert.ok(seen.includes("system:node:a GET /version"));

      store.useClientCertificate(b.cert, b.key);
      assert.equal(store.clientCertificate(), b.cert);
      store.get("ConfigMap", "default", "x");
      await store.requestAsync({ method: "GET", path: "/version" });
      await waitFor("the watch reopened with the new certificate", () => seen.includes("system:node:b GET /api/v1/namespaces/default/configmaps watch"), 10_000);
      assert.ok(seen.includes("system:node:b GET /api/v1/namespaces/default/configmaps/x"), seen.join("\n"));
      assert.ok(seen.includes("system:node:b GET /version"));
      stop();
    } finally {
      store.close();
    }
  });
});
