/**
 * The authenticator chain (k8s.io/apiserver's union authenticator): each authenticator looks at the credentials it
 * understands and answers a user, a refusal (credentials of its kind that are wrong: a bad token, an expired JWT, a
 * certificate not from our CA), or nothing (no credentials of its kind). The first user wins; with none, the request
 * is unauthorized (401) — anonymous requests are not accepted.
 */
import { withAuthenticatedGroup } from "./user.js";
/** Tries each authenticator in order; the first user, with `system:authenticated` added, or the errors seen. */
export class AuthenticatorChain {
    authenticators;
    constructor(authenticators) {
        this.authenticators = authenticators;
    }
    authenticate(creds) {
        const errors = [];
        for (const a of this.authenticators) {
            const r = a.authenticate(creds);
            if (!r)
                continue;
            if ("user" in r)
                return { user: withAuthenticatedGroup(r.user) };
            errors.push(r.error);
        }
        return errors.length ? { error: errors.join("; ") } : undefined;
    }
}
//# sourceMappingURL=authenticator.js.map