/**
 * The one platform selector: which entry of an image index this node runs, used by pull, import and inspect alike.
 * It is containerd's `platforms.Only(DefaultSpec())` (containerd/platforms compare.go, database.go):
 *   - both sides normalised (x86_64 → amd64 and amd64/v1 → amd64; aarch64 → arm64 and arm64/v8 → arm64; arm →
 *     arm/v7; armhf → arm/v7, armel → arm/v6; i386 → 386; os lower-cased);
 *   - an entry matches a wanted platform when os, architecture and variant are equal after normalisation and the
 *     entry asks for no os.features the node lacks (the node offers none); os.version is compared on Windows only,
 *     so it is ignored here;
 *   - the node accepts, best first: amd64/vN then v(N-1) … v1 then 386; arm/vN then v(N-1) … v5; arm64 (v8) then
 *     arm/v8 … v5 (arm64 v8.x/v9.x as containerd orders them);
 *   - the best-ranked match wins, the first in the index among equals (image-index.md: "the first matching entry
 *     SHOULD be used"); entries that are not image manifests (unknown media types MUST NOT be an error) and BuildKit
 *     attestation manifests are skipped.
 * The node's amd64 variant is its micro-architecture level read from the CPU flags, as containerd's DefaultSpec
 * does (v1 when unknown); arm's from Node's arm_version.
 */
import { hostCpuFlags } from "../sys/host-info.js";
import { IMAGE_MANIFEST_TYPES, type Descriptor, type Platform } from "./manifest.js";

/** CPU flags (as /proc/cpuinfo names them) each x86-64 micro-architecture level adds (x86-64 psABI). */
const AMD64_LEVELS: [string, string[]][] = [
  ["v2", ["cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"]],
  ["v3", ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]],
  ["v4", ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]],
];

/** The amd64 level ("v1" … "v4") a CPU with these flags runs. */
export function amd64Level(flags: readonly string[]): string {
  const have = new Set(flags);
  let level = "v1";
  for (const [name, needs] of AMD64_LEVELS) {
    if (!needs.every((f) => have.has(f))) break;
    level = name;
  }
  return level;
}

/**
 * This node's platform in OCI terms, from Node's process.arch (x64 → amd64 at the level `cpuFlags` give, arm with its
 * arm_version, arm64 v8).
 */
export function nodePlatform(
  arch: string = process.arch,
  cpuFlags: readonly string[] = arch === "x64" ? hostCpuFlags() : [],
  armVersion: unknown = process.config.variables["arm_version" as keyof typeof process.config.variables],
): Platform {
  const map: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };
  const architecture = map[arch] ?? arch;
  if (architecture === "amd64") return { os: "linux", architecture, variant: amd64Level(cpuFlags) };
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

/** containerd's Normalize: canonical os, architecture and variant. */
export function normalizePlatform(p: Platform): Platform {
  let arch = p.architecture.toLowerCase();
  let variant = (p.variant ?? "").toLowerCase();
  switch (arch) {
    case "i386":
      arch = "386";
      variant = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      arch = "amd64";
      if (variant === "v1") variant = "";
      break;
    case "aarch64":
    case "arm64":
      arch = "arm64";
      if (variant === "8" || variant === "v8") variant = "";
      break;
    case "armhf":
      arch = "arm";
      variant = "v7";
      break;
    case "armel":
      arch = "arm";
      variant = "v6";
      break;
    case "arm":
      if (variant === "" || variant === "7") variant = "v7";
      else if (["5", "6", "8"].includes(variant)) variant = `v${variant}`;
      break;
  }
  const os = p.os.toLowerCase() === "macos" ? "darwin" : p.os.toLowerCase();
  const { variant: _, ...rest } = p;
  return { ...rest, os, architecture: arch, ...(variant ? { variant } : {}) };
}

/** containerd's platformVector: the platforms a node of `want` (normalised) runs, best first. */
export function acceptedPlatforms(want: Platform): Platform[] {
  const base = { os: want.os };
  const out: Platform[] = [want];
  const num = (v: string | undefined, prefix = "v") => (v && v.startsWith(prefix) && /^\d+$/.test(v.slice(prefix.length)) ? Number(v.slice(prefix.length)) : NaN);
  switch (want.architecture) {
    case "amd64": {
      const n = num(want.variant);
      for (let v = n - 1; v >= 1; v--) out.push({ ...base, architecture: "amd64", variant: `v${v}` });
      out.push({ ...base, architecture: "386" });
      break;
    }
    case "arm": {
      const n = num(want.variant);
      for (let v = n - 1; v >= 5; v--) out.push({ ...base, architecture: "arm", variant: `v${v}` });
      break;
    }
    case "arm64": {
      let variant = want.variant || "v8";
      const [majorPart, minorPart] = variant.split(".");
      let major = num(majorPart);
      if (major >= 8) {
        let minor = variant.length === 4 && minorPart !== undefined && /^\d+$/.test(minorPart) ? Number(minorPart) : 0;
        const sub = (m: number, k: number) => (k === 0 ? `v${m}` : `v${m}.${k}`);
        if (major === 9) {
          for (let k = minor - 1; k >= 0; k--) out.push({ ...base, architecture: "arm64", variant: sub(9, k) });
          minor += 5; // v9.0 diverged from v8.5
          major = 8;
          out.push({ ...base, architecture: "arm64", variant: `v8.${minor}` });
        }
        for (let k = minor - 1; k >= 0; k--) out.push({ ...base, architecture: "arm64", variant: sub(major, k) });
      }
      if (variant.startsWith("v8.") || variant.startsWith("v9.")) variant = "v8";
      out.push(...acceptedPlatforms({ ...base, architecture: "arm", variant }));
      break;
    }
  }
  return out.map(normalizePlatform);
}

/** Whether index entry platform `entry` is `want` (both normalised as containerd's matcher does). */
function matches(want: Platform, entry: Platform): boolean {
  const e = normalizePlatform(entry);
  if (e.os !== want.os || e.architecture !== want.architecture || (e.variant ?? "") !== (want.variant ?? "")) return false;
  // os.version: compared on Windows only. os.features: the entry's must be a subset of the node's (which are none).
  const features = e["os.features"] ?? [];
  return features.every((f) => (want["os.features"] ?? []).includes(f));
}

/**
 * The index entry for `want`, or an Error listing what the index offers. Among entries that match, the best-ranked
 * platform wins; among equals, the first.
 */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const ranked = acceptedPlatforms(normalizePlatform(want));
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of manifests) {
    if (!IMAGE_MANIFEST_TYPES.has(d.mediaType) || isAttestation(d) || !d.platform) continue;
    const rank = ranked.findIndex((p) => matches(p, d.platform!));
    if (rank < 0) continue;
    if (!best || rank < best.rank) best = { d, rank };
  }
  if (best) return best.d;
  const offered = manifests
    .filter((d) => d.platform && !isAttestation(d))
    .map((d) => formatPlatform(d.platform as Platform));
  throw new Error(`no image for platform ${formatPlatform(want)} in the index (it has: ${offered.length ? [...new Set(offered)].join(", ") : "no platforms"})`);
}
