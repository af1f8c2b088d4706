/**
 * The rules of the csrapproving and csrsigning controllers (pkg/controller/certificates/approver/sarapprove.go,
 * signer/signer.go, pkg/apis/certificates helpers; Kubernetes 1.32), pure:
 * - autoApproval: a pending `kubernetes.io/kube-apiserver-client-kubelet` request for a node client certificate
 *   (subject O exactly system:nodes, CN system:node:…, no SANs, usages exactly client auth + digital signature,
 *   optionally key encipherment) is approved when its requestor may create `certificatesigningrequests/selfnodeclient`
 *   (renewing its own: CN = requestor) or `…/nodeclient` (bootstrap tokens) — a SubjectAccessReview through `can`.
 * - signing: an approved, unfailed, unissued request of a signer we run gets a certificate from the CA, valid from
 *   5 minutes ago (backdated; not for short-lived ones) for expirationSeconds (at least 600 s) bounded by the signing
 *   duration and the CA's own end; a request the signer's rules refuse gets Failed/SignerValidationFailure.
 */
import { KUBE_APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, type CertificateSigningRequest, type CsrCondition, hasCondition } from "../../api/certificates.js";
import { isIP } from "node:net";
import type { Node } from "../../api/types.js";
import { ipBytes, ipText, type ParsedCsr } from "../../api/x509.js";

export const SIGNERS = [KUBELET_CLIENT_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, KUBELET_SERVING_SIGNER] as const;

const sameSet = (a: Set<string>, b: readonly string[]) => a.size === b.length && b.every((x) => a.has(x));

/** ValidateKubeletClientCSR: undefined when the request is a node client certificate request, else why not. */
export function kubeletClientCsrError(csr: ParsedCsr, usages: readonly string[]): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== "system:nodes") return "subject organization is not system:nodes";
  if (csr.dnsNames.length) return "DNS subjectAltNames are not allowed";
  if (csr.emailAddresses.length) return "Email subjectAltNames are not allowed";
  if (csr.ipAddresses.length) return "IP subjectAltNames are not allowed";
  if (csr.uris.length) return "URI subjectAltNames are not allowed";
  if (!csr.commonName.startsWith("system:node:")) return "subject common name does not begin with system:node:";
  const set = new Set(usages);
  if (!sameSet(set, ["digital signature", "key encipherment", "client auth"]) && !sameSet(set, ["digital signature", "client auth"])) {
    return "usages did not match [client auth digital signature key encipherment]";
  }
  return undefined;
}

/**
 * ValidateKubeletServingCSR (pkg/apis/certificates/v1 helpers): undefined when the request is a kubelet serving
 * certificate request, else why not.
 */
export function kubeletServingCsrError(csr: ParsedCsr, usages: readonly string[]): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== "system:nodes") return "subject organization is not system:nodes";
  if (csr.dnsNames.length === 0 && csr.ipAddresses.length === 0) return "DNS or IP subjectAltName is required";
  if (csr.emailAddresses.length) return "Email subjectAltNames are not allowed";
  if (csr.uris.length) return "URI subjectAltNames are not allowed";
  if (!csr.commonName.startsWith("system:node:")) return "subject common name does not begin with system:node:";
  const set = new Set(usages);
  if (!sameSet(set, ["digital signature", "key encipherment", "server auth"]) && !sameSet(set, ["digital signature", "server auth"])) {
    return "usages did not match [digital signature key encipherment server auth]";
  }
  return undefined;
}

/**
 * The names a node may put in its serving certificate: its name, and the addresses its Node's status lists
 * (InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS) — what the API server dials it by.
 */
export function nodeServingNames(node: Node): Set<string> {
  return new Set([node.metadata.name ?? "", ...(node.status?.addresses ?? []).map((a) => canonicalIP(a.address))].filter(Boolean));
}

/** An address in the form the request parser gives (api/x509 ipText); a name as it is. */
function canonicalIP(a: string): string {
  return isIP(a) ? ipText(ipBytes(a)) : a;
}

/**
 * The approval of a kubelet serving request. Upstream kube-controller-manager approves none (a cluster add-on or an
 * admin does); nodelet approves one when (a) it is a valid serving request, (b) its requestor is the node it names
 * (spec.username = the CN system:node:NAME, i.e. the node's own credentials) or may approve for the
 * kubernetes.io/kubelet-serving signer itself (`canApprove`: an admin's own request), and (c) every DNS and IP name
 * is the node's own (nodeServingNames of the Node NAME, which must exist). Anything else stays pending for
 * `kubectl certificate approve`.
 */
