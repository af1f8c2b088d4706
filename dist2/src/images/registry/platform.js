import { IMAGE_MANIFEST_TYPES } from "./manifest.js";
/** This node's platform in OCI terms, from Node's process.arch (x64 → amd64, arm with its arm_version). */
export function nodePlatform(arch = process.arch, armVersion = process.config.variables["arm_version"]) {
    const map = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };
    const architecture = map[arch] ?? arch;
    if (architecture === "arm64")
        return { os: "linux", architecture, variant: "v8" };
    if (architecture === "arm")
        return { os: "linux", architecture, variant: `v${typeof armVersion === "string" || typeof armVersion === "number" ? armVersion : "7"}` };
    return { os: "linux", architecture };
}
/** "linux/arm64/v8", as platforms are written in messages. */
export function formatPlatform(p) {
    return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}
export function isAttestation(d) {
    return d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest";
}
/** The variants a node of `want` runs, best first ("" stands for an entry with no variant). */
function acceptedVariants(want) {
    switch (want.architecture) {
        case "arm64":
            return ["v8", ""];
        case "amd64":
            return ["", "v1"];
        case "arm": {
            const n = Number((want.variant ?? "v7").slice(1)) || 7;
            const out = [];
            for (let v = n; v >= 5; v--)
                out.push(`v${v}`);
            return n >= 7 ? [...out.slice(0, 1), "", ...out.slice(1)] : out;
        }
        default:
            return [want.variant ?? "", ""];
    }
}
/**
 * The index entry for `want`, or an Error listing what the index offers. Among entries that match, the best variant
 * wins; among equals, the first.
 */
export function selectPlatform(manifests, want) {
    const variants = acceptedVariants(want);
    let best;
    for (const d of manifests) {
        if (!IMAGE_MANIFEST_TYPES.has(d.mediaType) || isAttestation(d) || !d.platform)
            continue;
        if (d.platform.os !== want.os || d.platform.architecture !== want.architecture)
            continue;
        const rank = variants.indexOf(d.platform.variant ?? "");
        if (rank < 0)
            continue;
        if (!best || rank < best.rank)
            best = { d, rank };
    }
    if (best)
        return best.d;
    const offered = manifests
        .filter((d) => d.platform && !isAttestation(d))
        .map((d) => formatPlatform(d.platform));
    throw new Error(`no image for platform ${formatPlatform(want)} in the index (it has: ${offered.length ? [...new Set(offered)].join(", ") : "no platforms"})`);
}
//# sourceMappingURL=platform.js.map