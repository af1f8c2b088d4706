/**
 * The kubelet's serving certificate from the cluster (the kubelet's serverTLSBootstrap): a CertificateSigningRequest
 * for signer kubernetes.io/kubelet-serving with CN system:node:NAME, O system:nodes, the node's own names and
 * addresses as subjectAltNames, usages digital signature + key encipherment + server auth — the request upstream's
 * kubelet makes. The control plane approves it when every name is the node's (controllers/csr/policy.ts
 * servingApproval) and signs it with the cluster CA, so the API server can check whom it dials.
 *
 *   ensureServingCertificate({ api, dir, nodeName, names }) → { cert, key } (PEM)
 *
 * DIR/kubelet-server.crt/.key (0600 in a 0700 DIR) are reused while issued by `caPem`, valid for another 10% of their
 * life and naming every name asked for; otherwise a new EC P-256 key is made (it never leaves the node), the request
 * created (named after the key, so a retry finds its own) and polled until issued, Denied/Failed (an Error naming
 * reason and message) or `timeoutMs` passes (an Error saying how to approve it by hand).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { KUBELET_SERVING_SIGNER, type CertificateSigningRequest } from "../api/certificates.js";
import { createCsr } from "../api/x509.js";

/** One request to the control plane's API with the node's credentials. */
export type ApiCall = (method: "GET" | "POST", path: string, body?: string) => Promise<{ status: number; body: string }>;

export interface ServingCertOptions {
  api: ApiCall;
  /** The cluster CA the certificate must chain to. */
  caPem: string;
  /** Where kubelet-server.crt/.key are kept; made 0700. */
  dir: string;
  nodeName: string;
  /** Host names and IP addresses the API server may dial the node by (its Node's addresses). */
  names: string[];
  /** How long to wait for approval and issue; default 5 minutes (Infinity: until `signal` aborts). */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  log?: (m: string) => void;
}

export interface ServingPair {
  cert: string;
  key: string;
}

const CERT = "kubelet-server.crt";
const KEY = "kubelet-server.key";
const CSR_PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

export async function ensureServingCertificate(o: ServingCertOptions): Promise<ServingPair> {
  const log = o.log ?? (() => undefined);
  await fsp.mkdir(o.dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(o.dir, 0o700);
  const names = [...new Set(o.names.filter(Boolean))];
  const have = await readPair(o.dir);
  if (have && usable(have, o.caPem, names)) return have;
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const keyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const user = `system:node:${o.nodeName}`;
  const csrPem = createCsr(privateKey, {
    commonName: user,
    organizations: ["system:nodes"],
    dnsNames: names.filter((n) => !isIP(n)),
    ipAddresses: names.filter((n) => isIP(n)),
  });
  const name = `csr-serving-${createHash("sha256").update(createPublicKey(privateKey).export({ format: "der", type: "spki" })).digest("hex").slice(0, 16)}`;
  const body: CertificateSigningRequest = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString("base64"), signerName: KUBELET_SERVING_SIGNER, usages: ["digital signature", "key encipherment", "server auth"] },
  };
  const created = await o.api("POST", CSR_PATH, JSON.stringify(body));
  if (created.status !== 201 && created.status !== 409) throw new Error(`kubelet serving certificate: creating the certificate signing request ${name}: ${message(created)}`);
  log(`kubelet serving certificate: certificate signing request ${name} for ${names.join(", ")} created; waiting for its certificate`);
  const certPem = await waitForCertificate(o, name);
  if (!new X509Certificate(certPem).checkPrivateKey(privateKey)) throw new Error(`kubelet serving certificate: the certificate issued for ${name} is not for this node's key`);
  await writePrivate(join(o.dir, KEY), keyPem);
  await writePrivate(join(o.dir, CERT), certPem);
  log(`kubelet serving certificate: issued for ${names.join(", ")} until ${new X509Certificate(certPem).validTo}`);
  return { cert: certPem, key: keyPem };
}

async function readPair(dir: string): Promise<ServingPair | undefined> {
  try {
    return { cert: await fsp.readFile(join(dir, CERT), "utf8"), key: await fsp.readFile(join(dir, KEY), "utf8") };
  } catch {
    return undefined;
  }
}

/** Issued by the CA, for this key, valid for another 10% of its life, and naming every name. */
export function usable(pair: ServingPair, caPem: string, names: string[]): boolean {
  try {
    const cert = new X509Certificate(pair.cert);
    const ca = new X509Certificate(caPem);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const sans = new Set((cert.subjectAltName ?? "").split(",").map((s) => s.trim().replace(/^IP Address:/, "").replace(/^DNS:/, "")));
    return cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.checkPrivateKey(createPrivateKey(pair.key)) && Date.now() < to - (to - from) / 10 && names.every((n) => sans.has(n));
  } catch {
    return false;
  }
}

async function waitForCertificate(o: ServingCertOptions, name: string): Promise<string> {
  const timeoutMs = o.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await o.api("GET", `${CSR_PATH}/${name}`);
    if (r.status !== 200) throw new Error(`kubelet serving certificate: reading certificate signing request ${name}: ${message(r)}`);
    const csr = JSON.parse(r.body) as CertificateSigningRequest;
    const bad = (csr.status?.conditions ?? []).find((c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True");
    if (bad) throw new Error(`kubelet serving certificate: certificate signing request ${name} is ${bad.type}: ${bad.reason ?? ""}${bad.message ? `: ${bad.message}` : ""}`);
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, "base64").toString();
    if (o.signal?.aborted) throw new Error(`kubelet serving certificate: stopped waiting for certificate signing request ${name}`);
    if (Date.now() >= deadline) throw new Error(`kubelet serving certificate: timed out after ${Math.round(timeoutMs / 1000)} s waiting for certificate signing request ${name} (approve it with kubectl certificate approve ${name})`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
}

function message(r: { status: number; body: string }): string {
  try {
    const m = (JSON.parse(r.body) as { message?: unknown }).message;
    if (typeof m === "string") return m;
  } catch {
    // not a Status
  }
  return `HTTP ${r.status}`;
}

async function writePrivate(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text, { mode: 0o600 });
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, path);
}
