/**
 * The csrapproving and csrsigning controllers over the store (policy.ts decides): on every change to a
 * CertificateSigningRequest, pending node client requests are approved when their requestor's SubjectAccessReview
 * allows it, and approved requests of the signers we run (kube-apiserver-client-kubelet, kube-apiserver-client) are
 * issued from the cluster CA — the CA the API server verifies client certificates with — or marked Failed. Writes go
 * through the approval/status rules of api/certificates.ts, as the API's subresources would apply them, and are
 * gathered once per event-loop turn (a write from inside a watch handler would re-enter the store).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { prepareCsrSubresourceUpdate, parseRequest, type CertificateSigningRequest, type CsrCondition } from "../../api/certificates.js";
import { ApiError } from "../../api/errors.js";
import { issueCertificate, type ParsedCsr } from "../../api/x509.js";
import { nextTurnPass } from "../../store/next-turn.js";
import type { Store } from "../../store/store.js";
import { autoApproval, isPending, servingApproval, signerValidationError, validity, wantsSigning } from "./policy.js";
import { rfc3339 } from "../../api/time.js";
import type { Node } from "../../api/types.js";
import { KUBELET_SERVING_SIGNER } from "../../api/certificates.js";

/**
 * A SubjectAccessReview in certificates.k8s.io: may this user create certificatesigningrequests/SUBRESOURCE, or
 * (`signer`) approve for the signer of that name (verb approve on signers/NAME)?
 */
export type CsrAccessReview = { user: { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> } } & ({ subresource: string } | { signer: string });

export interface CsrControllerOptions {
  store: Store;
  /** Answers the approver's SubjectAccessReviews (in the daemon: the API's Node,RBAC authorizer). */
  allowed: (review: CsrAccessReview) => boolean;
  /** The cluster CA (PEM certificate and key); without it requests are approved but not signed. */
  ca?: { cert: string; key: string };
  /** Longest certificate issued (--cluster-signing-duration); default a year. */
  maxDurationMs?: number;
  now?: () => number;
  log?: (m: string) => void;
}

const YEAR_MS = 365 * 86_400_000;

export class CsrController {
  private stopWatch: (() => void) | undefined;
  private readonly ca: { cert: string; key: KeyObject; notAfter: number } | undefined;

  constructor(private readonly opts: CsrControllerOptions) {
    if (opts.ca) this.ca = { cert: opts.ca.cert, key: createPrivateKey(opts.ca.key), notAfter: Date.parse(new X509Certificate(opts.ca.cert).validTo) };
  }

  start(): void {
    this.stopWatch = this.opts.store.watch("CertificateSigningRequest", {}, () => this.schedule());
    this.reconcile();
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private log(m: string): void {
    this.opts.log?.(`certificates: ${m}`);
  }

  private readonly schedule = nextTurnPass(() => {
    if (this.stopWatch) this.reconcile();
  });

  /** One pass over every request. */
  reconcile(): void {
    for (const csr of this.opts.store.list<CertificateSigningRequest>("CertificateSigningRequest").items) {
      try {
        this.handle(csr);
      } catch (err) {
        // A conflict or deletion means another change scheduled another pass.
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) this.log(`${csr.metadata.name}: ${String(err)}`);
      }
    }
  }

  private handle(csr: CertificateSigningRequest): void {
    if (!isPending(csr) && !wantsSigning(csr)) return;
    const parsed = parseRequest(csr);
    if ("error" in parsed) return this.log(`unable to parse csr "${csr.metadata.name}": ${parsed.error}`);
    if (isPending(csr)) {
      const approved =
        csr.spec.signerName === KUBELET_SERVING_SIGNER
          ? servingApproval(csr, parsed, this.servingNode(parsed.commonName), () => this.allowed(csr, { signer: KUBELET_SERVING_SIGNER }), this.rfc3339())
          : autoApproval(csr, parsed, (sub) => this.allowed(csr, { subresource: sub }), this.rfc3339());
      if (approved) this.write(csr, { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), approved] } }, "approval");
      return;
    }
    if (this.ca) this.sign(csr, parsed);
  }

  private sign(csr: CertificateSigningRequest, parsed: ParsedCsr): void {
    const why = signerValidationError(csr, parsed);
    if (why) {
      const failed: CsrCondition = { type: "Failed", status: "True", reason: "SignerValidationFailure", message: why, lastUpdateTime: this.rfc3339() };
      this.write(csr, { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] } }, "status");
      return;
    }
    // As upstream, a request whose signature does not verify is not signed (and not failed): the log says why.
    if (!parsed.signatureValid) return this.log(`csr "${csr.metadata.name}": unable to verify certificate request signature`);
    const ca = this.ca!;
    const { notBefore, notAfter } = validity(csr.spec.expirationSeconds, this.opts.maxDurationMs ?? YEAR_MS, this.now(), ca.notAfter);
    const pem = issueCertificate({ csr: parsed, usages: csr.spec.usages ?? [], notBefore, notAfter, ca });
    this.write(csr, { ...csr, status: { ...csr.status, certificate: Buffer.from(pem).toString("base64") } }, "status");
    this.log(`issued ${csr.metadata.name} for ${parsed.commonName} until ${new Date(notAfter).toISOString()}`);
  }

  /** A SubjectAccessReview of the requestor. */
  private allowed(csr: CertificateSigningRequest, what: { subresource: string } | { signer: string }): boolean {
    const s = csr.spec;
    return this.opts.allowed({ user: { name: s.username ?? "", uid: s.uid, groups: [...(s.groups ?? [])], extra: s.extra }, ...what });
  }

  /** The Node a serving request's CN (system:node:NAME) names, if it exists. */
  private servingNode(commonName: string): Node | undefined {
    const name = commonName.startsWith("system:node:") ? commonName.slice("system:node:".length) : "";
    return name ? this.opts.store.get<Node>("Node", "", name) : undefined;
  }

  private write(old: CertificateSigningRequest, next: CertificateSigningRequest, sub: "approval" | "status"): void {
    const { csr, errors } = prepareCsrSubresourceUpdate(next, old, sub, this.rfc3339());
    if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
    this.opts.store.update(csr, { resourceVersion: old.metadata.resourceVersion, subresource: "status" });
  }

  private rfc3339(): string {
    return rfc3339(this.now());
  }
}
