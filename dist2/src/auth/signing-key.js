/**
 * The key ServiceAccount tokens are signed with: an EC P-256 private key kept at a path (PKCS#8 PEM, mode 0600 in a
 * 0700 directory), made on first use and reused after, so tokens survive a daemon restart.
 */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
/** A fresh P-256 key, for servers that keep none (tests). */
export function generateSigningKey() {
    return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}
export function loadOrCreateSigningKey(path) {
    try {
        return createPrivateKey(readFileSync(path, "utf8"));
    }
    catch (err) {
        if (err.code !== "ENOENT")
            throw new Error(`cannot read the service account signing key ${path}: ${err.message}`);
    }
    const key = generateSigningKey();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
    return key;
}
//# sourceMappingURL=signing-key.js.map