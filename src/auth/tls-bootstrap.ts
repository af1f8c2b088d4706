/**
 * TLS bootstrapping of a joining node (the kubelet's --bootstrap-kubeconfig flow): with a bootstrap token, the node
 * asks the cluster for a client certificate of its own and writes a kubeconfig that uses it.
 *
 *   bootstrapNodeCredentials({ server, caPem | caHash, token, nodeName, dir }) → DIR/kubelet.conf
 *
 * 1. The cluster CA: `caPem`, or discovered and pinned by `caHash` (kubeadm's `sha256:HEX` of the CA's
 *    SubjectPublicKeyInfo, as `--discovery-token-ca-cert-hash`): the server's TLS chain must contain a certificate
 *    with that key which issued the serving certificate. Nothing, the token included, is sent before that.
 * 2. An existing DIR/kubelet.conf whose certificate is for `system:node:NAME`, from this CA, matches its key and is
 *    valid for at least another 10% of its life is reused (a restart asks nothing).
 * 3. Otherwise an EC P-256 key is made (DIR/kubelet-client.key.pending, 0600 in a 0700 DIR, kept across restarts
 *    until a certificate for it arrives; the key never leaves the node), a CSR for CN=system:node:NAME,
 *    O=system:nodes with signer kubernetes.io/kube-apiserver-client-kubelet and usages digital signature + client
 *    auth is created with the token (named after the key, so a retry finds its own request), and its status is
 *    polled until issued, Denied or Failed (an Error naming the reason and message), or `timeoutMs` passes.
 * 4. DIR/kubelet.conf (0600, written atomically) holds the server, the CA, the certificate and the key; its path is
 *    returned.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto";
import { promises as fsp } from "node:fs";
import { request as httpsRequest } from "node:https";
import { connect as tlsConnect, type PeerCertificate, type DetailedPeerCertificate } from "node:tls";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { KUBELET_CLIENT_SIGNER, type CertificateSigningRequest } from "../api/certificates.js";
import { createCsr } from "../api/x509.js";

export interface NodeBootstrapOptions {
  /** `https://HOST:PORT` of the API server. */
  server: string;
  /** The cluster CA (PEM); or `caHash`. */
  caPem?: string;
  /** `sha256:HEX` of the CA's SubjectPublicKeyInfo (kubeadm's discovery hash); used when `caPem` is not given. */
  caHash?: string;
  /** The bootstrap token `ID.SECRET`. */
  token: string;
  nodeName: string;
  /** Where kubelet.conf (and the pending key) are kept; made 0700. */
  dir: string;
  /** How long to wait for the certificate; default 5 minutes. */
  timeoutMs?: number;
  /** The certificate's requested lifetime (spec.expirationSeconds, at least 600); default the signer's. */
  expirationSeconds?: number;
  log?: (m: string) => void;
}

export class NodeBootstrapError extends Error {}

export const KUBELET_CONF = "kubelet.conf";
const PENDING_KEY = "kubelet-client.key.pending";
const POLL_MS = 500;

/** kubeadm's CA pin of a certificate: `sha256:` and the hex SHA-256 of its SubjectPublicKeyInfo. */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ format: "der", type: "spki" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

export async function bootstrapNodeCredentials(o: NodeBootstrapOptions): Promise<string> {
  const log = o.log ?? (() => undefined);
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(o.token)) throw new NodeBootstrapError("the join token must be of the form [a-z0-9]{6}.[a-z0-9]{16} (nodelet token create)");
  const url = new URL(o.server);
  if (url.protocol !== "https:") throw new NodeBootstrapError(`--server must be an https:// URL, not ${o.server}`);
  const caPem = o.caPem ?? (o.caHash ? await discoverCa(url, o.caHash) : undefined);
  if (!caPem) throw new NodeBootstrapError("the cluster CA is needed: give its PEM or its sha256: hash");
  await fsp.mkdir(o.dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(o.dir, 0o700);
  const confPath = join(o.dir, KUBELET_CONF);
  const user = `system:node:${o.nodeName}`;
  if (await usableKubeconfig(confPath, caPem, user)) {
    log(`tls-bootstrap: reusing the client certificate in ${confPath}`);
    return confPath;
  }
  const key = await pendingKey(join(o.dir, PENDING_KEY));
  const keyPem = key.export({ format: "pem", type: "pkcs8" }).toString();
  const csrPem = createCsr(key, { commonName: user, organizations: ["system:nodes"] });
  const api = new Api(url, caPem, o.token);
  const name = `node-csr-${createHash("sha256").update(createPublicKey(key).export({ format: "der", type: "spki" })).update(user).digest("base64url").slice(0, 43)}`;
  const body: CertificateSigningRequest = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString("base64"), signerName: KUBELET_CLIENT_SIGNER, usages: ["digital signature", "client auth"] },
  };
  if (o.expirationSeconds !== undefined) body.spec.expirationSeconds = o.expirationSeconds;
  const created = await api.call("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", body);
  if (created.status === 409) log(`tls-bootstrap: certificate signing request ${name} exists (an earlier attempt with this key); waiting on it`);
  else if (created.status !== 201) throw refused(created, "creating the certificate signing request");
  else log(`tls-bootstrap: certificate signing request ${name} created; waiting for its certificate`);
  const certPem = await waitForCertificate(api, name, o.timeoutMs ?? 300_000);
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(key)) throw new NodeBootstrapError(`the certificate issued for ${name} is not for this node's key`);
  await writeAtomically(confPath, renderKubeconfig(o.server, caPem, certPem, keyPem, user));
  await fsp.rm(join(o.dir, PENDING_KEY), { force: true });
  log(`tls-bootstrap: client certificate for ${user} valid until ${cert.validTo}; kubeconfig ${confPath}`);
  return confPath;
}

