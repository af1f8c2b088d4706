/**
 * Which entry of an image index this node runs (image-spec image-index.md: "the first matching entry SHOULD be used";
 * unknown media types MUST NOT be an error). Attestation manifests (BuildKit's `unknown/unknown` entries annotated
 * `vnd.docker.reference.type: attestation-manifest`) and entries that are not image manifests are skipped.
 *
 * Variants follow containerd's platforms matcher: arm64 matches "" and "v8" alike; arm vN runs v(N-1)…v5 too, best
 * first; amd64 takes "" or "v1" (v2/v3 need CPU features we do not probe, so they are never chosen).
 */
import type { Descriptor, Platform } from "./manifest.js";
import { IMAGE_MANIFEST_TYPES } from "./manifest.js";

/** This node's platform in OCI terms, from Node's process.arch (x64 → amd64, arm with its arm_version). */
export function nodePlatform(arch: string = process.arch, armVersion: unknown = process.config.variables["arm_version" as keyof typeof process.config.variables]): Platform {
  const map: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };
  const architecture = map[arch] ?? arch;
  if (architecture === "arm64") return { os: "linux", architecture, variant: "v8" };
  if (architecture === "arm") return { os: "linux", architecture, variant: `v${typeof armVersion === "string" || typeof armVersion === "number" ? armVersion : "7"}` };
  return { os: "linux", architecture };
}

/** "linux/arm64/v8", as platforms are written in messages. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest";
}

/** The variants a node of `want` runs, best first ("" stands for an entry with no variant). */
function acceptedVariants(want: Platform): string[] {
  switch (want.architecture) {
    case "arm64":
      return ["v8", ""];
    case "amd64":
      return ["", "v1"];
    case "arm": {
      const n = Number((want.variant ?? "v7").slice(1)) || 7;
      const out: string[] = [];
      for (let v = n; v >= 5; v--) out.push(`v${v}`);
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
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const variants = acceptedVariants(want);
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of manifests) {
    if (!IMAGE_MANIFEST_TYPES.has(d.mediaType) || isAttestation(d) || !d.platform) continue;
    if (d.platform.os !== want.os || d.platform.architecture !== want.architecture) continue;
    const rank = variants.indexOf(d.platform.variant ?? "");
    if (rank < 0) continue;
    if (!best || rank < best.rank) best = { d, rank };
  }
  if (best) return best.d;
  const offered = manifests
    .filter((d) => d.platform && !isAttestation(d))
    .map((d) => formatPlatform(d.platform as Platform));
  throw new Error(`no image for platform ${formatPlatform(want)} in the index (it has: ${offered.length ? [...new Set(offered)].join(", ") : "no platforms"})`);
}
