/**
 * Authentication and authorization of each request, between the listener and the handlers. The unix socket is the
 * node's root-only socket (0600 in a 0700 directory): its requests act as the local administrator (LOCAL_ADMIN, in
 * system:masters). The TCP listener asks the authenticator chain (client certificate, static tokens, ServiceAccount
 * tokens); no user → 401. Then every request — resources, discovery, exec/attach/port-forward, logs and nodelet's
 * own /apis/nodelet.io paths — is authorized from its method and URL; a refusal is a 403 Status worded as the
 * apiserver words it (responsewriters.Forbidden).
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { ApiError } from "../api/errors.js";
import { requestAttributes, type RequestAttributes } from "../auth/attributes.js";
import type { Authenticator, ClientCertificate, Credentials } from "../auth/authenticator.js";
import type { Authorizer } from "../auth/rbac/authorizer.js";
import type { UserInfo } from "../auth/user.js";
import { requestToken } from "./auth.js";

/** The bearer token and the client certificate (as the TLS layer judged it) a request carries. */
export function credentialsOf(req: IncomingMessage): Credentials {
  const creds: Credentials = { token: requestToken(req) };
  const cert = clientCertificate(req.socket as TLSSocket);
  if (cert) creds.clientCert = cert;
  return creds;
}

function clientCertificate(socket: TLSSocket): ClientCertificate | undefined {
  if (typeof socket.getPeerCertificate !== "function") return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return undefined;
  const subject = (peer.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const cn = subject.CN;
  const o = subject.O;
  return {
    verified: socket.authorized,
    error: socket.authorizationError ? String(socket.authorizationError) : undefined,
    commonName: Array.isArray(cn) ? cn[0] ?? "" : cn ?? "",
    organizations: Array.isArray(o) ? o : o ? [o] : [],
    extKeyUsage: peer.ext_key_usage,
    notBefore: Date.parse(peer.valid_from) || undefined,
    notAfter: Date.parse(peer.valid_to) || undefined,
  };
}

/** The user a TCP request authenticates as, or undefined (→ 401). */
export function authenticate(authn: Authenticator, req: IncomingMessage): UserInfo | undefined {
  const r = authn.authenticate(credentialsOf(req));
  return r && "user" in r ? r.user : undefined;
}

/** The apiserver's forbiddenMessage + NewForbidden wording. */
export function forbidden(a: RequestAttributes, reason: string): ApiError {
  const user = a.user.name;
  let msg: string;
  if (!a.isResourceRequest) {
    msg = `User "${user}" cannot ${a.verb} path "${a.path}"`;
  } else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    msg = `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
  }
  if (reason) msg = `${msg}: ${reason}`;
  if (!a.isResourceRequest) return new ApiError("Forbidden", `forbidden: ${msg}`);
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const head = a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`;
  const details: { name?: string; group?: string; kind: string } = { kind: a.resource };
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  return new ApiError("Forbidden", `${head}: ${msg}`, details);
}

/** Authorizes one request; throws the 403 ApiError when refused. Returns the attributes (for audit). */
export function authorize(authz: Authorizer, user: UserInfo, method: string, url: string): RequestAttributes {
  const a = requestAttributes(user, method, url);
  const d = authz.authorize(a);
  if (!d.allowed) throw forbidden(a, d.reason);
  return a;
}
