/**
 * Asking the cluster for a certificate, as a kubelet does (k8s.io/client-go/util/certificate/csr): a
 * CertificateSigningRequest is created and its status read until the signer has issued the certificate, or the
 * request is Denied or Failed (an Error naming the condition's reason and message), or the wait ends. The node's
 * TLS bootstrap, its client certificate's renewals and its serving certificate all ask through here; keys and
 * certificates are then written 0600 and atomically (a reader sees the old file or the new one, never half).
 */
import { promises as fsp } from "node:fs";
import type { CertificateSigningRequest } from "../api/certificates.js";

/** One request to the control plane's API: method, path and JSON body → status and body text. */
export type ApiCall = (method: "GET" | "POST", path: string, body?: string) => Promise<{ status: number; body: string }>;

export const CSR_PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

export interface CertificateWait {
  timeoutMs: number;
  pollMs?: number;
  /** Stops the wait (an Error saying so). */
  signal?: AbortSignal;
  /** The Error for a refused request (`doing` says which): the caller's wording (a bootstrap token's 401). */
  refused: (reply: { status: number; body: string }, doing: string) => Error;
  /** The Error for everything else: Denied, Failed, stopped, timed out. */
  failed: (message: string) => Error;
}

/**
 * Creates `csr` (an existing one of the same name — an earlier attempt with this key — is waited on too) and
 * returns its name (the server's, for a generateName) and the issued certificate (PEM).
 */
export async function requestCertificate(api: ApiCall, csr: CertificateSigningRequest, wait: CertificateWait): Promise<{ name: string; certPem: string }> {
  const created = await api("POST", CSR_PATH, JSON.stringify(csr));
  const wanted = csr.metadata.name ?? csr.metadata.generateName ?? "";
  if (created.status !== 201 && created.status !== 409) throw wait.refused(created, `creating the certificate signing request ${wanted}`);
  const name = created.status === 201 ? ((JSON.parse(created.body) as CertificateSigningRequest).metadata.name ?? wanted) : wanted;
  return { name, certPem: await waitForCertificate(api, name, wait) };
}

/** Reads request `name` until it is issued (the PEM), Denied or Failed, stopped, or `timeoutMs` passes. */
export async function waitForCertificate(api: ApiCall, name: string, wait: CertificateWait): Promise<string> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const r = await api("GET", `${CSR_PATH}/${name}`);
    if (r.status !== 200) throw wait.refused(r, `reading certificate signing request ${name}`);
    const csr = JSON.parse(r.body) as CertificateSigningRequest;
    const bad = (csr.status?.conditions ?? []).find((c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True");
    if (bad) throw wait.failed(`certificate signing request ${name} is ${bad.type}: ${bad.reason ?? ""}${bad.message ? `: ${bad.message}` : ""}`);
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, "base64").toString();
    if (wait.signal?.aborted) throw wait.failed(`stopped waiting for certificate signing request ${name}`);
    if (Date.now() >= deadline) {
      throw wait.failed(`timed out after ${Math.round(wait.timeoutMs / 1000)} s waiting for certificate signing request ${name} to be approved and issued (kubectl certificate approve ${name})`);
    }
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 500));
  }
}

/** The message of a Status answer, else "HTTP <code>". */
export function statusMessage(r: { status: number; body: string }): string {
  try {
    const m = (JSON.parse(r.body) as { message?: unknown }).message;
    if (typeof m === "string") return m;
  } catch {
    // not a Status
  }
  return `HTTP ${r.status}`;
}

/** Writes `text` to `path` 0600, atomically (a temporary file renamed over it). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text, { mode: 0o600 });
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, path);
}
