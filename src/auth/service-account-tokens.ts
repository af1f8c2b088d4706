/**
 * Bound ServiceAccount tokens (the TokenRequest API and the kubelet's projected tokens) and their authenticator, as
 * pkg/serviceaccount does it: an ES256 JWT with `iss`, `sub` = system:serviceaccount:NS:NAME, `aud`, `exp`, `iat`,
 * `nbf`, `jti` and the private `kubernetes.io` claim naming the namespace, the ServiceAccount {name, uid} and, when
 * bound, the pod {name, uid}. A token authenticates only while it is unexpired, one of its audiences is the API's,
 * the ServiceAccount still exists with that uid and the bound pod still exists with its uid (a pod deleted more than
 * 60 s ago invalidates its tokens at once, as upstream). The user gets the ServiceAccount's groups and, when bound,
 * the pod's name and uid as extra attributes.
 */
import { createPublicKey, randomUUID, type KeyObject } from "node:crypto";
import type { ServiceAccount } from "../api/service-account.js";
import type { Pod } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { Authenticator, AuthResult, Credentials } from "./authenticator.js";
import { keyId, looksLikeJwt, peekClaims, signJwt, verifyJwt, type Claims } from "./jwt.js";
import { serviceAccountGroups, serviceAccountUsername } from "./user.js";
import { rfc3339 } from "../api/time.js";

export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Clock skew tolerated on exp and nbf (upstream's leeway). */
const LEEWAY_S = 60;

export interface IssueRequest {
  serviceAccount: ServiceAccount;
  /** Default: the API's audiences. */
  audiences?: string[];
  expirationSeconds: number;
  /** The pod the token is bound to: it stops working when the pod goes. */
  pod?: Pod;
}

export interface IssuedToken {
  token: string;
  /** RFC 3339. */
  expirationTimestamp: string;
}

interface KubernetesClaim {
  namespace?: string;
  serviceaccount?: { name?: string; uid?: string };
  pod?: { name?: string; uid?: string };
}

export class ServiceAccountTokens implements Authenticator {
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  readonly audiences: string[];

  constructor(
    private readonly opts: { privateKey: KeyObject; store: Store; issuer?: string; audiences?: string[]; now?: () => number },
  ) {
    this.publicKey = createPublicKey(opts.privateKey);
    this.kid = keyId(this.publicKey);
    this.audiences = opts.audiences?.length ? opts.audiences : [this.issuer];
  }

  get issuer(): string {
    return this.opts.issuer ?? DEFAULT_ISSUER;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  issue(r: IssueRequest): IssuedToken {
    const sa = r.serviceAccount;
    const ns = sa.metadata.namespace ?? "";
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + r.expirationSeconds;
    const k8s: KubernetesClaim = { namespace: ns, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid } };
    if (r.pod) k8s.pod = { name: r.pod.metadata.name, uid: r.pod.metadata.uid };
    const claims: Claims = {
      aud: r.audiences?.length ? r.audiences : this.audiences,
      exp,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      "kubernetes.io": k8s,
      nbf: iat,
      sub: serviceAccountUsername(ns, sa.metadata.name ?? ""),
    };
    return { token: signJwt(claims, this.opts.privateKey, this.kid), expirationTimestamp: rfc3339(exp * 1000) };
  }

  authenticate(creds: Credentials): AuthResult {
    const token = creds.token;
    if (token === undefined || !looksLikeJwt(token)) return undefined;
    // Another issuer's JWT is not ours to judge.
    if (peekClaims(token)?.iss !== this.issuer) return undefined;
    try {
      return { user: this.validate(verifyJwt(token, this.publicKey)) };
    } catch (err) {
      return { error: `service account token: ${(err as Error).message}` };
    }
  }

  private validate(c: Claims): { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> } {
    const now = this.now() / 1000;
    if (typeof c.exp !== "number" || now > c.exp + LEEWAY_S) throw new Error("token has expired");
    if (typeof c.nbf === "number" && now < c.nbf - LEEWAY_S) throw new Error("token is not valid yet");
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.some((a) => typeof a === "string" && this.audiences.includes(a))) {
      throw new Error(`token audiences ${JSON.stringify(aud)} is invalid for the target audiences ${JSON.stringify(this.audiences)}`);
    }
    const k = (c["kubernetes.io"] ?? {}) as KubernetesClaim;
    const ns = k.namespace ?? "";
    const name = k.serviceaccount?.name ?? "";
    if (!ns || !name || c.sub !== serviceAccountUsername(ns, name)) throw new Error("token names no service account");
    const sa = this.opts.store.get<ServiceAccount>("ServiceAccount", ns, name);
    if (!sa) throw new Error(`serviceaccounts "${name}" not found`);
    if (sa.metadata.uid !== k.serviceaccount?.uid) throw new Error(`service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount?.uid})`);
    const user = { name: c.sub, uid: sa.metadata.uid, groups: serviceAccountGroups(ns), extra: {} as Record<string, string[]> };
    if (k.pod) {
      const pod = this.opts.store.get<Pod>("Pod", ns, k.pod.name ?? "");
      if (!pod) throw new Error(`pods "${k.pod.name}" not found`);
      if (pod.metadata.uid !== k.pod.uid) throw new Error(`pod UID (${pod.metadata.uid}) does not match claim (${k.pod.uid})`);
      const deleted = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : undefined;
      if (deleted !== undefined && deleted < this.now() - LEEWAY_S * 1000) throw new Error("token has been invalidated");
      user.extra["authentication.kubernetes.io/pod-name"] = [k.pod.name ?? ""];
      user.extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid ?? ""];
    }
    if (typeof c.jti === "string") user.extra["authentication.kubernetes.io/credential-id"] = [`JTI=${c.jti}`];
    return user;
  }
}
