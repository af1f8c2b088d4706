/**
 * Pure rules for names that come from an image: layer entry paths, whiteouts, and digests used as file names.
 * Nothing here touches the disk; unpack.ts applies the results. Spec: image-spec layer.md (whiteouts, opaque
 * directories) and descriptor.md (digest grammar); the traversal classes are those of shared reference images.md.
 */
/** Where an entry path lands inside the layer: its components below the layer root, `..` clamped at the root. */
export function entryComponents(name) {
    const out = [];
    for (const part of name.split("/")) {
        if (part === "" || part === ".")
            continue;
        // The layer root is "/": a ".." at the top stays at the top, as SecureJoin and the kernel's own "/.." do.
        if (part === "..")
            out.pop();
        else
            out.push(part);
    }
    return out;
}
const WH = ".wh.";
const OPAQUE = ".wh..wh..opq";
/** Classifies an entry by its (already clamped) components. A bare `.wh.` is invalid (layer.md) and throws. */
export function entryMeaning(path) {
    if (path.length === 0)
        return { kind: "entry", path };
    const base = path[path.length - 1];
    if (!base.startsWith(WH))
        return { kind: "entry", path };
    const dir = path.slice(0, -1);
    if (base === OPAQUE)
        return { kind: "opaque", dir };
    // AUFS' own bookkeeping (.wh..wh.plnk, .wh..wh.aufs): Docker skips these, and so do we.
    if (base.startsWith(`${WH}${WH}`))
        return { kind: "ignore", reason: `AUFS metadata ${base}` };
    const name = base.slice(WH.length);
    if (name === "" || name === "." || name === "..")
        throw new Error(`invalid whiteout entry "${path.join("/")}"`);
    return { kind: "whiteout", path: [...dir, name] };
}
const DIGEST = /^(sha256):([a-f0-9]{64})$|^(sha512):([a-f0-9]{128})$/;
/**
 * A digest string checked against the grammar of image-spec descriptor.md before it is ever used as a file name
 * (CVE-2024-3727: an unchecked "sha256:../../x" was a path). Throws naming `what`.
 */
export function parseDigest(s, what = "digest") {
    const m = typeof s === "string" ? DIGEST.exec(s) : null;
    if (!m)
        throw new Error(`${what}: invalid digest ${JSON.stringify(s)} (want sha256:<64 hex> or sha512:<128 hex>)`);
    return m[1] ? { algorithm: "sha256", hex: m[2] } : { algorithm: "sha512", hex: m[4] };
}
/** "sha256:abc…" for a Digest. */
export function digestString(d) {
    return `${d.algorithm}:${d.hex}`;
}
//# sourceMappingURL=layer-path.js.map