/**
 * `nodelet node --bootstrap-kubeconfig FILE`: the token reaches the node in a file, never on its command line. The
 * file is refused when group or others may read it, when it is a symbolic link or has no token; a good one gets the
 * node its certificate (the CSR approved by an in-process API server's approver) and is removed; a restart without
 * it uses the certificate; the flag excludes --token, --server and --kubeconfig.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureNodePki, type NodePki } from "../../../src/auth/pki.js";
import { nodeCredentialsFromBootstrap, renderBootstrapKubeconfig } from "../../../src/auth/bootstrap-kubeconfig.js";
import { NodeAndRbacAuthorizer, NodeAuthorizer } from "../../../src/auth/node/authorizer.js";
import { RbacAuthorizer } from "../../../src/auth/rbac/authorizer.js";
import { PolicyIndex } from "../../../src/auth/rbac/policy-index.js";
import { bootstrapTokenSecret } from "../../../src/api/bootstrap-token.js";
import { UsageError } from "../../../src/cli/args.js";
import { parseNodeConfig } from "../../../src/cmd/role-config.js";
import { csrAccessReviewer } from "../../../src/cmd/access-wiring.js";
import { CsrController } from "../../../src/controllers/csr/controller.js";
import { parseKubeconfigEndpoint, readKubeconfigEndpoint } from "../../../src/store/remote-kubeconfig.js";
import { HostRunner } from "../../../src/sys/runner.js";
import { needsCommand, skipUnless } from "../../helpers/root.js";
import { startTestServer, type TestServer } from "../apiserver/harness.js";

const TOKEN = "abcdef.0123456789abcdef";

describe("--bootstrap-kubeconfig", () => {
  it("parses alone, and refuses the flags that would say the same thing twice", () => {
    const base = ["--root", "/tmp/r", "--node-name", "n1"];
    assert.deepEqual(parseNodeConfig([...base, "--bootstrap-kubeconfig", "/etc/nodelet/bootstrap-kubelet.conf"]).join, { bootstrapKubeconfig: "/etc/nodelet/bootstrap-kubelet.conf" });
    for (const [flag, value] of [["--token", TOKEN], ["--server", "https://cp:6443"], ["--kubeconfig", "/k"], ["--ca-cert-hash", `sha256:${"0".repeat(64)}`], ["--ca-file", "/ca"]]) {
      assert.throws(() => parseNodeConfig([...base, "--bootstrap-kubeconfig", "/b", flag, value]), (err: Error) => err instanceof UsageError && err.message.startsWith(`${flag}: not with --bootstrap-kubeconfig`));
    }
  });

  it("renders a kubeconfig that reads back as the server, the CA and the token", () => {
    const ep = parseKubeconfigEndpoint(renderBootstrapKubeconfig("https://10.0.0.1:6443", "CA PEM\n", TOKEN), "/x");
    assert.deepEqual({ server: ep.server, ca: ep.ca, token: ep.token, cert: ep.cert }, { server: "https://10.0.0.1:6443", ca: "CA PEM\n", token: TOKEN, cert: undefined });
  });
});

const skip = skipUnless(needsCommand("openssl"));

describe("--bootstrap-kubeconfig against an API server with the CSR approver", { skip }, () => {
  let dir = "";
  let t: TestServer;
  let pki: NodePki;
  let server = "";
  let csrs: CsrController;
  let policy: PolicyIndex;
  const log: string[] = [];
  const join_ = (name: string, file: string) => nodeCredentialsFromBootstrap({ file, root: join(dir, name), nodeName: name, log: (m) => log.push(m) });
  const bootstrapFile = (name: string, text: string, mode = 0o600) => {
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    return file;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-bootstrap-kubeconfig-"));
    pki = await ensureNodePki(join(dir, "pki"), [], new HostRunner());
    t = await startTestServer({ tcp: { host: "127.0.0.1", port: 0, token: "", cert: pki.serving.cert + pki.ca.cert, key: pki.serving.key, clientCA: pki.ca.cert } });
    server = `https://127.0.0.1:${t.server.tcpAddress()!.port}`;
    policy = new PolicyIndex().follow(t.store);
    csrs = new CsrController({ store: t.store, ca: { cert: pki.ca.cert, key: pki.ca.key }, allowed: csrAccessReviewer(new NodeAndRbacAuthorizer(new NodeAuthorizer(t.store), new RbacAuthorizer(policy))) });
    csrs.start();
    t.store.create(bootstrapTokenSecret({ token: TOKEN, ttlMs: 3_600_000, now: Date.now() }));
  });
  after(async () => {
    csrs?.stop();
    policy?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a file group or others may read, a symbolic link, a user without a token, and no file with no certificate", async () => {
    const open = bootstrapFile("open", renderBootstrapKubeconfig(server, pki.ca.cert, TOKEN), 0o644);
    await assert.rejects(join_("open", open), { message: `--bootstrap-kubeconfig: ${open} has mode 0644: it holds a secret, so it must be readable by its owner alone (chmod 600 ${open})` });
    assert.ok(existsSync(open), "a refused file is left as it was");
    const link = join(dir, "link.conf");
    symlinkSync(bootstrapFile("target", renderBootstrapKubeconfig(server, pki.ca.cert, TOKEN)), link);
    await assert.rejects(join_("link", link), { message: `--bootstrap-kubeconfig: ${link} is a symbolic link: give the file itself` });
    const noToken = bootstrapFile("notoken", renderBootstrapKubeconfig(server, pki.ca.cert, TOKEN).replace(/token: .*/, "username: x"));
    await assert.rejects(join_("notoken", noToken), /has neither a client certificate and key nor a token/);
    const gone = join(dir, "never-written.conf");
    await assert.rejects(join_("gone", gone), { message: `--bootstrap-kubeconfig: ${gone} does not exist, and the node has no certificate yet (${join(dir, "gone", "pki", "kubelet.conf")}): give a bootstrap kubeconfig` });
    assert.equal(t.store.list("CertificateSigningRequest").items.length, 0, "nothing asked of the cluster");
  });

  it("gets the node its certificate, removes the file, and a restart without it uses the certificate", async () => {
    const file = bootstrapFile("joiner", renderBootstrapKubeconfig(server, pki.ca.cert, TOKEN));
    const conf = await join_("joiner", file);
    assert.equal(conf, join(dir, "joiner", "pki", "kubelet.conf"));
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    assert.equal(existsSync(file), false, "the bootstrap kubeconfig is removed once the node has its certificate");
    assert.ok(log.some((l) => l.includes(`removed ${file}`)), log.join("\n"));
    const ep = readKubeconfigEndpoint(conf);
    assert.ok(ep.cert && ep.key && !ep.token, "the node's own kubeconfig holds its certificate, not the token");
    const csrCount = t.store.list("CertificateSigningRequest").items.length;
    assert.equal(csrCount, 1);
    assert.equal(await join_("joiner", file), conf, "a restart uses the certificate");
    assert.equal(t.store.list("CertificateSigningRequest").items.length, csrCount, "and asks for nothing");
  });
});
