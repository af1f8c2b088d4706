/**
 * Pod Security Admission's policy of a namespace (k8s.io/pod-security-admission/api): the
 * `pod-security.kubernetes.io/{enforce,audit,warn}` labels and their `-version` labels, each mode falling back to the
 * node's default (`--pod-security-default`) when unlabelled; and the evaluation of a pod against one mode's level and
 * version, aggregated as upstream words it: `reason (detail), reason (detail)`. Pure.
 */
import type { FieldError } from "../../api/errors.js";
import { invalid } from "../../api/field.js";
import type { KubeObject, PodSpec } from "../../api/types.js";
import { checksFor, LATEST_MINOR, type Level } from "./checks.js";

export const LABEL_PREFIX = "pod-security.kubernetes.io/";
export const MODES = ["enforce", "audit", "warn"] as const;
export type Mode = (typeof MODES)[number];
const LEVELS: Level[] = ["privileged", "baseline", "restricted"];

/** A level at a version ("latest" or "v1.N"). */
export interface LevelVersion {
  level: Level;
  version: string;
}

export type NamespacePolicy = Record<Mode, LevelVersion>;

export const PRIVILEGED: LevelVersion = { level: "privileged", version: "latest" };
export const DEFAULT_POLICY: NamespacePolicy = { enforce: PRIVILEGED, audit: PRIVILEGED, warn: PRIVILEGED };

/** `restricted:latest`, as upstream prints a LevelVersion. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

export function parseLevel(value: string): Level | undefined {
  return LEVELS.find((l) => l === value);
}

/** "latest" or "v1.N"; anything else is undefined. */
export function parseVersion(value: string): string | undefined {
  if (value === "latest") return value;
  return /^v1\.(0|[1-9][0-9]{0,2})$/.test(value) ? value : undefined;
}

function minorOf(version: string): number {
  return version === "latest" ? LATEST_MINOR : Number(version.slice(3));
}

/**
 * The policy of a namespace from its labels over `defaults` (PolicyToEvaluate). A bad enforce level is restricted and
 * a bad version latest (fail closed); a bad audit or warn level is privileged (fail open); the errors name the labels.
 * An explicit enforce level stricter than warn's also becomes warn's, with its version unless warn names one.
 */
export function namespacePolicy(labels: Record<string, string> | undefined, defaults: NamespacePolicy): { policy: NamespacePolicy; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const policy: NamespacePolicy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  if (!labels) return { policy, errors };
  const bad = (label: string, value: string, why: string) => errors.push(invalid(`metadata.labels[${label}]`, value, why));
  let explicitEnforce = false;
  for (const mode of MODES) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const level = labels[levelKey];
    if (level !== undefined) {
      const l = parseLevel(level);
      if (l) policy[mode].level = l;
      else {
        bad(levelKey, level, "must be one of privileged, baseline, restricted");
        policy[mode].level = mode === "enforce" ? "restricted" : "privileged";
      }
      if (mode === "enforce") explicitEnforce = l !== undefined;
    }
    const versionKey = `${levelKey}-version`;
    const version = labels[versionKey];
    if (version !== undefined) {
      const v = parseVersion(version);
      if (!v) bad(versionKey, version, 'must be "latest" or "v1.x"');
      policy[mode].version = v ?? "latest";
    }
  }
  const rank = (l: Level) => LEVELS.indexOf(l);
  if (labels[`${LABEL_PREFIX}warn`] === undefined && explicitEnforce && rank(policy.enforce.level) > rank(policy.warn.level)) {
    policy.warn.level = policy.enforce.level;
    if (labels[`${LABEL_PREFIX}warn-version`] === undefined) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}

/**
 * `--pod-security-default`: `LEVEL[:VERSION]` for enforce alone, or `MODE=LEVEL[:VERSION],...` for any of enforce,
 * audit and warn (unnamed modes stay privileged). A bad value throws, naming it.
 */
export function parseDefaultPolicy(value: string): NamespacePolicy {
  const out: NamespacePolicy = { ...DEFAULT_POLICY };
  const parseLv = (text: string): LevelVersion => {
    const [l, v = "latest", ...rest] = text.split(":");
    const level = parseLevel(l);
    const version = parseVersion(v);
    if (!level || !version || rest.length) throw new Error(`--pod-security-default: ${JSON.stringify(text)} is not LEVEL[:VERSION] (levels privileged, baseline, restricted; versions latest or v1.N)`);
    return { level, version };
  };
  const parts = value.split(",").map((p) => p.trim()).filter(Boolean);
  if (parts.length === 1 && !parts[0].includes("=")) return { ...out, enforce: parseLv(parts[0]) };
  for (const part of parts) {
    const eq = part.indexOf("=");
    const mode = part.slice(0, eq) as Mode;
    if (eq < 0 || !MODES.includes(mode)) throw new Error(`--pod-security-default: ${JSON.stringify(part)} is not MODE=LEVEL[:VERSION] with MODE enforce, audit or warn`);
    out[mode] = parseLv(part.slice(eq + 1));
  }
  return out;
}

/** The aggregated violations of a pod at `lv` (ForbiddenDetail), or undefined when it complies. */
export function evaluatePod(lv: LevelVersion, meta: KubeObject["metadata"], spec: PodSpec): string | undefined {
  const parts: string[] = [];
  for (const check of checksFor(lv.level, minorOf(lv.version))) {
    const r = check.run(meta, spec);
    if (r) parts.push(r.detail ? `${r.reason} (${r.detail})` : r.reason);
  }
  return parts.length ? parts.join(", ") : undefined;
}

/** The reasons alone (ForbiddenReason), for the per-pod lines of a namespace label change. */
export function violationReasons(lv: LevelVersion, meta: KubeObject["metadata"], spec: PodSpec): string[] {
  return checksFor(lv.level, minorOf(lv.version)).flatMap((c) => {
    const r = c.run(meta, spec);
    return r ? [r.reason] : [];
  });
}
