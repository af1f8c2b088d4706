/**
 * certificates.k8s.io/v1 CertificateSigningRequest: the type, its strategies and validation
 * (pkg/registry/certificates/certificates/strategy.go, pkg/apis/certificates/validation, Kubernetes 1.32).
 * - Create: the status is cleared; the requestor (spec.username/uid/groups/extra) is the API's to fill from the
 *   request's user (apiserver/certificates.ts); `request` must be a PEM CERTIFICATE REQUEST, `signerName` a
 *   qualified `domain/path`, `usages` known and not repeated, `expirationSeconds` at least 600.
 * - The main resource changes only metadata; `/status` changes conditions other than Approved/Denied and sets the
 *   certificate once (only when Approved, not Denied or Failed); `/approval` changes only conditions.
 * - Conditions: Approved and Denied only `True` and never both; a type at most once; Approved/Denied/Failed once
 *   set stay.
 */
import { CsrError, KEY_USAGES, parseCsr, type ParsedCsr } from "./x509.js";
import { child, duplicate, forbidden, index, invalid, notSupported, required, type ErrorList } from "./field.js";
import { clone } from "./json.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Subdomain } from "./names.js";
import { rbacName } from "./rbac.js";
import { strategy } from "./strategy.js";
import type { KubeObject } from "./types.js";

export const CERTIFICATES_GROUP = "certificates.k8s.io";
export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    /** base64 of the PEM request. */
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: {
    conditions?: CsrCondition[];
    /** base64 of the PEM certificate chain. */
    certificate?: string;
  };
}

const APPROVAL_TYPES = new Set(["Approved", "Denied"]);
const STATUS_VALUES = ["False", "True", "Unknown"];

/** The request's PEM text, decoded from the spec's base64. */
export function requestPem(csr: CertificateSigningRequest): string {
  return Buffer.from(csr.spec?.request ?? "", "base64").toString("utf8");
}

/** The parsed request, or the parse error's text. */
export function parseRequest(csr: CertificateSigningRequest): ParsedCsr | { error: string } {
  try {
    return parseCsr(requestPem(csr));
  } catch (err) {
    if (err instanceof CsrError) return { error: err.message };
    throw err;
  }
}

export function hasCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type);
}

/** ValidateCertificateSigningRequestSignerName. */
function validateSignerName(path: string, name: string | undefined): ErrorList {
  if (!name) return [required(path)];
  const slash = name.indexOf("/");
  if (slash <= 0 || slash === name.length - 1) return [invalid(path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const domain = name.slice(0, slash);
  const errs: ErrorList = isDNS1123Subdomain(domain).map((m) => invalid(path, name, `validating the domain part of the signerName: ${m}`));
  if (name.length > 571) errs.push(invalid(path, name, "must be no more than 571 characters"));
  return errs;
}

function validateConditions(csr: CertificateSigningRequest): ErrorList {
  const errs: ErrorList = [];
  const path = "status.conditions";
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const p = index(path, i);
    if (!c.type) errs.push(required(child(p, "type")));
    const allowed = APPROVAL_TYPES.has(c.type) ? ["True"] : STATUS_VALUES;
    if (!c.status) errs.push(required(child(p, "status")));
    else if (!allowed.includes(c.status)) errs.push(notSupported(child(p, "status"), c.status, allowed));
    if (c.type === "Approved") {
      approved = true;
      if (denied) errs.push(invalid(path, c.type, "Approved and Denied conditions are mutually exclusive"));
    } else if (c.type === "Denied") {
      denied = true;
      if (approved) errs.push(invalid(path, c.type, "Approved and Denied conditions are mutually exclusive"));
    }
    if (seen.has(c.type)) errs.push(duplicate(child(p, "type"), c.type));
    seen.add(c.type);
  });
  return errs;
}

function validateSpec(csr: CertificateSigningRequest): ErrorList {
  const errs: ErrorList = [];
  const spec = csr.spec ?? ({} as CertificateSigningRequest["spec"]);
  const parsed = parseRequest(csr);
  if ("error" in parsed) errs.push(invalid("spec.request", spec.request ?? "", parsed.error));
  const usages = spec.usages ?? [];
  if (!usages.length) errs.push(required("spec.usages"));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!KEY_USAGES.includes(u)) errs.push(notSupported(index("spec.usages", i), u, KEY_USAGES));
    if (seen.has(u)) errs.push(duplicate(index("spec.usages", i), u));
    seen.add(u);
  });
  errs.push(...validateSignerName("spec.signerName", spec.signerName));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(invalid("spec.expirationSeconds", spec.expirationSeconds, "may not specify a duration less than 600 seconds (10 minutes)"));
  }
  return errs;
}

