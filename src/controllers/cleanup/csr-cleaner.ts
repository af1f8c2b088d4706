/**
 * The csrcleaner (pkg/controller/certificates/cleaner): automated requests and approvals make CertificateSigningRequests
 * pile up, so they are deleted once they have served — approved and issued for an hour, denied or failed for an hour,
 * pending (no condition at all) for a day, or issued with a certificate that has expired. Upstream looks every hour;
 * here each request is queued for its own deadline, the same criteria at the moment they become true.
 */
import { X509Certificate } from "node:crypto";
import type { CertificateSigningRequest } from "../../api/certificates.js";
import type { ControllerFactory } from "../foundation/controller.js";
import { expiryController, type ExpiryDeadline } from "../foundation/expiry-controller.js";

const HOUR_MS = 3_600_000;
export const APPROVED_EXPIRATION_MS = HOUR_MS;
export const DENIED_EXPIRATION_MS = HOUR_MS;
export const PENDING_EXPIRATION_MS = 24 * HOUR_MS;

/** The certificate's NotAfter in ms, or undefined when there is none or it does not parse. */
function certificateNotAfter(csr: CertificateSigningRequest): number | undefined {
  const b64 = csr.status?.certificate;
  if (!b64) return undefined;
  try {
    return Date.parse(new X509Certificate(Buffer.from(b64, "base64")).validTo);
  } catch {
    return undefined;
  }
}

/** A timestamp in ms, undefined for none (upstream's isOlderThan ignores a zero time). */
function timeOf(t: string | undefined): number | undefined {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The earliest moment one of the cleaner's criteria holds for `csr`, with upstream's log wording. */
export function csrCleanupDeadline(csr: CertificateSigningRequest): ExpiryDeadline | undefined {
  const conditions = csr.status?.conditions ?? [];
  const issued = Boolean(csr.status?.certificate);
  const candidates: ExpiryDeadline[] = [];
  for (const c of conditions) {
    const updated = timeOf(c.lastUpdateTime);
    if (c.type === "Approved" && issued && updated !== undefined) candidates.push({ at: updated + APPROVED_EXPIRATION_MS, reason: "as it is more than 1h0m0s old and approved" });
    if (c.type === "Denied" && updated !== undefined) candidates.push({ at: updated + DENIED_EXPIRATION_MS, reason: "as it is more than 1h0m0s old and denied" });
    if (c.type === "Failed" && updated !== undefined) candidates.push({ at: updated + DENIED_EXPIRATION_MS, reason: "as it is more than 1h0m0s old and failed" });
  }
  const created = timeOf(csr.metadata.creationTimestamp);
  if (conditions.length === 0 && created !== undefined) candidates.push({ at: created + PENDING_EXPIRATION_MS, reason: "as it is more than 24h0m0s old and unhandled" });
  const notAfter = certificateNotAfter(csr);
  if (notAfter !== undefined && issued && conditions.some((c) => c.type === "Approved")) candidates.push({ at: notAfter, reason: "as the associated certificate is expired" });
  return candidates.reduce<ExpiryDeadline | undefined>((first, d) => (!first || d.at < first.at ? d : first), undefined);
}

export const csrCleaner: ControllerFactory = expiryController<CertificateSigningRequest>({ name: "csrcleaner", kind: "CertificateSigningRequest", deadline: csrCleanupDeadline });