/** The CA from the server's TLS chain whose key hashes to `hash` and which issued the serving certificate. */
async function discoverCa(url: URL, hash: string): Promise<string> {
  if (!/^sha256:[0-9a-f]{64}$/.test(hash)) throw new NodeBootstrapError(`the CA hash must be sha256:<64 hex digits>, not "${hash}"`);
  const chain = await new Promise<DetailedPeerCertificate>((resolve, reject) => {
    // Not verified yet: only the chain is read, and nothing is sent over this connection.
    const s = tlsConnect({ host: url.hostname, port: Number(url.port || 443), servername: url.hostname, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
      resolve(s.getPeerCertificate(true));
      s.destroy();
    });
    s.setTimeout(10_000, () => s.destroy(new Error("timed out")));
    s.once("error", (err: Error) => reject(new NodeBootstrapError(`cannot reach ${url.host}: ${err.message}`)));
  });
  const certs: PeerCertificate[] = [];
  for (let c: DetailedPeerCertificate | undefined = chain; c && certs.length < 10 && !certs.includes(c); c = c.issuerCertificate) certs.push(c);
  const leaf = new X509Certificate(chain.raw);
  for (const c of certs) {
    const pem = `-----BEGIN CERTIFICATE-----\n${c.raw.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
    const x = new X509Certificate(pem);
    if (caCertHash(pem) === hash && x.ca && leaf.checkIssued(x) && leaf.verify(x.publicKey)) return pem;
  }
  throw new NodeBootstrapError(`no certificate in the chain ${url.host} presents matches ${hash}`);
}

async function usableKubeconfig(path: string, caPem: string, user: string): Promise<boolean> {
  try {
    const conf = parse(await fsp.readFile(path, "utf8")) as { users?: { user?: Record<string, string> }[] };
    const u = conf.users?.[0]?.user ?? {};
    const certPem = Buffer.from(u["client-certificate-data"] ?? "", "base64").toString();
    const keyPem = Buffer.from(u["client-key-data"] ?? "", "base64").toString();
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    return (
      cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      /(^|\n)CN=([^\n]*)/.exec(cert.subject)?.[2] === user && Date.now() < to - (to - from) / 10
    );
  } catch {
    return false;
  }
}

/** The key kept while a request is pending (made when missing). */
async function pendingKey(path: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await fsp.readFile(path));
  } catch {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    await writeAtomically(path, privateKey.export({ format: "pem", type: "pkcs8" }).toString());
    return privateKey;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text, { mode: 0o600 });
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, path);
}

function renderKubeconfig(server: string, caPem: string, certPem: string, keyPem: string, user: string): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "default-cluster", cluster: { server, "certificate-authority-data": b64(caPem) } }],
    users: [{ name: "default-auth", user: { "client-certificate-data": b64(certPem), "client-key-data": b64(keyPem) } }],
    contexts: [{ name: "default-context", context: { cluster: "default-cluster", user: "default-auth", namespace: "default" } }],
    "current-context": "default-context",
    preferences: {},
  }).replace(/^/, `# ${user}: written by nodelet's TLS bootstrap\n`);
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

function refused(r: Reply, what: string): NodeBootstrapError {
  const msg = typeof r.body.message === "string" ? r.body.message : `HTTP ${r.status}`;
  if (r.status === 401) return new NodeBootstrapError(`${what}: the join token was refused (401 Unauthorized): a wrong, expired or deleted token`);
  return new NodeBootstrapError(`${what}: ${msg}`);
}

async function waitForCertificate(api: Api, name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api.call("GET", `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`);
    if (r.status !== 200) throw refused(r, `reading certificate signing request ${name}`);
    const csr = r.body as unknown as CertificateSigningRequest;
    const bad = (csr.status?.conditions ?? []).find((c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True");
    if (bad) throw new NodeBootstrapError(`certificate signing request ${name} is ${bad.type}: ${bad.reason ?? ""}${bad.message ? `: ${bad.message}` : ""}`);
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, "base64").toString();
    if (Date.now() >= deadline) throw new NodeBootstrapError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for certificate signing request ${name} to be approved and issued`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** JSON over HTTPS to the API, trusting only the cluster CA, with the bootstrap token. */
class Api {
  constructor(
    private readonly url: URL,
    private readonly ca: string,
    private readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown): Promise<Reply> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.url.hostname, port: Number(this.url.port || 443), path, method, ca: this.ca, servername: this.url.hostname, timeout: 30_000,
          headers: { Authorization: `Bearer ${this.token}`, Accept: "application/json", ...(data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > 4 << 20) req.destroy(new Error("response too large"));
            else chunks.push(c);
          });
          res.on("end", () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
            } catch {
              // A non-JSON answer: the status code says enough.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => reject(new NodeBootstrapError(`${method} ${this.url.host}${path}: ${err.message}`)));
      req.end(data);
    });
  }
}
