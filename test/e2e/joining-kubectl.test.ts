/**
 * Joining a node with the real kubectl and the bundled CLI, against one in-process API server with the CSR
 * approver/signer running: `nodelet token create` → bootstrapNodeCredentials (CA pinned by hash, key made on the
 * "node", CSR created with the token) → auto-approved and issued → the node's kubeconfig registers and updates its
 * own Node, is refused writing another node's (Node authorizer and NodeRestriction wording), and a restart reuses the
 * certificate; `kubectl get csr` columns; `kubectl certificate approve|deny` on an admin's request; a wrong token is
 * refused with 401 and nothing is created.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { CertificateSigningRequest } from "../../src/api/certificates.js";
import { createCsr } from "../../src/api/x509.js";
import { writeKubeconfig } from "../../src/apiserver/index.js";
import { ensureNodePki, type NodePki } from "../../src/auth/pki.js";
import { bootstrapNodeCredentials, caCertHash } from "../../src/auth/tls-bootstrap.js";
import { NodeAndRbacAuthorizer, NodeAuthorizer } from "../../src/auth/node/authorizer.js";
import { RbacAuthorizer } from "../../src/auth/rbac/authorizer.js";
import { PolicyIndex } from "../../src/auth/rbac/policy-index.js";
import { CsrController } from "../../src/controllers/csr/controller.js";
import { HostRunner } from "../../src/sys/runner.js";
import { runKubectl, type KubectlRun } from "../helpers/kubectl-run.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
import { waitFor } from "../helpers/wait.js";
import { startTestServer, type TestServer } from "../unit/apiserver/harness.js";
import { csrAccessReviewer } from "../../src/cmd/access-wiring.js";

const BUNDLE = fileURLToPath(new URL("../../../dist/cli/nodelet.cjs", import.meta.url));
const skip = skipUnless(needsCommand("kubectl"), needsCommand("openssl")) ?? (existsSync(BUNDLE) ? undefined : "no CLI bundle: run make build");
if (skip) console.log(`# skipping joining e2e: ${skip}`);

describe("joining a node: bootstrap token, CSR, Node authorizer", { skip }, () => {
  let dir: string;
  let t: TestServer;
  let pki: NodePki;
  let server: string;
  let csrs: CsrController;
  let policy: PolicyIndex;
  let token = "";
  let nodeConf = "";

  const kubectl = (kubeconfig: string, args: string[], input?: string): Promise<KubectlRun> =>
    runKubectl({ kubeconfig, cacheDir: join(dir, `cache-${kubeconfig.replace(/\W/g, "")}`), home: dir }, args, input);
  const admin = () => join(dir, "admin.conf");
  async function ok(kubeconfig: string, args: string[], input?: string): Promise<string> {
    const r = await kubectl(kubeconfig, args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }
  async function refused(kubeconfig: string, args: string[], message: string, input?: string): Promise<void> {
    const r = await kubectl(kubeconfig, args, input);
    assert.notEqual(r.code, 0, `kubectl ${args.join(" ")} should be refused, printed ${r.stdout}`);
    assert.ok(r.stderr.includes(message), `kubectl ${args.join(" ")}: want ${message}\ngot ${r.stderr}`);
  }
  // Asynchronous: the server answering it runs in this process.
  const cli = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BUNDLE, ...args, "--socket", t.socketPath], { encoding: "utf8", timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
    });
  const node = (name: string, labels = "") => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n  labels:\n    kubernetes.io/hostname: ${name}\n${labels}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-joining-"));
    pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert + pki.ca.cert, key: pki.serving.key, clientCA: pki.ca.cert } });
    server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    policy = new PolicyIndex().follow(t.store);
    const authz = new NodeAndRbacAuthorizer(new NodeAuthorizer(t.store), new RbacAuthorizer(policy));
    csrs = new CsrController({
      store: t.store,
      ca: { cert: pki.ca.cert, key: pki.ca.key },
      allowed: csrAccessReviewer(authz),
    });
    csrs.start();
    await writeKubeconfig(admin(), { server, caCert: pki.ca.cert, clientCert: pki.admin.cert, clientKey: pki.admin.key });
  });
  after(async () => {
    csrs?.stop();
    policy?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("nodelet token create prints a kubeadm-form token once; token list shows it", async () => {
    const made = await cli(["token", "create", "--ttl", "1h", "--description", "e2e"]);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
    token = made.stdout.trim();
    const list = await cli(["token", "list"]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${token.replace(".", "\\.")}\\s+(59m|60m)\\s+\\S+Z\\s+authentication,signing\\s+e2e\\s+system:bootstrappers:kubeadm:default-node-token$`, "m"));
    assert.equal((await cli(["token", "create", "--ttl", "soon"])).status, 1);
  });

  it("a wrong token is refused with 401 and creates nothing", async () => {
    const bad = `${token.slice(0, 7)}${token[7] === "a" ? "b" : "a"}${token.slice(8)}`;
    await assert.rejects(bootstrapNodeCredentials({ server, caPem: pki.ca.cert, token: bad, nodeName: "joiner", dir: join(dir, "bad") }), /the join token was refused \(401 Unauthorized\)/);
    assert.equal(t.store.list("CertificateSigningRequest").items.length, 0);
    await assert.rejects(bootstrapNodeCredentials({ server, caHash: `sha256:${"0".repeat(64)}`, token, nodeName: "joiner", dir: join(dir, "bad") }), /no certificate in the chain/);
  });

  it("the node's CSR is auto-approved and issued; kubectl shows it", async () => {
    const nodeDir = join(dir, "node");
    nodeConf = await bootstrapNodeCredentials({ server, caHash: caCertHash(pki.ca.cert), token, nodeName: "joiner", dir: nodeDir, timeoutMs: 30_000 });
    assert.equal(nodeConf, join(nodeDir, "kubelet.conf"));
    assert.equal(statSync(nodeConf).mode & 0o777, 0o600);
    assert.equal(statSync(nodeDir).mode & 0o777, 0o700);
    assert.ok(!existsSync(join(nodeDir, "kubelet-client.key.pending")));
    const out = await ok(admin(), ["get", "csr"]);
    assert.match(out, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/m);
    assert.match(out, new RegExp(`^node-csr-\\S+\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${token.slice(0, 6)}\\s+<none>\\s+Approved,Issued$`, "m"));
    assert.match(await ok(nodeConf, ["auth", "whoami"]), /Username\s+system:node:joiner[\s\S]*Groups\s+\[system:nodes system:authenticated\]/);
  });

  it("the node's certificate registers and updates its own Node, and is refused another's", async () => {
    await ok(nodeConf, ["create", "-f", "-"], node("joiner"));
    await ok(nodeConf, ["label", "node", "joiner", "topology.kubernetes.io/zone=z1"]);
    assert.match(await ok(nodeConf, ["get", "node", "joiner", "-o", "name"]), /^node\/joiner\n$/);
    await ok(admin(), ["create", "-f", "-"], node("other"));
    // Reading other Nodes is kube-proxy's right (system:node-proxier, bound to system:nodes: the agent runs the proxy).
    assert.match(await ok(nodeConf, ["get", "node", "other", "-o", "name"]), /^node\/other\n$/);
    await refused(nodeConf, ["label", "node", "other", "x=y"], `nodes "other" is forbidden: node "joiner" is not allowed to modify node "other"`);
    await refused(nodeConf, ["create", "-f", "-"], `nodes "third" is forbidden: node "joiner" is not allowed to modify node "third"`, node("third"));
    await refused(nodeConf, ["label", "node", "joiner", "node-role.kubernetes.io/control-plane="], `node "joiner" is not allowed to modify labels: node-role.kubernetes.io/control-plane`);
    await refused(nodeConf, ["delete", "node", "joiner"], `User "system:node:joiner" cannot delete resource "nodes"`);
    await refused(nodeConf, ["get", "secrets", "-n", "kube-system"], `User "system:node:joiner" cannot list resource "secrets"`);
  });

  it("a restart reuses the certificate and asks for nothing", async () => {
    const before = t.store.list("CertificateSigningRequest").items.length;
    const again = await bootstrapNodeCredentials({ server, caPem: pki.ca.cert, token, nodeName: "joiner", dir: join(dir, "node") });
    assert.equal(again, nodeConf);
    assert.equal(t.store.list("CertificateSigningRequest").items.length, before);
  });

  it("kubectl certificate approve and deny act on an admin's request for the kube-apiserver-client signer", async () => {
    const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const request = (name: string) =>
      JSON.stringify({
        apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name },
        spec: { request: Buffer.from(createCsr(key, { commonName: "jane", organizations: ["devs"] })).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"], expirationSeconds: 86400 },
      });
    await ok(admin(), ["create", "-f", "-"], request("jane"));
    await ok(admin(), ["create", "-f", "-"], request("mallory"));
    assert.match(await ok(admin(), ["get", "csr", "jane"]), /kubernetes.io\/kube-apiserver-client\s+nodelet-admin\s+24h\s+Pending$/m);
    assert.match(await ok(admin(), ["certificate", "approve", "jane"]), /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    assert.match(await ok(admin(), ["certificate", "deny", "mallory"]), /certificatesigningrequest.certificates.k8s.io\/mallory denied/);
    await waitFor("jane's certificate", () => !!t.store.get<CertificateSigningRequest>("CertificateSigningRequest", "", "jane")?.status?.certificate, 10_000);
    assert.match(await ok(admin(), ["get", "csr", "jane", "mallory"]), /jane\s+.*Approved,Issued[\s\S]*mallory\s+.*Denied$/m);
    const masters = JSON.parse(request("root")) as CertificateSigningRequest;
    masters.spec.request = Buffer.from(createCsr(key, { commonName: "root", organizations: ["system:masters"] })).toString("base64");
    writeFileSync(join(dir, "root.json"), JSON.stringify(masters));
    await refused(admin(), ["create", "-f", join(dir, "root.json")], "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
  });
});
