/** The shape of certificates.k8s.io/v1 CertificateSigningRequest (k8s.io/api certificates/v1/types.go). */
import { i32, kind, list, map, str, strings, struct, type Schema } from "./schema-dsl.js";

export const CERTIFICATES_SCHEMAS: Readonly<Record<string, Schema>> = {
  CertificateSigningRequest: kind("CertificateSigningRequest", {
    spec: struct("CertificateSigningRequestSpec", {
      ...strings("request signerName username uid"),
      expirationSeconds: i32,
      usages: list(str),
      groups: list(str),
      extra: map(list(str)),
    }),
    status: struct("CertificateSigningRequestStatus", {
      conditions: list(struct("CertificateSigningRequestCondition", strings("type status reason message lastUpdateTime lastTransitionTime"))),
      certificate: str,
    }),
  }),
};
