/**
 * The session cookie (RFC 6265): HttpOnly (the page's script never sees it), Secure (never sent over plain HTTP but
 * to a loopback origin, which browsers treat as secure), SameSite=Strict (a request started by another site carries
 * none, the first CSRF defence) and Path=/ui/ (the Kubernetes API paths beside it never receive it).
 */
export const SESSION_COOKIE = "nodelet_session";
const ATTRIBUTES = "Path=/ui/; HttpOnly; Secure; SameSite=Strict";

/** The Set-Cookie value that starts a session. No Max-Age: the browser forgets it when it closes. */
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; ${ATTRIBUTES}`;
}

/** The Set-Cookie value that removes the session cookie (logout, an expired session). */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** The value of one cookie of a Cookie header (the first one of that name), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
