/**
 * Client certificates (the apiserver's x509 authenticator): a certificate the TLS listener verified against the
 * node's CA names the user in its CN and the groups in its O fields. The certificate must be for client
 * authentication when it lists extended key usages, and valid at the time of each request (upstream verifies the
 * chain per request: a keep-alive connection opened with a certificate that has since expired is refused).
 */
import type { Authenticator, AuthResult, Credentials } from "./authenticator.js";
import { rfc3339 } from "../api/time.js";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export class ClientCertAuthenticator implements Authenticator {
  constructor(private readonly now: () => number = Date.now) {}

  authenticate(creds: Credentials): AuthResult {
    const c = creds.clientCert;
    if (!c) return undefined;
    if (!c.verified) return { error: `x509: certificate signed by unknown authority or invalid (${c.error ?? "not verified"})` };
    const now = this.now();
    // Go's x509.CertificateInvalidError (Expired) wording.
    if (c.notAfter !== undefined && now > c.notAfter) return { error: `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is after ${rfc3339(c.notAfter)}` };
    if (c.notBefore !== undefined && now < c.notBefore) return { error: `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is before ${rfc3339(c.notBefore)}` };
    if (c.extKeyUsage && !c.extKeyUsage.includes(CLIENT_AUTH)) return { error: "x509: certificate specifies an incompatible key usage" };
    if (!c.commonName) return { error: "x509: certificate has no common name" };
    return { user: { name: c.commonName, groups: [...c.organizations] } };
  }
}
