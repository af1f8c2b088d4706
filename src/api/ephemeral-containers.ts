/**
 * Ephemeral containers (kubectl debug): added to a running pod only through the pods/ephemeralcontainers
 * subresource, never removed or changed once added, and restricted to what a debugging tool needs. The rules of
 * validateEphemeralContainers and ValidatePodEphemeralContainersUpdate in pkg/apis/core/validation/validation.go, and
 * the subresource's PrepareForUpdate (dropNonEphemeralContainerUpdates in pkg/registry/core/pod/strategy.go).
 */
import { validateContainerCommon, type PodContext } from "./container-validation.js";
import { child, duplicate, forbidden, index, notFound, type ErrorList } from "./field.js";
import { clone, describeDiff, semanticEqual } from "./json.js";
import type { Container, EphemeralContainer, Pod, PodSpec } from "./types.js";

const NOT_FOR_EPHEMERAL = "cannot be set for an Ephemeral Container";

/** Fields upstream's allowedEphemeralContainerFields marks false: set to anything but their zero value is Forbidden. */
const DISALLOWED = ["ports", "resources", "resizePolicy", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "restartPolicy"] as const;

/** Go's zero value of the field (an empty ResourceRequirements struct is zero; empty lists are nil after decoding). */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).every(isZero);
  return false;
}

/** validateEphemeralContainers: names unique across all containers, a target that is a regular or init container. */
export function validateEphemeralContainers(spec: PodSpec, ctx: PodContext, path: string): ErrorList {
  const ephemeral = spec.ephemeralContainers ?? [];
  if (ephemeral.length === 0) return [];
  const others = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name));
  const all = new Set(others);
  const errs: ErrorList = [];
  for (const [i, ec] of ephemeral.entries()) {
    const p = index(path, i);
    errs.push(...validateContainerCommon(ec, ctx, p));
    if (all.has(ec.name)) errs.push(duplicate(child(p, "name"), ec.name));
    else all.add(ec.name);
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) errs.push(notFound(child(p, "targetContainerName"), ec.targetContainerName));
    const fields = ec as unknown as Record<string, unknown>;
    for (const f of DISALLOWED) if (!isZero(fields[f])) errs.push(forbidden(child(p, f), NOT_FOR_EPHEMERAL));
    for (const [j, vm] of (ec.volumeMounts ?? []).entries()) {
      const vp = index(child(p, "volumeMounts"), j);
      if (vm.subPath) errs.push(forbidden(child(vp, "subPath"), NOT_FOR_EPHEMERAL));
      if (vm.subPathExpr) errs.push(forbidden(child(vp, "subPathExpr"), NOT_FOR_EPHEMERAL));
    }
  }
  return errs;
}

const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

/**
 * The part of ValidatePodEphemeralContainersUpdate past the pod's own validation: static pods take none, and every
 * ephemeral container already there stays exactly as it is (matched by name: a patch does not keep the order).
 */
export function validateEphemeralContainersUpdate(next: Pod, prev: Pod): ErrorList {
  if (prev.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return [forbidden("", "static pods do not support ephemeral containers")];
  const path = "spec.ephemeralContainers";
  const byName = new Map((next.spec.ephemeralContainers ?? []).map((c) => [c.name, c]));
  const errs: ErrorList = [];
  for (const old of prev.spec.ephemeralContainers ?? []) {
    const now = byName.get(old.name);
    if (!now) errs.push(forbidden(path, `existing ephemeral containers "${old.name}" may not be removed\n`));
    else if (!semanticEqual(old, now)) {
      errs.push(forbidden(path, `existing ephemeral containers "${old.name}" may not be changed\n${describeDiff(old, now, old.name).join("\n")}`));
    }
  }
  return errs;
}

/** What a write to the subresource stores: the stored pod with only its ephemeral containers taken from `next`. */
export function withEphemeralContainers<T extends object>(old: T, next: T): T {
  const out = clone(old) as T & { spec?: PodSpec };
  const given = (next as T & { spec?: PodSpec }).spec?.ephemeralContainers;
  if (!out.spec) return out;
  if (given === undefined) delete out.spec.ephemeralContainers;
  else out.spec.ephemeralContainers = clone(given);
  return out;
}

/** The ephemeral container of a pod by name. */
export function ephemeralContainer(pod: Pod, name: string): EphemeralContainer | undefined {
  return pod.spec.ephemeralContainers?.find((c) => c.name === name);
}

/** Any container of the pod (app, init or ephemeral) by name: names are unique across the three lists. */
export function anyContainer(pod: Pod, name: string): Container | undefined {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])].find((c) => c.name === name);
}
