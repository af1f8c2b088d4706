/**
 * A second real client beside kubectl: Debian's python3-kubernetes (test/e2e/python-client.py) lists, creates,
 * watches, reads logs and execs (its WebSocket v4 channel) against nodelet, once with a ServiceAccount token bound to
 * `edit` in its namespace (refused elsewhere with the apiserver's 403) and once with the admin client certificate.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { ServiceAccount } from "../../src/api/service-account.js";
import { ensureNodePki, type NodePki } from "../../src/auth/pki.js";
import { HostRunner } from "../../src/sys/runner.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer, testPod, type TestServer } from "../unit/apiserver/harness.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "../../../test/e2e/python-client.py");
const hasClient = existsSync("/usr/lib/python3/dist-packages/kubernetes/__init__.py") ? false : "python3-kubernetes is not installed";
const skip = skipUnless(needsCommand("openssl"), hasClient);
if (skip) console.log(`# skipping python client e2e: ${skip}`);

interface Seen {
  list: string[];
  created: string;
  watched: string[];
  logs: string;
  exec: string;
  default: "allowed" | { status: number; reason: string; message: string };
}

describe("python3-kubernetes against nodelet", { skip }, () => {
  let dir: string;
  let t: TestServer;
  let pki: NodePki;

  function run(env: Record<string, string>): Promise<Seen> {
    const server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    return new Promise((resolve, reject) => {
      execFile(PYTHON, [SCRIPT], { env: { PATH: process.env.PATH, HOME: dir, SERVER: server, CA: join(dir, "pki", "ca.crt"), NS: "team", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`python client failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as Seen);
      });
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-python-"));
    pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert }, fake: { logs: { c: "from the pod\n" } } });
    t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    t.store.create({ ...testPod("web", { ns: "team" }) });
    const web = t.store.get("Pod", "team", "web")!;
    t.store.update({ ...web, status: { phase: "Running" } } as typeof web, { subresource: "status" });
    t.store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot", namespace: "team" } });
    t.store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "bot-edit", namespace: "team" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "ServiceAccount", name: "bot", namespace: "team" }] } as never);
    writeFileSync(join(dir, "admin.crt"), pki.admin.cert);
    writeFileSync(join(dir, "admin.key"), pki.admin.key, { mode: 0o600 });
  });
  after(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("with a ServiceAccount token: list, create, watch, logs and exec in its namespace; 403 elsewhere", async () => {
    const sa = t.store.get<ServiceAccount>("ServiceAccount", "team", "bot")!;
    const { token } = t.server.serviceAccountTokens.issue({ serviceAccount: sa, expirationSeconds: 600 });
    const seen = await run({ TOKEN: token, CM: "from-bot" });
    assert.deepEqual(seen.list, ["web"]);
    assert.equal(seen.created, "from-bot");
    assert.ok(seen.watched.includes("ADDED from-bot"), seen.watched.join(", "));
    assert.equal(seen.logs, "from the pod\n");
    assert.equal(seen.exec, "echo hi\n");
    assert.deepEqual(seen.default, {
      status: 403,
      reason: "Forbidden",
      message: 'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "default"',
    });
  });

  it("with the admin client certificate: the same, and other namespaces too", async () => {
    const seen = await run({ CERT: join(dir, "admin.crt"), KEY: join(dir, "admin.key"), CM: "from-admin" });
    assert.deepEqual(seen.list, ["web"]);
    assert.ok(seen.watched.includes("ADDED from-admin"));
    assert.equal(seen.exec, "echo hi\n");
    assert.equal(seen.default, "allowed");
  });
});
