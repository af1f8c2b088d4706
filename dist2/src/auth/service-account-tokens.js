/**
 * Bound ServiceAccount tokens (the TokenRequest API and the kubelet's projected tokens) and their authenticator, as
 * pkg/serviceaccount does it: an ES256 JWT with `iss`, `sub` = system:serviceaccount:NS:NAME, `aud`, `exp`, `iat`,
 * `nbf`, `jti` and the private `kubernetes.io` claim naming the namespace, the ServiceAccount {name, uid} and, when
 * bound, the pod {name, uid}. A token authenticates only while it is unexpired, one of its audiences is the API's,
 * the ServiceAccount still exists with that uid and the bound pod still exists with its uid (a pod deleted more than
 * 60 s ago invalidates its tokens at once, as upstream). The user gets the ServiceAccount's groups and, when bound,
 * the pod's name and uid as extra attributes.
 */
import { createPublicKey, randomUUID } from "node:crypto";
import { keyId, looksLikeJwt, peekClaims, signJwt, verifyJwt } from "./jwt.js";
import { serviceAccountGroups, serviceAccountUsername } from "./user.js";
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Clock skew tolerated on exp and nbf (upstream's leeway). */
const LEEWAY_S = 60;
export class ServiceAccountTokens {
    opts;
    publicKey;
    kid;
    audiences;
    constructor(opts) {
        this.opts = opts;
        this.publicKey = createPublicKey(opts.privateKey);
        this.kid = keyId(this.publicKey);
        this.audiences = opts.audiences?.length ? opts.audiences : [this.issuer];
    }
    get issuer() {
        return this.opts.issuer ?? DEFAULT_ISSUER;
    }
    now() {
        return (this.opts.now ?? Date.now)();
    }
    issue(r) {
        const sa = r.serviceAccount;
        const ns = sa.metadata.namespace ?? "";
        const iat = Math.floor(this.now() / 1000);
        const exp = iat + r.expirationSeconds;
        const k8s = { namespace: ns, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid } };
        if (r.pod)
            k8s.pod = { name: r.pod.metadata.name, uid: r.pod.metadata.uid };
        const claims = {
            aud: r.audiences?.length ? r.audiences : this.audiences,
            exp,
            iat,
            iss: this.issuer,
            jti: randomUUID(),
            "kubernetes.io": k8s,
            nbf: iat,
            sub: serviceAccountUsername(ns, sa.metadata.name ?? ""),
        };
        return { token: signJwt(claims, this.opts.privateKey, this.kid), expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
    }
    authenticate(creds) {
        const token = creds.token;
        if (token === undefined || !looksLikeJwt(token))
            return undefined;
        // Another issuer's JWT is not ours to judge.
        if (peekClaims(token)?.iss !== this.issuer)
            return undefined;
        try {
            return { user: this.validate(verifyJwt(token, this.publicKey)) };
        }
        catch (err) {
            return { error: `service account token: ${err.message}` };
        }
    }
    validate(c) {
        const now = this.now() / 1000;
        if (typeof c.exp !== "number" || now > c.exp + LEEWAY_S)
            throw new Error("token has expired");
        if (typeof c.nbf === "number" && now < c.nbf - LEEWAY_S)
            throw new Error("token is not valid yet");
        const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
        if (!aud.some((a) => typeof a === "string" && this.audiences.includes(a))) {
            throw new Error(`token audiences ${JSON.stringify(aud)} is invalid for the target audiences ${JSON.stringify(this.audiences)}`);
        }
        const k = (c["kubernetes.io"] ?? {});
        const ns = k.namespace ?? "";
        const name = k.serviceaccount?.name ?? "";
        if (!ns || !name || c.sub !== serviceAccountUsername(ns, name))
            throw new Error("token names no service account");
        const sa = this.opts.store.get("ServiceAccount", ns, name);
        if (!sa)
            throw new Error(`serviceaccounts "${name}" not found`);
        if (sa.metadata.uid !== k.serviceaccount?.uid)
            throw new Error(`service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount?.uid})`);
        const user = { name: c.sub, uid: sa.metadata.uid, groups: serviceAccountGroups(ns), extra: {} };
        if (k.pod) {
            const pod = this.opts.store.get("Pod", ns, k.pod.name ?? "");
            if (!pod)
                throw new Error(`pods "${k.pod.name}" not found`);
            if (pod.metadata.uid !== k.pod.uid)
                throw new Error(`pod UID (${pod.metadata.uid}) does not match claim (${k.pod.uid})`);
            const deleted = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : undefined;
            if (deleted !== undefined && deleted < this.now() - LEEWAY_S * 1000)
                throw new Error("token has been invalidated");
            user.extra["authentication.kubernetes.io/pod-name"] = [k.pod.name ?? ""];
            user.extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid ?? ""];
        }
        if (typeof c.jti === "string")
            user.extra["authentication.kubernetes.io/credential-id"] = [`JTI=${c.jti}`];
        return user;
    }
}
//# sourceMappingURL=service-account-tokens.js.map