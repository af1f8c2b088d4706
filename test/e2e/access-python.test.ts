/**
 * A second real client beside kubectl: Debian's python3-kubernetes (test/e2e/python-client.py) lists, creates,
 * watches, reads logs and execs (its WebSocket v4 channel) against nodelet, once with a ServiceAccount token bound to
 * `edit` in its namespace (refused elsewhere with the apiserver's 403) and once with the admin client certificate.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startAccessFixture, type AccessFixture } from "../helpers/access-fixture.js";
import { needsCommand, skipUnless } from "../helpers/root.js";

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
  let f: AccessFixture;

  function run(env: Record<string, string>): Promise<Seen> {
    return new Promise((resolve, reject) => {
      execFile(PYTHON, [SCRIPT], { env: { PATH: process.env.PATH, HOME: f.dir, SERVER: f.server, CA: join(f.dir, "pki", "ca.crt"), NS: "team", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`python client failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as Seen);
      });
    });
  }

  before(async () => {
    f = await startAccessFixture("nodelet-python-");
    writeFileSync(join(f.dir, "admin.crt"), f.pki.admin.cert);
    writeFileSync(join(f.dir, "admin.key"), f.pki.admin.key, { mode: 0o600 });
  });
  after(async () => {
    await f?.close();
  });

  it("with a ServiceAccount token: list, create, watch, logs and exec in its namespace; 403 elsewhere", async () => {
    const seen = await run({ TOKEN: f.botToken(), CM: "from-bot" });
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
    const seen = await run({ CERT: join(f.dir, "admin.crt"), KEY: join(f.dir, "admin.key"), CM: "from-admin" });
    assert.deepEqual(seen.list, ["web"]);
    assert.ok(seen.watched.includes("ADDED from-admin"));
    assert.equal(seen.exec, "echo hi\n");
    assert.equal(seen.default, "allowed");
  });
});
