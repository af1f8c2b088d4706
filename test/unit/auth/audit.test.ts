/**
 * Audit: the policy (first matching rule, levels, omitStages, bad files refused), and the log a server writes — one
 * audit.k8s.io/v1 Event a line with user, verb, objectRef, status and the authorization decision; bodies only at
 * Request/RequestResponse; never a Secret's data, whatever the level.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { requestAttributes } from "../../../src/auth/attributes.js";
import { auditLevel, parseAuditPolicy } from "../../../src/auth/audit.js";
import { startTestServer } from "../apiserver/harness.js";

/** The fields of an audit.k8s.io/v1 Event the tests read. */
interface AuditEvent {
  kind: string;
  apiVersion: string;
  level: string;
  stage: string;
  verb: string;
  requestURI: string;
  auditID: string;
  user: unknown;
  objectRef: unknown;
  responseStatus?: { code: number };
  annotations: Record<string, string>;
  requestObject?: { data?: unknown };
  responseObject?: { metadata: { name: string } };
}

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/version"]
- level: Metadata
  resources: [{group: "", resources: ["secrets"]}]
- level: RequestResponse
  resources: [{group: "", resources: ["configmaps"]}]
- level: Request
  verbs: ["create", "delete"]
- level: Metadata
`;

describe("audit policy", () => {
  const policy = parseAuditPolicy(POLICY, "p.yaml");
  const u = { name: "jane", groups: ["system:authenticated"] };
  const level = (m: string, url: string) => auditLevel(policy, requestAttributes(u, m, url)).level;
  it("the first matching rule decides", () => {
    assert.equal(level("GET", "/healthz"), "None");
    assert.equal(level("GET", "/version"), "None");
    assert.equal(level("POST", "/api/v1/namespaces/a/secrets"), "Metadata");
    assert.equal(level("GET", "/api/v1/namespaces/a/configmaps/x"), "RequestResponse");
    assert.equal(level("POST", "/api/v1/namespaces/a/pods"), "Request");
    assert.equal(level("GET", "/api/v1/namespaces/a/pods"), "Metadata");
    assert.deepEqual(auditLevel(policy, requestAttributes(u, "GET", "/api")).omitStages, ["RequestReceived"]);
  });
  it("a wrong level, kind or version is refused naming the field", () => {
    assert.throws(() => parseAuditPolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n", "p"), /audit policy p: rules\[0\]\.level: Unsupported value: "Everything"/);
    assert.throws(() => parseAuditPolicy("apiVersion: v1\nkind: Policy\nrules: [{level: None}]\n", "p"), /apiVersion: want "audit\.k8s\.io\/v1"/);
    assert.throws(() => parseAuditPolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\n", "p"), /rules: Required value/);
  });
});

describe("the audit log", () => {
  it("records each request as an audit.k8s.io/v1 Event line at its level, with no secret data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-audit-"));
    const path = join(dir, "audit.log");
    const t = await startTestServer({ audit: { path, policy: parseAuditPolicy(POLICY, "p") } });
    try {
      await t.client.request("POST", "/api/v1/namespaces/default/secrets", { body: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: "hunter2" } } });
      await t.client.request("POST", "/api/v1/namespaces/default/configmaps", { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: "v" } } });
      await t.client.request("GET", "/api/v1/namespaces/default/pods");
      await t.client.request("GET", "/version");
      await t.client.request("GET", "/api/v1/namespaces/default/configmaps/nope").catch(() => undefined);
    } finally {
      await t.close();
    }
    const text = readFileSync(path, "utf8");
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!text.includes("hunter2"), "the secret's data is not in the log");
    const events = text.trim().split("\n").map((l) => JSON.parse(l) as AuditEvent);
    assert.deepEqual(events.map((e) => `${e.level} ${e.verb} ${e.requestURI} ${e.responseStatus?.code}`), [
      "Metadata create /api/v1/namespaces/default/secrets 201",
      "RequestResponse create /api/v1/namespaces/default/configmaps 201",
      "Metadata list /api/v1/namespaces/default/pods 200",
      "RequestResponse get /api/v1/namespaces/default/configmaps/nope 404",
    ]);
    const [secret, cm] = events;
    assert.equal(secret.kind, "Event");
    assert.equal(secret.apiVersion, "audit.k8s.io/v1");
    assert.equal(secret.stage, "ResponseComplete");
    assert.deepEqual(secret.user, { username: "system:admin", groups: ["system:masters", "system:authenticated"] });
    assert.deepEqual(secret.objectRef, { resource: "secrets", namespace: "default", apiGroup: "", apiVersion: "v1" });
    assert.equal(secret.annotations["authorization.k8s.io/decision"], "allow");
    assert.equal(secret.requestObject, undefined);
    assert.deepEqual(cm.requestObject?.data, { k: "v" });
    assert.equal(cm.responseObject?.metadata.name, "c");
    assert.match(cm.auditID, /^[0-9a-f-]{36}$/);
  });
});
