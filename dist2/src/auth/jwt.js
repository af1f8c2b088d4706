/**
 * Compact JWS with ES256 (ECDSA P-256, SHA-256; RFC 7515/7518): sign and verify, nothing else. Verification checks
 * the header's algorithm against the key's, the signature, and that the payload is a JSON object; the claims'
 * meaning (expiry, audience, issuer) is the caller's. Signatures are the raw r||s form JWS uses, not DER.
 */
import { createHash, sign, verify } from "node:crypto";
const b64 = (v) => Buffer.from(v).toString("base64url");
/** The key id: a hash of the public key, so a verifier can tell which key signed (upstream's kid is similar). */
export function keyId(publicKey) {
    return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
}
export function signJwt(claims, privateKey, kid) {
    const input = `${b64(JSON.stringify({ alg: "ES256", kid }))}.${b64(JSON.stringify(claims))}`;
    const sig = sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${b64(sig)}`;
}
/** True when the token has the shape of a JWS (three base64url parts), whatever it claims. */
export function looksLikeJwt(token) {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
/** The unverified payload, or undefined when it does not decode (to read `iss` before choosing a verifier). */
export function peekClaims(token) {
    try {
        const v = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
        return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
    }
    catch {
        return undefined;
    }
}
/** The claims of a token this key signed; throws Error saying why otherwise. */
export function verifyJwt(token, publicKey) {
    if (!looksLikeJwt(token))
        throw new Error("malformed token");
    const [h, p, s] = token.split(".");
    let header;
    try {
        header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    }
    catch {
        throw new Error("malformed token header");
    }
    if (header.alg !== "ES256")
        throw new Error(`unexpected signing algorithm ${JSON.stringify(header.alg)}`);
    const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
    if (!ok)
        throw new Error("invalid signature");
    const claims = peekClaims(token);
    if (!claims)
        throw new Error("malformed token payload");
    return claims;
}
//# sourceMappingURL=jwt.js.map