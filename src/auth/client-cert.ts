/**
 * Client certificates (the apiserver's x509 authenticator): a certificate the TLS listener verified against the
 * node's CA names the user in its CN and the groups in its O fields. The certificate must be for client
 * authentication when it lists extended key usages.
 */
import type { Authenticator, AuthResult, Credentials } from "./authenticator.js";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export class ClientCertAuthenticator implements Authenticator {
  authenticate(creds: Credentials): AuthResult {
    const c = creds.clientCert;
    if (!c) return undefined;
    if (!c.verified) return { error: `x509: certificate signed by unknown authority or invalid (${c.error ?? "not verified"})` };
    if (c.extKeyUsage && !c.extKeyUsage.includes(CLIENT_AUTH)) return { error: "x509: certificate specifies an incompatible key usage" };
    if (!c.commonName) return { error: "x509: certificate has no common name" };
    return { user: { name: c.commonName, groups: [...c.organizations] } };
  }
}
