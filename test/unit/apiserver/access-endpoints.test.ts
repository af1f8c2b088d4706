/**
 * Authorization of the requests beside plain CRUD, over the HTTPS listener with token users: nodelet's own
 * /apis/nodelet.io/v1 endpoints (image build, a pod's host steps), the attach and port-forward upgrades and
 * /metrics are decided by RBAC like any request (a viewer refused with kube-apiserver's 403 Status, nothing done;
 * a role granting them allows them, not only system:masters); and credentials that fail (malformed, expired, for
 * another audience) are 401 with the Unauthorized Status, nothing created.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServiceAccount } from "../../../src/api/service-account.js";
import { ensureNodePki, type NodePki } from "../../../src/auth/pki.js";
import { StaticTokenAuthenticator } from "../../../src/auth/token-file.js";
import { registerNodeApi, type NodeImages } from "../../../src/apiserver/node-api.js";
import { ApiClient } from "../../../src/client/index.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { needsCommand } from "../../helpers/root.js";
import { startTestServer, storePod, testPod, type TestServer } from "./harness.js";

const RBAC = "rbac.authorization.k8s.io";

function binding(name: string, ns: string | undefined, role: string, user: string) {
  return {
    apiVersion: `${RBAC}/v1`, kind: ns ? "RoleBinding" : "ClusterRoleBinding", metadata: ns ? { name, namespace: ns } : { name },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects: [{ kind: "User", apiGroup: RBAC, name: user }],
  };
}

/** Images that record what they were asked to build. */
function recordingImages(builds: string[]): NodeImages {
  const no = () => Promise.reject(new Error("not in this test"));
  return {
    list: () => Promise.resolve([]),
    buildFromHost: (_paths, tag) => (builds.push(tag), Promise.resolve({ name: tag })),
    buildDebian: no, remove: no, inspect: no, prune: no, import: no, save: no, pull: no,
  };
}

