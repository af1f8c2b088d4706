/**
 * Access with the real kubectl: three users against one server — the admin with the node's client certificate
 * (O=system:masters), jane with a token from the token file bound to `edit` in namespace team, bob bound to `view`
 * there — each allowed and refused exactly what the roles say for get/create/delete/exec/logs/port-forward, with
 * the apiserver's 403 wording; `auth can-i`, `auth can-i --list`, `auth whoami`; a wrong token and no credentials
 * get 401. The server runs in this process with a fake PodIO (exec echoes the command, port-forward echoes bytes).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Pod } from "../../src/api/types.js";
import { writeKubeconfig } from "../../src/apiserver/index.js";
import { ensureNodePki, type NodePki } from "../../src/auth/pki.js";
import { parseTokenFile, StaticTokenAuthenticator } from "../../src/auth/token-file.js";
import { HostRunner } from "../../src/sys/runner.js";
import { ServiceAccountsController } from "../../src/controllers/service-accounts.js";
import type { ConfigMap } from "../../src/api/types.js";
import { FakePodIO } from "../helpers/fake-pod-io.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { startTestServer, testPod, type TestServer } from "../unit/apiserver/harness.js";

const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl"));
if (skip) console.log(`# skipping access e2e: ${skip}`);

const TOKENS = `jane-token,jane,1001,"devs,team-a"\nbob-token,bob,1002\n`;

/** Port-forward echoes what it is sent, so an allowed forward can be proven end to end. */
class EchoPodIO extends FakePodIO {
  override async portForward(): Promise<Duplex> {
    return new PassThrough();
  }
}

