import { ApiError } from "../api/errors.js";
import { requestAttributes } from "../auth/attributes.js";
import { requestToken } from "./auth.js";
/** The bearer token and the client certificate (as the TLS layer judged it) a request carries. */
export function credentialsOf(req) {
    const creds = { token: requestToken(req) };
    const cert = clientCertificate(req.socket);
    if (cert)
        creds.clientCert = cert;
    return creds;
}
function clientCertificate(socket) {
    if (typeof socket.getPeerCertificate !== "function")
        return undefined;
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0)
        return undefined;
    const subject = (peer.subject ?? {});
    const cn = subject.CN;
    const o = subject.O;
    return {
        verified: socket.authorized,
        error: socket.authorizationError ? String(socket.authorizationError) : undefined,
        commonName: Array.isArray(cn) ? cn[0] ?? "" : cn ?? "",
        organizations: Array.isArray(o) ? o : o ? [o] : [],
        extKeyUsage: peer.ext_key_usage,
    };
}
/** The user a TCP request authenticates as, or undefined (→ 401). */
export function authenticate(authn, req) {
    const r = authn.authenticate(credentialsOf(req));
    return r && "user" in r ? r.user : undefined;
}
/** The apiserver's forbiddenMessage + NewForbidden wording. */
export function forbidden(a, reason) {
    const user = a.user.name;
    let msg;
    if (!a.isResourceRequest) {
        msg = `User "${user}" cannot ${a.verb} path "${a.path}"`;
    }
    else {
        const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
        const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
        msg = `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
    }
    if (reason)
        msg = `${msg}: ${reason}`;
    if (!a.isResourceRequest)
        return new ApiError("Forbidden", `forbidden: ${msg}`);
    const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
    const head = a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`;
    const details = { kind: a.resource };
    if (a.name)
        details.name = a.name;
    if (a.apiGroup)
        details.group = a.apiGroup;
    return new ApiError("Forbidden", `${head}: ${msg}`, details);
}
/** Authorizes one request; throws the 403 ApiError when refused. Returns the attributes (for audit). */
export function authorize(authz, user, method, url) {
    const a = requestAttributes(user, method, url);
    const d = authz.authorize(a);
    if (!d.allowed)
        throw forbidden(a, d.reason);
    return a;
}
//# sourceMappingURL=access.js.map