/** Checks shared by the update paths: conditions once set stay, a certificate needs approval and never changes. */
function validateStatusUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): ErrorList {
  const errs: ErrorList = [...validateObjectMetaUpdate(csr.metadata, old.metadata), ...validateConditions(csr)];
  for (const t of ["Approved", "Denied", "Failed"]) {
    if (hasCondition(old, t) && !hasCondition(csr, t)) errs.push(forbidden("status.conditions", `updates may not remove a condition of type "${t}"`));
  }
  const cert = csr.status?.certificate ?? "";
  const oldCert = old.status?.certificate ?? "";
  if (oldCert && cert !== oldCert) errs.push(invalid("status.certificate", "<certificate data>", "updates may not modify existing certificate content"));
  if (cert && !oldCert) {
    if (!hasCondition(csr, "Approved")) errs.push(invalid("status.certificate", "<certificate data>", "certificate issued without an Approved condition"));
    if (hasCondition(csr, "Denied")) errs.push(invalid("status.certificate", "<certificate data>", "certificate issued with a Denied condition"));
    if (hasCondition(csr, "Failed")) errs.push(invalid("status.certificate", "<certificate data>", "certificate issued with a Failed condition"));
    if (!/-----BEGIN CERTIFICATE-----/.test(Buffer.from(cert, "base64").toString("utf8"))) {
      errs.push(invalid("status.certificate", "<certificate data>", "must contain at least one CERTIFICATE PEM block"));
    }
  }
  return errs;
}

export const certificateSigningRequestStrategy = strategy<CertificateSigningRequest>({
  hasStatus: true,
  defaults: () => undefined,
  prepareForCreate: (csr) => {
    delete csr.status;
  },
  prepareForUpdate: (csr, old) => {
    csr.spec = clone(old.spec);
  },
  validateCreate: (csr) => [...validateObjectMeta(csr.metadata, false, rbacName), ...validateSpec(csr), ...validateConditions(csr)],
  validateUpdate: (csr, old) => [...validateObjectMetaUpdate(csr.metadata, old.metadata), ...validateConditions(csr)],
});

const approvalConditions = (csr: CertificateSigningRequest) => (csr.status?.conditions ?? []).filter((c) => APPROVAL_TYPES.has(c.type));

/**
 * The object a write to `/status` or `/approval` stores, validated: the spec is the old one; `/status` keeps the old
 * Approved/Denied conditions (a change to them reverts all conditions, as upstream, so validation then names it)
 * and `/approval` the old certificate. Condition timestamps missing are filled with `now` (RFC 3339), and a
 * condition whose status did not change keeps its lastTransitionTime.
 */
export function prepareCsrSubresourceUpdate(next: CertificateSigningRequest, old: CertificateSigningRequest, sub: "status" | "approval", now: string): { csr: CertificateSigningRequest; errors: ErrorList } {
  const csr = clone(next);
  csr.spec = clone(old.spec);
  csr.status ??= {};
  if (sub === "status") {
    if (JSON.stringify(approvalConditions(old)) !== JSON.stringify(approvalConditions(csr))) csr.status.conditions = clone(old.status?.conditions);
  } else if (old.status?.certificate) {
    csr.status.certificate = old.status.certificate;
  } else {
    delete csr.status.certificate;
  }
  for (const c of csr.status.conditions ?? []) {
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) {
      const before = (old.status?.conditions ?? []).find((o) => o.type === c.type);
      c.lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : c.lastUpdateTime;
    }
  }
  return { csr, errors: validateStatusUpdate(csr, old) };
}

/** kubectl's CONDITION column (extractCSRStatus): Approved/Denied/Pending, then ",Failed", ",Issued". */
export function csrConditionSummary(csr: CertificateSigningRequest): string {
  let s = hasCondition(csr, "Denied") ? "Denied" : hasCondition(csr, "Approved") ? "Approved" : "Pending";
  if (hasCondition(csr, "Failed")) s += ",Failed";
  if (csr.status?.certificate) s += ",Issued";
  return s;
}
