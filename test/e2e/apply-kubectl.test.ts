/**
 * The real kubectl against a server in this process (HTTPS, the admin's client certificate, no runtime):
 * `kubectl explain` prints every served kind with its description and its top-level fields described, and
 * `explain resourcequota.spec` / `limitrange.spec.limits` go down into the quota and limit types; `kubectl apply
 * --server-side` records managedFields (`get -o yaml --show-managed-fields`), conflicts with `kubectl scale` as
 * kube-apiserver reports it, `--force-conflicts` takes the field, and a field dropped from the manifest goes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RESOURCES } from "../../src/api/resources.js";
import { SCHEMAS } from "../../src/api/schema.js";
import { writeKubeconfig } from "../../src/apiserver/index.js";
import { ensureNodePki } from "../../src/auth/pki.js";
import { HostRunner } from "../../src/sys/runner.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer, type TestServer } from "../unit/apiserver/harness.js";

function manifest(replicas: number, labels: string[], env: string[]): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
${labels.map((l) => `    ${l}: "yes"`).join("\n")}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        env:
${env.map((e) => `        - {name: ${e}, value: "1"}`).join("\n")}
`;
}

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping apply e2e: ${skip}`);

describe("kubectl explain and server-side apply", { skip }, () => {
  let dir: string;
  let t: TestServer;

  const kubectl = (args: string[], input?: string, timeoutMs?: number): Promise<KubectlRun> =>
    runKubectl({ kubeconfig: join(dir, "kubeconfig"), cacheDir: join(dir, "cache"), home: dir }, args, input, timeoutMs);
  async function ok(args: string[], input?: string): Promise<string> {
    const r = await kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-apply-"));
    const pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert } });
    const server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    await writeKubeconfig(join(dir, "kubeconfig"), { server, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key });
  });
  after(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("explain KIND: every served kind, its description and each top-level field described", async () => {
    const kinds = RESOURCES.map((r) => ({ r, args: [r.plural, `--api-version=${r.group ? `${r.group}/` : ""}${r.version}`] }));
    // Four at a time: each kubectl reads the cached OpenAPI document after the first.
    for (let i = 0; i < kinds.length; i += 4) {
      await Promise.all(
        kinds.slice(i, i + 4).map(async ({ r, args }) => {
          const out = await ok(["explain", ...args]);
          assert.match(out, new RegExp(`^KIND:\\s+${r.kind}\\nVERSION:\\s+${r.version}\\n`, "m"), out);
          assert.match(out, /^DESCRIPTION:\n {4}\S/m, `${r.kind}: ${out}`);
          const schema = SCHEMAS[r.kind];
          assert.ok(schema?.kind === "struct", r.kind);
          for (const field of Object.keys(schema.fields)) {
            assert.match(out, new RegExp(`^ {2}${field}\\t<[^>]+>\\n {4}\\S`, "m"), `${r.kind}.${field} described:\n${out}`);
          }
        }),
      );
    }
  });

  it("explain resourcequota.spec and limitrange.spec.limits", async () => {
    const rq = await ok(["explain", "resourcequota.spec"]);
    assert.match(rq, /^FIELD: spec <ResourceQuotaSpec>$/m, rq);
    assert.match(rq, /ResourceQuotaSpec defines the desired hard limits to enforce for Quota\./);
    assert.match(rq, /^ {2}hard\t<map\[string\]string>\n {4}hard is the set of desired hard limits/m, rq);
    assert.match(rq, /^ {2}scopes\t<\[\]string>\n {4}A collection of filters/m, rq);
    const lr = await ok(["explain", "limitrange.spec.limits"]);
    assert.match(lr, /^FIELD: limits <\[\]LimitRangeItem>$/m, lr);
    assert.match(lr, /^ {2}defaultRequest\t<map\[string\]string>\n {4}DefaultRequest is the default/m, lr);
  });

  it("apply --server-side: managedFields per manager, the conflict with kubectl scale, --force-conflicts, a dropped field removed", async () => {
    const file = join(dir, "web.yaml");
    writeFileSync(file, manifest(2, ["app", "tier"], ["A", "B"]));
    assert.match(await ok(["apply", "--server-side", "-f", file]), /deployment\.apps\/web serverside-applied/);
    const shown = await ok(["get", "deployment", "web", "-o", "yaml", "--show-managed-fields"]);
    assert.match(shown, /managedFields:\n {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n/, shown);
    assert.match(shown, /^ {4}manager: kubectl\n {4}operation: Apply\n/m, shown);
    assert.match(shown, /^ {8}f:replicas: \{\}$/m, shown);
    assert.match(shown, /^ {14}k:\{"name":"nginx"\}:\n {16}\.: \{\}$/m, shown);
    assert.doesNotMatch(await ok(["get", "deployment", "web", "-o", "yaml"]), /managedFields/);

    await ok(["scale", "deployment", "web", "--replicas=3"]);
    const scaled = await ok(["get", "deployment", "web", "-o", "yaml", "--show-managed-fields"]);
    assert.match(scaled, /^ {4}manager: kubectl\n {4}operation: Update\n {4}subresource: scale\n/m, scaled);
    const conflict = await kubectl(["apply", "--server-side", "-f", file]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas$/m, conflict.stderr);
    assert.equal(await ok(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]), "3", "a refused apply changes nothing");

    await ok(["apply", "--server-side", "--force-conflicts", "-f", file]);
    assert.equal(await ok(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]), "2");
    const forced = await ok(["get", "deployment", "web", "-o", "yaml", "--show-managed-fields"]);
    assert.doesNotMatch(forced, /subresource: scale/, "the scale manager owned nothing else and is gone");

    writeFileSync(file, manifest(2, ["app"], ["A"]));
    await ok(["apply", "--server-side", "-f", file]);
    assert.equal(await ok(["get", "deployment", "web", "-o", "jsonpath={.metadata.labels}"]), '{"app":"yes"}');
    assert.equal(await ok(["get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}"]), "A");
  });
});
