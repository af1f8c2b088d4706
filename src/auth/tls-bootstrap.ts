/**
 * TLS bootstrapping of a joining node (the kubelet's --bootstrap-kubeconfig flow): with a bootstrap token, the node
 * asks the cluster for a client certificate of its own and writes a kubeconfig that uses it.
 *
 *   bootstrapNodeCredentials({ server, caPem | caHash, token, nodeName, dir }) → DIR/kubelet.conf
 *
 * 1. The cluster CA: `caPem`, or discovered and pinned by `caHash` (kubeadm's `sha256:HEX` of the CA's
 *    SubjectPublicKeyInfo, as `--discovery-token-ca-cert-hash`): the server's TLS chain must contain a certificate
 *    with that key which issued the serving certificate. Nothing, the token included, is sent before that.
 * 2. An existing DIR/kubelet.conf whose certificate is for `system:node:NAME`, from this CA, matches its key and has
 *    not expired is reused (a restart asks nothing; the kubelet's isClientConfigStillValid): renewing it before it
 *    expires is the certificate rotation's job (renewClientCertificate, node-certificates.ts).
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
import { renderKubeconfig } from "../api/kubeconfig.js";
import { readKubeconfigEndpoint } from "../store/remote-kubeconfig.js";
import { KUBELET_CLIENT_SIGNER, type CertificateSigningRequest } from "../api/certificates.js";
import { createCsr } from "../api/x509.js";
import { requestCertificate, statusMessage, writePrivateFile, type ApiCall, type CertificateWait } from "./csr-request.js";

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
  if (usableKubeconfig(confPath, caPem, user)) {
    log(`tls-bootstrap: reusing the client certificate in ${confPath}`);
    return confPath;
  }
  const key = await pendingKey(join(o.dir, PENDING_KEY));
  const name = `node-csr-${createHash("sha256").update(createPublicKey(key).export({ format: "der", type: "spki" })).update(user).digest("base64url").slice(0, 43)}`;
  log(`tls-bootstrap: asking for a client certificate (certificate signing request ${name})`);
  await issueClientCertificate({ api: bootstrapApi(url, caPem, o.token), server: o.server, caPem, nodeName: o.nodeName, dir: o.dir, timeoutMs: o.timeoutMs ?? 300_000, expirationSeconds: o.expirationSeconds, log: (m) => log(`tls-bootstrap: ${m}`) }, key, name);
  await fsp.rm(join(o.dir, PENDING_KEY), { force: true });
  return confPath;
}

export interface ClientCertificateRequest {
  /** The API as whoever asks: the node itself (a renewal: selfnodeclient) or its bootstrap token (nodeclient). */
  api: ApiCall;
  server: string;
  caPem: string;
  nodeName: string;
  dir: string;
  timeoutMs: number;
  expirationSeconds?: number;
  signal?: AbortSignal;
  log: (m: string) => void;
}

/**
 * Asks for a client certificate for system:node:NAME with `key` (a new EC P-256 key when not given; the key never
 * leaves the node) through request `name` (generateName "csr-" when not given, as the kubelet's rotation names
 * them), then writes DIR/kubelet.conf with it (0600, atomically). Returns the certificate and key (PEM).
 */
export async function issueClientCertificate(o: ClientCertificateRequest, key?: KeyObject, name?: string): Promise<{ cert: string; key: string }> {
  const privateKey = key ?? generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const keyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const user = `system:node:${o.nodeName}`;
  const csrPem = createCsr(privateKey, { commonName: user, organizations: ["system:nodes"] });
  const body: CertificateSigningRequest = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: name ? { name } : { generateName: "csr-" },
    spec: { request: Buffer.from(csrPem).toString("base64"), signerName: KUBELET_CLIENT_SIGNER, usages: ["digital signature", "client auth"] },
  };
  if (o.expirationSeconds !== undefined) body.spec.expirationSeconds = o.expirationSeconds;
  const wait: CertificateWait = { timeoutMs: o.timeoutMs, signal: o.signal, refused, failed: (m) => new NodeBootstrapError(m) };
  const issued = await requestCertificate(o.api, body, wait);
  const cert = new X509Certificate(issued.certPem);
  if (!cert.checkPrivateKey(privateKey)) throw new NodeBootstrapError(`the certificate issued for ${issued.name} is not for this node's key`);
  const confPath = join(o.dir, KUBELET_CONF);
  await writePrivateFile(confPath, kubeletConf(o.server, o.caPem, issued.certPem, keyPem, user));
  o.log(`client certificate for ${user} issued (certificate signing request ${issued.name}), valid until ${new Date(cert.validTo).toISOString()}; kubeconfig ${confPath}`);
  return { cert: issued.certPem, key: keyPem };
}

/** The API with the bootstrap token, trusting only the cluster CA (the TLS bootstrap's credentials). */
export function bootstrapApi(server: URL | string, caPem: string, token: string): ApiCall {
  const api = new Api(typeof server === "string" ? new URL(server) : server, caPem, token);
  return (method, path, body) => api.call(method, path, body);
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

function usableKubeconfig(path: string, caPem: string, user: string): boolean {
  try {
    const { cert: certPem = "", key: keyPem = "" } = readKubeconfigEndpoint(path);
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    const now = Date.now();
    return (
      cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      /(^|\n)CN=([^\n]*)/.exec(cert.subject)?.[2] === user && now >= Date.parse(cert.validFrom) && now < Date.parse(cert.validTo)
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
    await writePrivateFile(path, privateKey.export({ format: "pem", type: "pkcs8" }).toString());
    return privateKey;
  }
}

/** kubelet.conf with kubeadm's entry names. */
function kubeletConf(server: string, caPem: string, certPem: string, keyPem: string, user: string): string {
  const names = { cluster: "default-cluster", user: "default-auth", context: "default-context" };
  return renderKubeconfig({ server, caCert: caPem, clientCert: certPem, clientKey: keyPem, names, namespace: "default", comment: `${user}: written by nodelet's TLS bootstrap` });
}

interface Reply {
  status: number;
  body: string;
}

function refused(r: Reply, what: string): NodeBootstrapError {
  if (r.status === 401) return new NodeBootstrapError(`${what}: the join token was refused (401 Unauthorized): a wrong, expired or deleted token`);
  return new NodeBootstrapError(`${what}: ${statusMessage(r)}`);
}

/** JSON over HTTPS to the API, trusting only the cluster CA, with the bootstrap token. */
class Api {
  constructor(
    private readonly url: URL,
    private readonly ca: string,
    private readonly token: string,
  ) {}

  call(method: string, path: string, data?: string): Promise<Reply> {
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
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => reject(new NodeBootstrapError(`${method} ${this.url.host}${path}: ${err.message}`)));
      req.end(data);
    });
  }
}
