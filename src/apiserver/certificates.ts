/**
 * What the API does to every new CertificateSigningRequest beyond its strategy: the requestor fields are the
 * request's user, whatever the client wrote (the registry's PrepareForCreate), and a request to the
 * kube-apiserver-client signer for a `system:masters` certificate is refused (the CertificateSubjectRestriction
 * admission plugin).
 */
import { KUBE_APISERVER_CLIENT_SIGNER, parseRequest, type CertificateSigningRequest } from "../api/certificates.js";
import { ApiError } from "../api/errors.js";
import type { Hooks } from "./hooks.js";

export function registerCertificateHooks(hooks: Hooks): void {
  hooks.registerCreateHook("CertificateSigningRequest", (obj, ctx) => {
    const csr = obj as CertificateSigningRequest;
    const u = ctx.user;
    csr.spec = { ...csr.spec, username: u.name, groups: [...u.groups] };
    if (u.uid) csr.spec.uid = u.uid;
    else delete csr.spec.uid;
    if (u.extra && Object.keys(u.extra).length) csr.spec.extra = structuredClone(u.extra);
    else delete csr.spec.extra;
    if (csr.spec.signerName === KUBE_APISERVER_CLIENT_SIGNER) {
      const parsed = parseRequest(csr);
      if (!("error" in parsed) && parsed.organizations.includes("system:masters")) {
        throw ApiError.forbidden("certificatesigningrequests", csr.metadata.name ?? "", `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`, "certificates.k8s.io");
      }
    }
    return csr;
  });
}
