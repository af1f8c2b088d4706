/**
 * The kubelet's serving certificate from the cluster (the kubelet's serverTLSBootstrap): a CertificateSigningRequest
 * for signer kubernetes.io/kubelet-serving with CN system:node:NAME, O system:nodes, the node's own names and
 * addresses as subjectAltNames, usages digital signature + key encipherment + server auth — the request upstream's
 * kubelet makes. The control plane approves it when every name is the node's (controllers/csr/policy.ts
 * servingApproval) and signs it with the cluster CA, so the API server can check whom it dials.
 *
 *   ensureServingCertificate({ api, dir, nodeName, names }) → { cert, key } (PEM)
 *
 * DIR/kubelet-server.crt/.key (0600 in a 0700 DIR) are reused while issued by `caPem`, not expired and naming every
 * name asked for (renewing them before they expire is the certificate rotation's job: requestServingCertificate);
 * otherwise a new EC P-256 key is made (it never leaves the node), the request created (named after the key, so a
 * retry finds its own) and polled until issued, Denied/Failed (an Error naming reason and message) or `timeoutMs`
 * passes (an Error saying how to approve it by hand).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { promises as fsp } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { KUBELET_SERVING_SIGNER, type CertificateSigningRequest } from "../api/certificates.js";
import { createCsr } from "../api/x509.js";
import { requestCertificate, statusMessage, writePrivateFile, type ApiCall } from "./csr-request.js";

export type { ApiCall } from "./csr-request.js";

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

export async function ensureServingCertificate(o: ServingCertOptions): Promise<ServingPair> {
  await fsp.mkdir(o.dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(o.dir, 0o700);
  const have = await readPair(o.dir);
  if (have && usable(have, o.caPem, [...new Set(o.names.filter(Boolean))])) return have;
  return requestServingCertificate(o);
}

/** A new key and certificate for the names, always (the rotation's renewal), written over DIR's pair once issued. */
export async function requestServingCertificate(o: ServingCertOptions): Promise<ServingPair> {
  const log = o.log ?? (() => undefined);
  const names = [...new Set(o.names.filter(Boolean))];
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
  log(`kubelet serving certificate: asking for one for ${names.join(", ")} (certificate signing request ${name})`);
  const { certPem } = await requestCertificate(o.api, body, {
    timeoutMs: o.timeoutMs ?? 300_000,
    pollMs: o.pollMs,
    signal: o.signal,
    refused: (r, doing) => new Error(`kubelet serving certificate: ${doing}: ${statusMessage(r)}`),
    failed: (m) => new Error(`kubelet serving certificate: ${m}`),
  });
  if (!new X509Certificate(certPem).checkPrivateKey(privateKey)) throw new Error(`kubelet serving certificate: the certificate issued for ${name} is not for this node's key`);
  // The key first: a reader that finds the new certificate finds its key (readPair checks they match anyway).
  await writePrivateFile(join(o.dir, KEY), keyPem);
  await writePrivateFile(join(o.dir, CERT), certPem);
  log(`kubelet serving certificate: issued for ${names.join(", ")} until ${new Date(new X509Certificate(certPem).validTo).toISOString()}`);
  return { cert: certPem, key: keyPem };
}

async function readPair(dir: string): Promise<ServingPair | undefined> {
  try {
    return { cert: await fsp.readFile(join(dir, CERT), "utf8"), key: await fsp.readFile(join(dir, KEY), "utf8") };
  } catch {
    return undefined;
  }
}

/** Issued by the CA, for this key, valid now, and naming every name. */
export function usable(pair: ServingPair, caPem: string, names: string[], now = Date.now()): boolean {
  try {
    const cert = new X509Certificate(pair.cert);
    const ca = new X509Certificate(caPem);
    const sans = new Set((cert.subjectAltName ?? "").split(",").map((s) => s.trim().replace(/^IP Address:/, "").replace(/^DNS:/, "")));
    return (
      cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.checkPrivateKey(createPrivateKey(pair.key)) &&
      now >= Date.parse(cert.validFrom) && now < Date.parse(cert.validTo) && names.every((n) => sans.has(n))
    );
  } catch {
    return false;
  }
}
