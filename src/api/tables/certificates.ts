/** CertificateSigningRequest columns (printers.go printCertificateSigningRequest): Name, Age, SignerName, Requestor, RequestedDuration, Condition. */
import { csrConditionSummary, type CertificateSigningRequest } from "../certificates.js";
import { formatAge, humanDuration } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

export const certificateSigningRequestPrinter: Printer<CertificateSigningRequest> = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column("SignerName", "signerName indicates the requested signer, and is a qualified name."),
    column("Requestor", "request contains an x509 certificate signing request encoded in a \"CERTIFICATE REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded."),
    column("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration."),
    column("Condition", "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\"."),
  ],
  cells: (csr, now) => [
    csr.metadata.name ?? "",
    formatAge(csr.metadata.creationTimestamp, now),
    csr.spec?.signerName || "<none>",
    csr.spec?.username ?? "",
    csr.spec?.expirationSeconds !== undefined ? humanDuration(csr.spec.expirationSeconds * 1000) : "<none>",
    csrConditionSummary(csr),
  ],
};
