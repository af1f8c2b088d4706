/**
 * ValidatePodCreate: the metadata and spec checks the API server runs on a new (already defaulted) pod
 * (validatePodMetadataAndSpec and ValidatePodSpec in pkg/apis/core/validation/validation.go). Every problem is
 * reported, each with its full field path.
 *
 * One deliberate addition: terminationGracePeriodSeconds must not be negative (Kubernetes still tolerates negative
 * values for old objects and converts them later; nodelet has no old objects).
 */
import { validateContainers, validateInitContainers, validateSeccompProfile, type PodContext } from "./container-validation.js";
import { validateEphemeralContainers } from "./ephemeral-containers.js";
import { child, duplicate, forbidden, index, invalid, invalidEach, notSupported, required, type ErrorList } from "./field.js";
import { validateLabels, validateObjectMeta } from "./meta-validation.js";
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, isValidGroupID, isValidUserID, nameIsDNSSubdomain } from "./names.js";
import { isIP, IP_ERROR } from "./ip.js";
import type { Pod, PodDNSConfig, PodSecurityContext, PodSpec, Toleration } from "./types.js";
import { validateVolumes } from "./volume-validation.js";

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const MAX_INT32 = 2147483647;
const SYSCTL = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

/** An enum field that the defaulter always fills: empty is Required, anything else must be listed. */
function validateEnum(value: string | undefined, supported: string[], path: string): ErrorList {
  if (!value) return [required(path)];
  return supported.includes(value) ? [] : [notSupported(path, value, supported)];
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): ErrorList {
  const errs: ErrorList = [];
  for (const [i, t] of (tolerations ?? []).entries()) {
    const p = index(path, i);
    if (t.key) errs.push(...invalidEach(child(p, "key"), t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== "Exists") {
      errs.push(invalid(child(p, "operator"), t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute") {
      errs.push(invalid(child(p, "effect"), t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === "Equal") {
      const msgs = isLabelValue(t.value ?? "");
      if (msgs.length) errs.push(invalid(child(p, "operator"), t.value ?? "", msgs.join(";")));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(invalid(child(p, "operator"), t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(p, "operator"), t.operator, ["Equal", "Exists"]));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(child(p, "effect"), t.effect, TAINT_EFFECTS));
  }
  return errs;
}

function validateDNSConfig(cfg: PodDNSConfig | undefined, policy: string | undefined, path: string): ErrorList {
  if (policy === "None") {
    if (!cfg) return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if (!cfg.nameservers?.length) return [required(child(path, "nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None")];
  }
  if (!cfg) return [];
  const errs: ErrorList = [];
  const ns = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(invalid(child(path, "nameservers"), ns, "must not have more than 3 nameservers"));
  ns.forEach((n, i) => isIP(n) || errs.push(invalid(index(child(path, "nameservers"), i), n, IP_ERROR)));
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(child(path, "searches"), searches, "must not have more than 32 search paths"));
  if (searches.join(" ").length > 2048) {
    errs.push(invalid(child(path, "searches"), searches, "must not have more than 2048 characters (including spaces) in the search list"));
  }
  searches.forEach((s, i) => {
    const trimmed = s.endsWith(".") ? s.slice(0, -1) : s;
    errs.push(...invalidEach(index(child(path, "searches"), i), trimmed, isDNS1123Subdomain(trimmed)));
  });
  (cfg.options ?? []).forEach((o, i) => o.name || errs.push(required(index(child(path, "options"), i), "must not be empty")));
  return errs;
}

function validatePodSecurityContext(sc: PodSecurityContext | undefined, spec: PodSpec, path: string): ErrorList {
  if (!sc) return [];
  const errs: ErrorList = [];
  if (sc.fsGroup !== undefined) errs.push(...invalidEach(child(path, "fsGroup"), sc.fsGroup, isValidGroupID(sc.fsGroup)));
  if (sc.runAsUser !== undefined) errs.push(...invalidEach(child(path, "runAsUser"), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup !== undefined) errs.push(...invalidEach(child(path, "runAsGroup"), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  (sc.supplementalGroups ?? []).forEach((g, i) =>
    errs.push(...invalidEach(index(child(path, "supplementalGroups"), i), g, isValidGroupID(g))),
  );
  if (spec.shareProcessNamespace && spec.hostPID) {
    errs.push(invalid(child(path, "shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  const seen = new Set<string>();
  (sc.sysctls ?? []).forEach((s, i) => {
    const p = child(index(child(path, "sysctls"), i), "name");
    if (!s.name) errs.push(required(p));
    else if (s.name.length > 253 || !SYSCTL.test(s.name)) errs.push(invalid(p, s.name, `must have at most 253 characters and match regex ${SYSCTL.source}`));
    else if (seen.has(s.name)) errs.push(duplicate(p, s.name));
    seen.add(s.name);
  });
  return [...errs, ...validateSeccompProfile(sc.seccompProfile, child(path, "seccompProfile"))];
}

/** With host networking a pod's host ports are its container ports. */
function validateHostNetwork(spec: PodSpec, path: string): ErrorList {
  if (!spec.hostNetwork) return [];
  const errs: ErrorList = [];
  spec.containers?.forEach((c, ci) =>
    (c.ports ?? []).forEach((port, pi) => {
      if (port.hostPort !== port.containerPort) {
        const p = child(index(child(index(child(path, "containers"), ci), "ports"), pi), "hostPort");
        errs.push(invalid(p, port.hostPort ?? 0, "must match `containerPort` when `hostNetwork` is true"));
      }
    }),
  );
  return errs;
}

function validateOptionalNames(spec: PodSpec, path: string): ErrorList {
  const errs: ErrorList = [];
  const subdomainFields = ["serviceAccountName", "nodeName", "priorityClassName"] as const;
  for (const f of subdomainFields) {
    const v = spec[f];
    if (v) errs.push(...invalidEach(child(path, f), v, isDNS1123Subdomain(v)));
  }
  for (const f of ["hostname", "subdomain"] as const) {
    const v = spec[f];
    if (v) errs.push(...invalidEach(child(path, f), v, isDNS1123Label(v)));
  }
  (spec.readinessGates ?? []).forEach((g, i) =>
    errs.push(...invalidEach(child(index(child(path, "readinessGates"), i), "conditionType"), g.conditionType, isQualifiedName(g.conditionType ?? ""))),
  );
  (spec.hostAliases ?? []).forEach((a, i) => {
    const p = index(child(path, "hostAliases"), i);
    if (!isIP(a.ip ?? "")) errs.push(invalid(child(p, "ip"), a.ip ?? "", IP_ERROR));
    (a.hostnames ?? []).forEach((h, j) => errs.push(...invalidEach(index(child(p, "hostnames"), j), h, isDNS1123Subdomain(h))));
  });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== "name")) errs.push(invalid(index(child(path, "imagePullSecrets"), i), s, "only name may be set"));
  });
  return errs;
}

function validateTimes(spec: PodSpec, path: string): ErrorList {
  const errs: ErrorList = [];
  const tgps = spec.terminationGracePeriodSeconds;
  if (tgps === undefined || tgps === null) errs.push(required(child(path, "terminationGracePeriodSeconds")));
  else if (tgps < 0) errs.push(invalid(child(path, "terminationGracePeriodSeconds"), tgps, "must be greater than or equal to 0"));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(child(path, "activeDeadlineSeconds"), ads, inclusiveRangeError(1, MAX_INT32)));
  }
  return errs;
}

/** validateHostUsers: a pod in its own user namespace shares no namespace with the host (Kubernetes' rule). */
function validateHostUsers(spec: PodSpec, path: string): ErrorList {
  if (spec.hostUsers !== false) return [];
  const errs: ErrorList = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[f] === true) errs.push(forbidden(child(path, f), "when `pod.Spec.HostUsers` is false"));
  }
  return errs;
}

/** ValidatePodSpec on a defaulted spec. */
export function validatePodSpec(spec: PodSpec, path = "spec"): ErrorList {
  const { names: volumes, errs } = validateVolumes(spec.volumes, child(path, "volumes"));
  const ctx: PodContext = { volumes, gracePeriod: spec.terminationGracePeriodSeconds ?? undefined, hostUsers: spec.hostUsers !== false };
  errs.push(...validateTimes(spec, path));
  errs.push(...validateContainers(spec.containers, ctx, child(path, "containers")));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, child(path, "initContainers")));
  errs.push(...validateEphemeralContainers(spec, ctx, child(path, "ephemeralContainers")));
  errs.push(...validateHostNetwork(spec, path));
  errs.push(...validateHostUsers(spec, path));
  errs.push(...validateEnum(spec.restartPolicy, RESTART_POLICIES, child(path, "restartPolicy")));
  errs.push(...validateEnum(spec.dnsPolicy, DNS_POLICIES, child(path, "dnsPolicy")));
  errs.push(...validateLabels(spec.nodeSelector, child(path, "nodeSelector")));
  errs.push(...validatePodSecurityContext(spec.securityContext, spec, child(path, "securityContext")));
  errs.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, child(path, "dnsConfig")));
  errs.push(...validateOptionalNames(spec, path));
  errs.push(...validateTolerations(spec.tolerations, child(path, "tolerations")));
  return errs;
}

/** ValidatePodCreate: metadata, spec, and no ephemeral containers (those come through their own subresource). */
export function validatePodCreate(pod: Pod): ErrorList {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain);
  if (!pod.spec) return [...errs, required("spec")];
  errs.push(...validatePodSpec(pod.spec));
  if (pod.spec.ephemeralContainers?.length) errs.push(forbidden("spec.ephemeralContainers", "cannot be set on create"));
  return errs;
}
