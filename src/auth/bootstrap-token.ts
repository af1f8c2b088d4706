/**
 * The apiserver's bootstrap token authenticator: a bearer token `ID.SECRET` that a valid, unexpired bootstrap-token
 * Secret (api/bootstrap-token.ts) vouches for authenticates as `system:bootstrap:ID` in `system:bootstrappers` plus
 * the Secret's extra groups. As upstream, a token of another form, or one no valid unexpired Secret vouches for,
 * gets no opinion (so the request is 401 unless another authenticator knows it); the secret part is compared in
 * constant time, and only the token id is ever logged.
 */
import { timingSafeEqual } from "node:crypto";
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  dataOf,
  parseBootstrapToken,
  tokenExpiration,
  tokenGroups,
} from "../api/bootstrap-token.js";
import type { Secret } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Authenticator, AuthResult, Credentials } from "./authenticator.js";
import type { UserInfo } from "./user.js";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Lengths are public (the token's form fixes them); the contents are compared in constant time.
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator implements Authenticator {
  constructor(
    private readonly store: Store,
    private readonly opts: { now?: () => number; log?: (m: string) => void } = {},
  ) {}

  authenticate(creds: Credentials): AuthResult {
    if (creds.token === undefined) return undefined;
    const parsed = parseBootstrapToken(creds.token);
    if (!parsed) return undefined;
    const user = this.userOf(parsed.id, parsed.secret);
    return user ? { user } : undefined;
  }

  private userOf(id: string, secret: string): UserInfo | undefined {
    const name = BOOTSTRAP_TOKEN_SECRET_PREFIX + id;
    const s = this.store.get<Secret>("Secret", BOOTSTRAP_TOKEN_NAMESPACE, name);
    const refuse = (why: string) => {
      this.opts.log?.(`bootstrap token: secret ${BOOTSTRAP_TOKEN_NAMESPACE}/${name} ${why}`);
      return undefined;
    };
    if (!s) return refuse("not found");
    if (s.metadata.deletionTimestamp) return refuse("is deleted and awaiting removal");
    if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !s.data) return refuse(`has invalid type, expected ${BOOTSTRAP_TOKEN_SECRET_TYPE}`);
    if (!sameSecret(dataOf(s, "token-secret") ?? "", secret)) return refuse("has invalid value for key token-secret");
    if (dataOf(s, "token-id") !== id) return refuse("has invalid value for key token-id");
    const exp = tokenExpiration(s);
    if (exp !== null && !(exp > (this.opts.now ?? Date.now)())) return refuse("has expired");
    if (dataOf(s, "usage-bootstrap-authentication") !== "true") return refuse("not marked usage-bootstrap-authentication=true");
    const g = tokenGroups(s);
    if ("error" in g) return refuse(`has invalid value for key auth-extra-groups: ${g.error}`);
    return { name: BOOTSTRAP_USER_PREFIX + id, groups: g.groups };
  }
}
