/**
 * Bearer tokens on the wire. The unix socket needs no token: it is created 0600 in a 0700 directory, so only root
 * can connect and the kernel does the refusing. On the TCP listener a token comes as `Authorization: Bearer <token>`;
 * WebSocket clients that cannot set headers may send it as the subprotocol
 * `base64url.bearer.authorization.k8s.io.<base64url token>`, as upstream accepts. Which tokens are good is the
 * authenticator chain's business (src/auth/, access.ts).
 *
 * kubectl sends bearer tokens only over TLS (seen: over plain http:// it sends no Authorization header at all), so
 * the TCP listener is always HTTPS (tls.ts).
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
const WS_TOKEN_PREFIX = "base64url.bearer.authorization.k8s.io.";
/** The bearer token a request carries, if any. */
export function requestToken(req) {
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth))
        return auth.slice(7).trim();
    const protocols = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const ws = protocols.find((p) => p.startsWith(WS_TOKEN_PREFIX));
    if (ws)
        return Buffer.from(ws.slice(WS_TOKEN_PREFIX.length), "base64url").toString("utf8");
    return undefined;
}
export function unauthorizedStatus() {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 };
}
/** A fresh random token (256 bits, base64url). */
export function generateToken() {
    return randomBytes(32).toString("base64url");
}
/** Reads the token kept at `path`, or creates it (mode 0600, directory 0700). */
export async function loadOrCreateToken(path) {
    try {
        const token = (await fsp.readFile(path, "utf8")).trim();
        if (token)
            return token;
    }
    catch (err) {
        if (err.code !== "ENOENT")
            throw err;
    }
    const token = generateToken();
    await fsp.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await fsp.writeFile(path, `${token}\n`, { mode: 0o600 });
    return token;
}
//# sourceMappingURL=auth.js.map