export function servingApproval(csr: CertificateSigningRequest, parsed: ParsedCsr, node: Node | undefined, canApprove: () => boolean, now: string): CsrCondition | undefined {
  if (!isPending(csr) || csr.spec.signerName !== KUBELET_SERVING_SIGNER || kubeletServingCsrError(parsed, csr.spec.usages ?? [])) return undefined;
  const self = csr.spec.username === parsed.commonName;
  if (!self && !canApprove()) return undefined;
  if (!node || `system:node:${node.metadata.name ?? ""}` !== parsed.commonName) return undefined;
  const names = nodeServingNames(node);
  if (![...parsed.dnsNames, ...parsed.ipAddresses.map(canonicalIP)].every((n) => names.has(n))) return undefined;
  return { type: "Approved", status: "True", reason: "AutoApproved", message: "Auto approving kubelet serving certificate: every name is the node's own.", lastUpdateTime: now, lastTransitionTime: now };
}

/** validAPIServerClientUsages. */
function apiServerClientUsagesError(usages: readonly string[]): string | undefined {
  let client = false;
  for (const u of usages) {
    if (u === "client auth") client = true;
    else if (u !== "digital signature" && u !== "key encipherment") return `invalid usage for client certificate: ${u}`;
  }
  return client ? undefined : "missing required usage for client certificate: client auth";
}

export function isPending(csr: CertificateSigningRequest): boolean {
  return !csr.status?.certificate && !hasCondition(csr, "Approved") && !hasCondition(csr, "Denied");
}

/** The subresource whose `create` permission approves the request, most specific first; [] when not a node client request. */
export function approvalPermissions(csr: CertificateSigningRequest, parsed: ParsedCsr): string[] {
  if (csr.spec.signerName !== KUBELET_CLIENT_SIGNER || kubeletClientCsrError(parsed, csr.spec.usages ?? [])) return [];
  return csr.spec.username === parsed.commonName ? ["selfnodeclient", "nodeclient"] : ["nodeclient"];
}

/** The Approved condition the approver appends, or undefined when no permission the requestor holds approves it. */
export function autoApproval(csr: CertificateSigningRequest, parsed: ParsedCsr, can: (subresource: string) => boolean, now: string): CsrCondition | undefined {
  if (!isPending(csr)) return undefined;
  for (const sub of approvalPermissions(csr, parsed)) {
    if (!can(sub)) continue;
    const message = sub === "selfnodeclient" ? "Auto approving self kubelet client certificate after SubjectAccessReview." : "Auto approving kubelet client certificate after SubjectAccessReview.";
    return { type: "Approved", status: "True", reason: "AutoApproved", message, lastUpdateTime: now, lastTransitionTime: now };
  }
  return undefined;
}

/** Whether a signer we run should act on the request now: approved, not failed, not issued. */
export function wantsSigning(csr: CertificateSigningRequest): boolean {
  return (
    (SIGNERS as readonly string[]).includes(csr.spec.signerName) &&
    (csr.status?.conditions ?? []).some((c) => c.type === "Approved" && c.status === "True") &&
    !(csr.status?.conditions ?? []).some((c) => c.type === "Failed" && c.status === "True") &&
    !csr.status?.certificate
  );
}

/** The signer's own rules for the request: undefined to sign, else the Failed message. */
export function signerValidationError(csr: CertificateSigningRequest, parsed: ParsedCsr): string | undefined {
  const usages = csr.spec.usages ?? [];
  if (csr.spec.signerName === KUBELET_CLIENT_SIGNER) return kubeletClientCsrError(parsed, usages);
  if (csr.spec.signerName === KUBELET_SERVING_SIGNER) return kubeletServingCsrError(parsed, usages);
  return apiServerClientUsagesError(usages);
}

export const BACKDATE_MS = 5 * 60_000;
const SHORT_MS = 8 * 3600_000;
export const MIN_EXPIRATION_S = 600;

/**
 * The validity of the certificate (PermissiveSigningPolicy.apply with the request's duration): `maxMs` is the
 * signing duration (--cluster-signing-duration, a year by default); throws when the CA itself has expired.
 */
export function validity(expirationSeconds: number | undefined, maxMs: number, now: number, caNotAfter: number): { notBefore: number; notAfter: number } {
  let ttl = maxMs;
  if (expirationSeconds !== undefined) ttl = Math.min(maxMs, Math.max(MIN_EXPIRATION_S, expirationSeconds) * 1000);
  const notBefore = now - BACKDATE_MS;
  let notAfter = ttl < SHORT_MS ? now + ttl : notBefore + ttl;
  if (notAfter >= caNotAfter) notAfter = caNotAfter;
  if (now >= caNotAfter) throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${new Date(caNotAfter).toISOString()}`);
  return { notBefore, notAfter };
}