describe("authorization of nodelet's endpoints, upgrades and /metrics; failed credentials", { skip: needsCommand("openssl") }, () => {
  let dir: string;
  let pki: NodePki;
  let t: TestServer;
  let server: string;
  const builds: string[] = [];
  const clients: ApiClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-access-endpoints-"));
    pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    const tokens = new StaticTokenAuthenticator(
      ["admin:system:masters", "jane", "ed", "bob", "mon:system:monitoring"].map((s) => {
        const [name, group] = s.split(/:(.*)/);
        return { token: `${name}-token`, user: { name, groups: group ? [group] : [] } };
      }),
    );
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key }, authenticators: [tokens] });
    server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    registerNodeApi(t.server, { images: recordingImages(builds), store: t.store, explain: () => "#!/bin/sh\n" });
    t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    storePod(t.store, testPod("web", { ns: "team", phase: "Running" }));
    t.store.create(binding("jane-view", "team", "view", "jane") as never);
    t.store.create(binding("ed-edit", "team", "edit", "ed") as never);
    t.store.create({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: "image-builder" }, rules: [{ verbs: ["create"], apiGroups: ["nodelet.io"], resources: ["images"] }] } as never);
    t.store.create(binding("bob-builds", undefined, "image-builder", "bob") as never);
  });
  after(async () => {
    for (const c of clients) c.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (token: string) => {
    const c = new ApiClient({ server, ca: pki.ca.cert, token });
    clients.push(c);
    return c;
  };
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await as(token).raw(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    return { status: res.status, json: JSON.parse(res.body.toString() || "null") as { kind?: string; reason?: string; message?: string; code?: number } };
  };
  const build = (token: string, tag: string) => call(token, "POST", "/apis/nodelet.io/v1/images", { fromHost: ["/bin/sh"], tag });

  it("image build: a viewer is refused with the 403 Status and nothing is built; a role granting it allows it", async () => {
    const r = await build("jane-token", "jane-img");
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Forbidden", code: 403,
      message: 'images.nodelet.io is forbidden: User "jane" cannot create resource "images" in API group "nodelet.io" at the cluster scope',
      details: { kind: "images", group: "nodelet.io" },
    });
    assert.deepEqual(builds, []);
    assert.equal((await build("bob-token", "bob-img")).status, 201);
    assert.equal((await build("admin-token", "admin-img")).status, 201);
    assert.deepEqual(builds, ["bob-img", "admin-img"]);
    // bob's role is image creation only: the pod's host steps are still refused to him.
    const explain = await call("bob-token", "GET", "/apis/nodelet.io/v1/namespaces/team/pods/web/explain");
    assert.equal(explain.status, 403);
    assert.equal(explain.json.message, 'pods.nodelet.io "web" is forbidden: User "bob" cannot get resource "pods/explain" in API group "nodelet.io" in the namespace "team"');
  });

  /** An upgrade request as kubectl sends it (WebSocket GET); the status line and Status body of a refusal. */
  const upgrade = (token: string, path: string) =>
    new Promise<{ status: number; json?: { message?: string; reason?: string } }>((resolve, reject) => {
      const req = request(`${server}${path}`, {
        ca: pki.ca.cert,
        headers: {
          Authorization: `Bearer ${token}`, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "v5.channel.k8s.io",
        },
      });
      req.on("upgrade", (res, socket) => (socket.destroy(), resolve({ status: res.statusCode ?? 0 })));
      req.on("response", (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body) as { message?: string } }));
      });
      req.on("error", reject);
      req.end();
    });

  it("attach and port-forward: the viewer is refused pods/attach and pods/portforward; the editor gets past authorization", async () => {
    const attach = await upgrade("jane-token", "/api/v1/namespaces/team/pods/web/attach?stdin=true&stdout=true&container=c");
    assert.equal(attach.status, 403);
    assert.equal(attach.json?.message, 'pods "web" is forbidden: User "jane" cannot get resource "pods/attach" in API group "" in the namespace "team"');
    const pf = await upgrade("jane-token", "/api/v1/namespaces/team/pods/web/portforward?ports=80");
    assert.equal(pf.status, 403);
    assert.equal(pf.json?.message, 'pods "web" is forbidden: User "jane" cannot get resource "pods/portforward" in API group "" in the namespace "team"');
    // Authorization comes before the pod is looked up: the editor hears that the pod is missing, the viewer only 403.
    const missing = await upgrade("ed-token", "/api/v1/namespaces/team/pods/nope/attach?stdin=true&container=c");
    assert.equal(missing.status, 404);
    assert.equal(missing.json?.message, 'pods "nope" not found');
    assert.equal((await upgrade("jane-token", "/api/v1/namespaces/team/pods/nope/attach?container=c")).status, 403);
  });

  it("/metrics: refused by path to a viewer, served to the system:monitoring group", async () => {
    const r = await call("jane-token", "GET", "/metrics");
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'forbidden: User "jane" cannot get path "/metrics"');
    const m = await as("mon-token").raw("GET", "/metrics", { accept: "text/plain" });
    assert.equal(m.status, 200);
    assert.match(m.body.toString(), /^apiserver_request_total\{/m);
  });

  it("a malformed token, an expired one and one for another audience: 401 with the Unauthorized Status, nothing created", async () => {
    const sa = t.store.create<ServiceAccount>({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bot", namespace: "team" } });
    t.store.create(binding("bot-edit", "team", "edit", "system:serviceaccount:team:bot") as never);
    const tokens = t.server.serviceAccountTokens;
    const good = tokens.issue({ serviceAccount: sa, expirationSeconds: 3600 }).token;
    const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "team" } });
    assert.equal((await call(good, "POST", "/api/v1/namespaces/team/configmaps", cm("by-good"))).status, 201);
    const bad = {
      malformed: `${good.slice(0, -6)}AAAAAA`,
      garbage: "not-a-token",
      // Past exp by more than the 60 s leeway.
      expired: tokens.issue({ serviceAccount: sa, expirationSeconds: -120 }).token,
      audience: tokens.issue({ serviceAccount: sa, expirationSeconds: 3600, audiences: ["vault"] }).token,
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await call(token, "POST", "/api/v1/namespaces/team/configmaps", cm(what));
      assert.equal(r.status, 401, what);
      assert.deepEqual(r.json, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }, what);
      assert.equal(t.store.get("ConfigMap", "team", what), undefined, `${what}: nothing created`);
    }
  });
});
