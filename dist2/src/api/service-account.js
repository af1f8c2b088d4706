/**
 * ServiceAccount (v1) and TokenRequest (authentication.k8s.io/v1, the `serviceaccounts/token` subresource): types,
 * validation (ValidateServiceAccount, ValidateTokenRequest) and the TokenRequest defaults the apiserver applies.
 */
import { child, invalid } from "./field.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { nameIsDNSSubdomain } from "./names.js";
import { strategy } from "./strategy.js";
/** The account every namespace gets, and pods use when they name none. */
export const DEFAULT_SERVICE_ACCOUNT = "default";
/** TokenRequest's default lifetime (1 h) and the shortest one it accepts (10 min). */
export const DEFAULT_TOKEN_SECONDS = 3600;
export const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;
export const serviceAccountStrategy = strategy({
    hasStatus: false,
    defaults: () => undefined,
    validateCreate: (sa) => validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain),
    validateUpdate: (sa, old) => validateObjectMetaUpdate(sa.metadata, old.metadata),
});
/** ValidateTokenRequest: the lifetime bounds and the kinds a token may be bound to. */
export function validateTokenRequest(tr) {
    const errs = [];
    const secs = tr.spec?.expirationSeconds;
    const path = child("spec", "expirationSeconds");
    if (secs !== undefined && secs < MIN_TOKEN_SECONDS)
        errs.push(invalid(path, secs, "may not specify a duration less than 10 minutes"));
    if (secs !== undefined && secs > MAX_TOKEN_SECONDS)
        errs.push(invalid(path, secs, "may not specify a duration larger than 2^32 seconds"));
    const ref = tr.spec?.boundObjectRef;
    if (ref && ref.kind !== "Pod" && ref.kind !== "Secret" && ref.kind !== "Node") {
        errs.push(invalid(child("spec", "boundObjectRef", "kind"), ref.kind ?? "", 'must be one of "Pod", "Secret" or "Node"'));
    }
    return errs;
}
//# sourceMappingURL=service-account.js.map