describe("access: users, RBAC and the self reviews with kubectl", { skip }, () => {
  let dir: string;
  let t: TestServer;
  let pki: NodePki;
  let server: string;
  let accounts: ServiceAccountsController;

  function kubeconfigFor(user: string): string {
    return join(dir, `kubeconfig-${user}`);
  }

  const kubectl = (user: string, args: string[], timeoutMs?: number): Promise<KubectlRun> =>
    runKubectl({ kubeconfig: kubeconfigFor(user), cacheDir: join(dir, `cache-${user}`), home: dir }, args, undefined, timeoutMs);
  async function ok(user: string, args: string[]): Promise<string> {
    const r = await kubectl(user, args);
    assert.equal(r.code, 0, `${user}: kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  async function refused(user: string, args: string[], message: string): Promise<void> {
    const r = await kubectl(user, args);
    assert.notEqual(r.code, 0, `${user}: kubectl ${args.join(" ")} should be refused, printed ${r.stdout}`);
    assert.ok(r.stderr.includes(message), `${user}: kubectl ${args.join(" ")}: want ${message}\ngot ${r.stderr}`);
  }

  function running(name: string, ns: string): void {
    const pod = t.store.get<Pod>("Pod", ns, name)!;
    t.store.update({ ...pod, status: { phase: "Running", podIP: "10.88.0.9", conditions: [{ type: "Ready", status: "True" }] } }, { subresource: "status" });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-access-"));
    pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    const tokens = new StaticTokenAuthenticator(parseTokenFile(TOKENS, "tokens.csv"));
    t = await startTestServer({
      tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert },
      authenticators: [tokens],
      io: new EchoPodIO({ logs: { c: "line one\nline two\n" } }),
    });
    server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    accounts = new ServiceAccountsController(t.store, pki.ca.cert);
    accounts.start();
    await writeKubeconfig(kubeconfigFor("admin"), { server, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key });
    await writeKubeconfig(kubeconfigFor("jane"), { server, caCert: pki.ca.cert, token: "jane-token", namespace: "team" });
    await writeKubeconfig(kubeconfigFor("bob"), { server, caCert: pki.ca.cert, token: "bob-token", namespace: "team" });
    await writeKubeconfig(kubeconfigFor("mallory"), { server, caCert: pki.ca.cert, token: "not-a-token" });
    const other = await ensureNodePki(join(dir, "other-pki"), [], new HostRunner());
    await writeKubeconfig(kubeconfigFor("eve"), { server, caCert: pki.ca.cert, clientCert: other.admin.cert, clientKey: other.admin.key });
    writeFileSync(join(dir, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: made\nspec:\n  nodeName: node1\n  containers:\n  - name: c\n    image: busybox\n");
  });
  after(async () => {
    accounts?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the admin (client certificate, O=system:masters) sets up namespace, bindings and a pod", async () => {
    await ok("admin", ["create", "namespace", "team"]);
    await ok("admin", ["create", "rolebinding", "jane-edit", "--clusterrole=edit", "--user=jane", "-n", "team"]);
    await ok("admin", ["create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob", "-n", "team"]);
    t.store.create(testPod("web", { ns: "team" }));
    running("web", "team");
    assert.match(await ok("admin", ["get", "rolebindings", "-n", "team", "-o", "wide"]), /jane-edit\s+ClusterRole\/edit\s+\S+\s+jane/);
    assert.match(await ok("admin", ["auth", "whoami"]), /Username\s+nodelet-admin[\s\S]*Groups\s+\[system:masters system:authenticated\]/);
  });

  it("get: both read their namespace; neither reads another namespace or cluster objects", async () => {
    for (const u of ["jane", "bob"]) {
      assert.match(await ok(u, ["get", "pods"]), /^web\s/m);
      await refused(u, ["get", "pods", "-n", "default"], `Error from server (Forbidden): pods is forbidden: User "${u}" cannot list resource "pods" in API group "" in the namespace "default"`);
      await refused(u, ["get", "nodes"], `nodes is forbidden: User "${u}" cannot list resource "nodes" in API group "" at the cluster scope`);
    }
    await refused("bob", ["get", "secrets"], `secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "team"`);
    await ok("jane", ["get", "secrets"]);
  });

  it("create and delete: the editor may, the viewer may not", async () => {
    await refused("bob", ["create", "-f", join(dir, "pod.yaml")], `pods is forbidden: User "bob" cannot create resource "pods" in API group "" in the namespace "team"`);
    assert.match(await ok("jane", ["create", "-f", join(dir, "pod.yaml")]), /pod\/made created/);
    await refused("bob", ["delete", "pod", "made", "--grace-period=0", "--force"], `pods "made" is forbidden: User "bob" cannot delete resource "pods" in API group "" in the namespace "team"`);
    await ok("jane", ["delete", "pod", "made", "--grace-period=0", "--force"]);
    assert.equal(t.store.get("Pod", "team", "made"), undefined);
  });

  it("logs: both may read them (pods/log is in view)", async () => {
    for (const u of ["jane", "bob"]) assert.equal(await ok(u, ["logs", "web"]), "line one\nline two\n");
  });

  it("exec: the editor may, the viewer is refused (pods/exec)", async () => {
    assert.equal(await ok("jane", ["exec", "web", "--", "echo", "hi"]), "echo hi\n");
    await refused("bob", ["exec", "web", "--", "echo", "hi"], `pods "web" is forbidden: User "bob" cannot`);
    const r = await kubectl("bob", ["exec", "web", "--", "echo", "hi"]);
    assert.match(r.stderr, /cannot (get|create) resource "pods\/exec" in API group "" in the namespace "team"/);
  });

  it("port-forward: the editor's forward carries bytes, the viewer is refused (pods/portforward)", async () => {
    const child = spawn("kubectl", ["--kubeconfig", kubeconfigFor("jane"), "--cache-dir", join(dir, "cache-jane"), "port-forward", "pod/web", ":80"], { env: { PATH: process.env.PATH, HOME: dir } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.on("close", (code) => reject(new Error(`port-forward exited ${code}`)));
      });
      const echoed = await new Promise<string>((resolve, reject) => {
        const s = connect(port, "127.0.0.1", () => s.write("ping"));
        s.on("data", (d: Buffer) => {
          resolve(d.toString());
          s.destroy();
        });
        s.on("error", reject);
      });
      assert.equal(echoed, "ping");
    } finally {
      child.kill();
    }
    await refused("bob", ["port-forward", "pod/web", ":80"], `pods "web" is forbidden: User "bob" cannot`);
  });

  it("auth can-i answers per verb and resource, and --list shows the rules", async () => {
    assert.equal((await kubectl("bob", ["auth", "can-i", "list", "pods"])).stdout.trim(), "yes");
    const no = await kubectl("bob", ["auth", "can-i", "create", "pods"]);
    assert.equal(no.stdout.trim(), "no");
    assert.equal(no.code, 1);
    assert.equal((await kubectl("jane", ["auth", "can-i", "create", "pods/exec"])).stdout.trim(), "yes");
    assert.equal((await kubectl("jane", ["auth", "can-i", "get", "pods", "-n", "default"])).stdout.trim(), "no");
    assert.equal((await kubectl("admin", ["auth", "can-i", "*", "*"])).stdout.trim(), "yes");
    const list = await ok("bob", ["auth", "can-i", "--list"]);
    assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
    assert.doesNotMatch(list, /^secrets\s/m);
  });

  it("auth whoami shows the token user's name, uid and groups", async () => {
    const out = await ok("jane", ["auth", "whoami"]);
    assert.match(out, /Username\s+jane/);
    assert.match(out, /UID\s+1001/);
    assert.match(out, /Groups\s+\[devs team-a system:authenticated\]/);
  });

  it("a wrong token, a certificate from another CA and no credentials at all are 401", async () => {
    for (const u of ["mallory", "eve"]) {
      const r = await kubectl(u, ["get", "pods"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
    }
    // kubectl without credentials asks for a password instead of sending the request; ask directly.
    const anon = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpsGet(`${server}/api/v1/namespaces/team/pods`, { ca: pki.ca.cert }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
    });
    assert.equal(anon.code, 401);
    assert.deepEqual(JSON.parse(anon.body), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
  });

  it("a binding to a missing role refuses with the RBAC reason", async () => {
    await ok("admin", ["create", "rolebinding", "ghost", "--clusterrole=no-such-role", "--user=bob", "-n", "team"]);
    await refused("bob", ["create", "configmap", "x"], `configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace "team": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found`);
  });

  it("every namespace has a default ServiceAccount and kube-root-ca.crt with the node's CA", async () => {
    assert.match(await ok("admin", ["get", "serviceaccounts", "-n", "team"]), /^default\s+0\s+\S+$/m);
    assert.equal(t.store.get<ConfigMap>("ConfigMap", "team", "kube-root-ca.crt")?.data?.["ca.crt"], pki.ca.cert);
  });

  it("create token: a ServiceAccount's token acts with exactly its bindings, and dies with the account", async () => {
    await ok("admin", ["create", "serviceaccount", "bot", "-n", "team"]);
    await ok("admin", ["create", "rolebinding", "bot-view", "--clusterrole=view", "--serviceaccount=team:bot", "-n", "team"]);
    const token = (await ok("admin", ["create", "token", "bot", "-n", "team", "--duration", "15m"])).trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { exp: number; iat: number; sub: string };
    assert.equal(claims.exp - claims.iat, 900);
    assert.equal(claims.sub, "system:serviceaccount:team:bot");
    await writeKubeconfig(kubeconfigFor("bot"), { server, caCert: pki.ca.cert, token, namespace: "team" });
    assert.match(await ok("bot", ["get", "pods"]), /^web\s/m);
    await refused("bot", ["get", "secrets"], 'secrets is forbidden: User "system:serviceaccount:team:bot" cannot list resource "secrets" in API group "" in the namespace "team"');
    const who = await ok("bot", ["auth", "whoami"]);
    assert.match(who, /Username\s+system:serviceaccount:team:bot/);
    assert.match(who, /Groups\s+\[system:serviceaccounts system:serviceaccounts:team system:authenticated\]/);
    assert.match(who, /Extra: authentication\.kubernetes\.io\/credential-id\s+\[JTI=/);
    // Another audience's token is not the API's; a lifetime under 10 minutes is refused.
    const vault = (await ok("admin", ["create", "token", "bot", "-n", "team", "--audience", "vault"])).trim();
    await writeKubeconfig(kubeconfigFor("vault"), { server, caCert: pki.ca.cert, token: vault, namespace: "team" });
    await refused("vault", ["get", "pods"], "You must be logged in to the server");
    await refused("admin", ["create", "token", "bot", "-n", "team", "--duration", "5m"], 'error: failed to create token: TokenRequest "bot" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    await refused("bob", ["create", "token", "bot"], 'serviceaccounts "bot" is forbidden: User "bob" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team"');
    await ok("admin", ["delete", "serviceaccount", "bot", "-n", "team"]);
    await refused("bot", ["get", "pods"], "You must be logged in to the server");
  });

  it("a token bound to a pod stops working when the pod is deleted", async () => {
    await ok("admin", ["create", "serviceaccount", "bound", "-n", "team"]);
    const pod = t.store.create<Pod>({ ...testPod("holder", { ns: "team" }), spec: { ...testPod("holder").spec, serviceAccountName: "bound" } });
    const token = (await ok("admin", ["create", "token", "bound", "-n", "team", "--bound-object-kind", "Pod", "--bound-object-name", "holder", "--bound-object-uid", pod.metadata.uid!])).trim();
    await writeKubeconfig(kubeconfigFor("bound"), { server, caCert: pki.ca.cert, token, namespace: "team" });
    assert.match(await ok("bound", ["auth", "whoami"]), /authentication\.kubernetes\.io\/pod-name\s+\[holder\]/);
    t.store.delete("Pod", "team", "holder");
    await refused("bound", ["auth", "whoami"], "You must be logged in to the server");
  });
});
