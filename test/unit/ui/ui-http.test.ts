/**
 * The web view's HTTP side against a real API server (HTTPS listener with the admin token and a token-file user
 * without RBAC rights, and the unix socket), and `nodelet dashboard`'s local listener in front of that socket.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureServingCert } from "../../../src/apiserver/index.js";
import { StaticTokenAuthenticator } from "../../../src/auth/token-file.js";
import { installUi } from "../../../src/cmd/ui-wiring.js";
import { startDashboard, type Dashboard } from "../../../src/ui/dashboard.js";
import type { Topology } from "../../../src/ui/topology.js";
import { needsCommand } from "../../helpers/root.js";
import { waitFor } from "../../helpers/wait.js";
import { startTestServer, storePod, testPod, type TestServer } from "../apiserver/harness.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Send = (method: string, path: string, o?: { headers?: Record<string, string>; body?: string }) => Promise<Answer>;

function collect(resolve: (a: Answer) => void, reject: (e: Error) => void) {
  return (res: import("node:http").IncomingMessage) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    res.on("error", reject);
  };
}

const cookieOf = (a: Answer): string => String(a.headers["set-cookie"]?.[0] ?? "").split(";")[0];

describe("web view over HTTPS and the unix socket", { skip: needsCommand("openssl") }, () => {
  let dir: string;
  let t: TestServer;
  let stopUi: () => void;
  let https: Send;
  let port: number;
  let cpu = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-ui-"));
    const cert = await ensureServingCert({ dir: join(dir, "pki") });
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "admin-token", ...cert }, authenticators: [new StaticTokenAuthenticator([{ token: "bob-token", user: { name: "bob", groups: [] } }, { token: "carol-token", user: { name: "carol", groups: [] } }])] });
    stopUi = installUi(t.server, { store: t.store, nodeName: "node1", hostIP: () => "192.168.1.10", bridge: "nodelet-uit", runtimeUid: (p) => p.metadata.uid!, podUsage: () => Promise.resolve({ cpuNanos: (cpu += 1e8), memoryWorkingSetBytes: 5 << 20 }), sampleMs: 50 }, () => undefined);
    port = t.server.tcpAddress()!.port;
    https = (method, path, o = {}) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest({ host: "127.0.0.1", port, method, path, ca: cert.cert, servername: "localhost", rejectUnauthorized: false, headers: { host: `127.0.0.1:${port}`, ...o.headers } }, collect(resolve, reject));
        req.on("error", reject);
        req.end(o.body);
      });
    storePod(t.store, testPod("web-1", { phase: "Running" }));
  });
  after(async () => {
    stopUi?.();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = async (token: string, headers: Record<string, string> = {}) =>
    https("POST", "/ui/login", { headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: `token=${encodeURIComponent(token)}` });

  it("data endpoints answer 401 without a session, even to a bearer token the API accepts", async () => {
    for (const path of ["/ui/api/session", "/ui/api/topology", "/ui/api/k8s/api/v1/pods", "/ui/api/usage/default/web-1"]) {
      assert.equal((await https("GET", path)).status, 401, path);
      assert.equal((await https("GET", path, { headers: { authorization: "Bearer admin-token" } })).status, 401, `${path} with a bearer token`);
    }
  });

  it("a wrong token or a cross-site form does not log in; the right one sets the session cookie", async () => {
    const wrong = await login("nope");
    assert.equal(wrong.status, 303);
    assert.equal(wrong.headers.location, "/ui/?login=failed");
    assert.equal(wrong.headers["set-cookie"], undefined);
    assert.equal((await login("admin-token", { origin: "https://evil.example" })).status, 403);
    const ok = await login("admin-token", { origin: `https://127.0.0.1:${port}` });
    assert.equal(ok.status, 303);
    const set = String(ok.headers["set-cookie"]?.[0]);
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/ui/"]) assert.ok(set.includes(attr), `${attr} in ${set}`);
    const session = await https("GET", "/ui/api/session", { headers: { cookie: cookieOf(ok) } });
    assert.equal(session.status, 200);
    const doc = JSON.parse(session.body) as { user: string; csrf: string };
    assert.equal(doc.user, "nodelet-admin");
    assert.match(doc.csrf, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!session.body.includes("admin-token"), "the token never comes back");
  });

  it("a session reads the topology and the API as its user; the view only reads", async () => {
    const cookie = cookieOf(await login("admin-token"));
    const topo = JSON.parse((await https("GET", "/ui/api/topology", { headers: { cookie } })).body) as Topology;
    assert.ok(topo.nodes.some((n) => n.id === "pod/default/web-1"));
    assert.ok(topo.nodes.some((n) => n.kind === "bridge" && n.name === "nodelet-uit"));
    const pods = await https("GET", "/ui/api/k8s/api/v1/namespaces/default/pods", { headers: { cookie } });
    assert.equal(pods.status, 200);
    assert.equal((JSON.parse(pods.body) as { items: unknown[] }).items.length, 1);
    let usage: { points: { cpuNanoCores: number; memoryBytes: number }[] } = { points: [] };
    await waitFor("usage points of web-1", async () => {
      usage = JSON.parse((await https("GET", "/ui/api/usage/default/web-1", { headers: { cookie } })).body) as typeof usage;
      return usage.points.length >= 2;
    });
    assert.equal(usage.points[0].memoryBytes, 5 << 20);
    assert.ok(usage.points[0].cpuNanoCores > 0);
    assert.equal((await https("POST", "/ui/api/k8s/api/v1/namespaces/default/pods", { headers: { cookie }, body: "{}" })).status, 405);
    assert.equal((await https("DELETE", "/ui/api/k8s/api/v1/namespaces/default/pods/web-1", { headers: { cookie } })).status, 405);
  });

  it("RBAC decides for the session's user: no rights, 403 with the API's wording", async () => {
    const cookie = cookieOf(await login("bob-token"));
    assert.equal((JSON.parse((await https("GET", "/ui/api/session", { headers: { cookie } })).body) as { user: string }).user, "bob");
    const topo = await https("GET", "/ui/api/topology", { headers: { cookie } });
    assert.equal(topo.status, 403);
    assert.match(topo.body, /User \\"bob\\" cannot list resource \\"pods\\"/);
    assert.equal((await https("GET", "/ui/api/k8s/api/v1/namespaces/default/pods/web-1", { headers: { cookie } })).status, 403);
    assert.equal((await https("GET", "/ui/api/usage/default/web-1", { headers: { cookie } })).status, 403);
  });

  it("a user who may list only some namespaces gets their part of the topology, and is told so", async () => {
    t.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    storePod(t.store, { ...testPod("a-1", { phase: "Running" }), metadata: { ...testPod("a-1").metadata, namespace: "team-a" } });
    t.store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "view", namespace: "team-a" }, rules: [{ apiGroups: [""], resources: ["pods", "services", "endpoints"], verbs: ["get", "list", "watch"] }] });
    t.store.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "carol-view", namespace: "team-a" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "view" }, subjects: [{ kind: "User", name: "carol" }] });
    const cookie = cookieOf(await login("carol-token"));
    const topo = await https("GET", "/ui/api/topology", { headers: { cookie } });
    assert.equal(topo.status, 200, topo.body);
    const body = JSON.parse(topo.body) as Topology;
    assert.deepEqual(body.scope, ["team-a"]);
    assert.deepEqual(body.nodes.filter((n) => n.kind === "pod").map((n) => n.id), ["pod/team-a/a-1"], "only team-a's pods");
  });

  it("pushes a created pod over the watch within a second", async () => {
    const cookie = cookieOf(await login("admin-token"));
    const events: Topology[] = [];
    let buffer = "";
    const req = httpsRequest({ host: "127.0.0.1", port, path: "/ui/api/topology?watch=1", rejectUnauthorized: false, headers: { cookie } });
    const firstEvent = new Promise<void>((resolve, reject) => {
      req.on("response", (res) => {
        assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
        res.on("data", (c: Buffer) => {
          buffer += c.toString();
          let i;
          while ((i = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const data = block.split("\n").find((l) => l.startsWith("data: "));
            if (block.includes("event: topology") && data) events.push(JSON.parse(data.slice(6)) as Topology);
            if (events.length === 1) resolve();
          }
        });
      });
      req.on("error", reject);
    });
    req.end();
    try {
      await firstEvent;
      const started = Date.now();
      storePod(t.store, testPod("web-2", { phase: "Pending" }));
      await waitFor("the new pod pushed over the watch", () => events.some((e) => e.nodes.some((n) => n.id === "pod/default/web-2")), 1000);
      assert.ok(Date.now() - started <= 1000, `pushed within a second (${Date.now() - started} ms)`);
      assert.equal(events.at(-1)?.nodes.find((n) => n.id === "pod/default/web-2")?.state, "pending");
    } finally {
      req.destroy();
    }
  });

  it("logout needs the session's CSRF token, then the session is gone", async () => {
    const cookie = cookieOf(await login("admin-token"));
    const { csrf } = JSON.parse((await https("GET", "/ui/api/session", { headers: { cookie } })).body) as { csrf: string };
    assert.equal((await https("POST", "/ui/logout", { headers: { cookie } })).status, 403);
    assert.equal((await https("POST", "/ui/logout", { headers: { cookie, "x-csrf-token": "x".repeat(43) } })).status, 403);
    const out = await https("POST", "/ui/logout", { headers: { cookie, "x-csrf-token": csrf } });
    assert.equal(out.status, 204);
    assert.match(String(out.headers["set-cookie"]?.[0]), /^nodelet_session=; .*Max-Age=0/);
    assert.equal((await https("GET", "/ui/api/session", { headers: { cookie } })).status, 401);
  });

  describe("nodelet dashboard's listener", () => {
    let d: Dashboard;
    let local: Send;
    before(async () => {
      d = await startDashboard({ socketPath: t.socketPath, port: 0 });
      local = (method, path, o = {}) =>
        new Promise((resolve, reject) => {
          const req = httpRequest({ host: "127.0.0.1", port: d.port, method, path, headers: { host: `127.0.0.1:${d.port}`, ...o.headers } }, collect(resolve, reject));
          req.on("error", reject);
          req.end(o.body);
        });
    });
    after(() => d?.close());

    it("the one-time URL logs in once; the session then acts as the socket's user", async () => {
      assert.match(d.loginUrl, /^http:\/\/127\.0\.0\.1:\d+\/ui\/login\?once=[A-Za-z0-9_-]{43}$/);
      const path = new URL(d.loginUrl).pathname + new URL(d.loginUrl).search;
      assert.equal((await local("GET", "/ui/api/session")).status, 401);
      const first = await local("GET", path);
      assert.equal(first.status, 303);
      assert.match(String(first.headers["set-cookie"]?.[0]), /HttpOnly; Secure; SameSite=Strict/);
      assert.equal((await local("GET", path)).status, 403, "used once");
      const cookie = cookieOf(first);
      const session = JSON.parse((await local("GET", "/ui/api/session", { headers: { cookie } })).body) as { user: string; csrf: string };
      assert.equal(session.user, "system:admin");
      const topo = await local("GET", "/ui/api/topology", { headers: { cookie } });
      assert.equal(topo.status, 200);
      assert.ok((JSON.parse(topo.body) as Topology).nodes.some((n) => n.id === "pod/default/web-1"));
      assert.equal((await local("GET", "/ui/api/topology", { headers: { cookie, host: `evil.example:${d.port}` } })).status, 421, "DNS rebinding");
      assert.equal((await local("POST", "/ui/logout", { headers: { cookie, "x-csrf-token": session.csrf } })).status, 204);
      assert.equal((await local("GET", "/ui/api/topology", { headers: { cookie } })).status, 401);
    });
  });
});
