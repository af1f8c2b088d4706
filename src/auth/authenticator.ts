/**
 * The authenticator chain (k8s.io/apiserver's union authenticator): each authenticator looks at the credentials it
 * understands and answers a user, a refusal (credentials of its kind that are wrong: a bad token, an expired JWT, a
 * certificate not from our CA), or nothing (no credentials of its kind). The first user wins; with none, the request
 * is unauthorized (401) — anonymous requests are not accepted.
 */
import { withAuthenticatedGroup, type UserInfo } from "./user.js";

/** What a request presents: a bearer token and/or a client certificate the TLS layer verified (or not). */
export interface Credentials {
  token?: string;
  clientCert?: ClientCertificate;
}

export interface ClientCertificate {
  /** The TLS handshake verified the chain against the client CA. */
  verified: boolean;
  /** Why not, when not verified (Node's authorizationError). */
  error?: string;
  commonName: string;
  organizations: string[];
  /** Extended key usage OIDs, when the certificate names any. */
  extKeyUsage?: string[];
  /** Its validity (ms since the epoch): checked at each request, as a connection outlives the handshake. */
  notBefore?: number;
  notAfter?: number;
}

export type AuthResult = { user: UserInfo } | { error: string } | undefined;

export interface Authenticator {
  authenticate(creds: Credentials): AuthResult;
}

/** Tries each authenticator in order; the first user, with `system:authenticated` added, or the errors seen. */
export class AuthenticatorChain implements Authenticator {
  constructor(private readonly authenticators: Authenticator[]) {}

  authenticate(creds: Credentials): AuthResult {
    const errors: string[] = [];
    for (const a of this.authenticators) {
      const r = a.authenticate(creds);
      if (!r) continue;
      if ("user" in r) return { user: withAuthenticatedGroup(r.user) };
      errors.push(r.error);
    }
    return errors.length ? { error: errors.join("; ") } : undefined;
  }
}
