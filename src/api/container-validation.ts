/**
 * Validation of a pod's containers (validateContainerCommon, validateContainers, validateInitContainers,
 * validateContainerPorts, ValidateEnv, ValidateSecurityContext in pkg/apis/core/validation/validation.go).
 */
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  notSupported,
  required,
  type ErrorList,
} from "./field.js";
import { isCapabilityName, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidGroupID, isValidPortName, isValidPortNum, isValidUserID } from "./names.js";
import { validateLifecycle, validateProbeOfKind } from "./probe-validation.js";
import { validateResourceRequirements } from "./resource-validation.js";
import type { Container, ContainerPort, EnvVar, SecurityContext, Volume } from "./types.js";
import { validateKeySelector, validateLocalDescendingPath, validateVolumeDevices, validateVolumeMounts, validateResourceFieldRef } from "./volume-validation.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const ENV_FIELD_PATHS = [
  "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
  "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
];

/** What every container check needs to know about the pod around it. */
export interface PodContext {
  volumes: Map<string, Volume>;
  gracePeriod: number | undefined;
  /** false when the pod runs in its own user namespace (spec.hostUsers: false). */
  hostUsers: boolean;
}

function validatePorts(ports: ContainerPort[] | undefined, path: string): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  for (const [i, port] of (ports ?? []).entries()) {
    const p = index(path, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...invalidEach(child(p, "name"), port.name, msgs));
      else if (names.has(port.name)) errs.push(duplicate(child(p, "name"), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(child(p, "containerPort")));
    else errs.push(...invalidEach(child(p, "containerPort"), port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errs.push(...invalidEach(child(p, "hostPort"), port.hostPort, isValidPortNum(port.hostPort)));
    if (!port.protocol) errs.push(required(child(p, "protocol")));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(child(p, "protocol"), port.protocol, PROTOCOLS));
  }
  return errs;
}

function validateValueFrom(ev: EnvVar, path: string): ErrorList {
  const from = ev.valueFrom;
  if (!from) return [];
  const errs: ErrorList = [];
  const sources = (["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"] as const).filter((k) => from[k]);
  if (from.fieldRef) {
    const fp = from.fieldRef.fieldPath;
    if (!fp) errs.push(required(child(path, "fieldRef", "fieldPath")));
    else if (!ENV_FIELD_PATHS.includes(fp) && !/^metadata\.(labels|annotations)\['.+'\]$/.test(fp)) {
      errs.push(notSupported(child(path, "fieldRef", "fieldPath"), fp, ENV_FIELD_PATHS));
    }
  }
  if (from.resourceFieldRef) errs.push(...validateResourceFieldRef(from.resourceFieldRef, child(path, "resourceFieldRef"), false));
  if (from.configMapKeyRef) errs.push(...validateKeySelector(from.configMapKeyRef, child(path, "configMapKeyRef")));
  if (from.secretKeyRef) errs.push(...validateKeySelector(from.secretKeyRef, child(path, "secretKeyRef")));
  if (sources.length === 0) {
    errs.push(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  } else if (ev.value) {
    errs.push(invalid(path, "", "may not be specified when `value` is not empty"));
  } else if (sources.length > 1) {
    errs.push(invalid(path, "", "may not have more than one field specified at a time"));
  }
  return errs;
}

function validateEnv(c: Container, path: string): ErrorList {
  const errs: ErrorList = [];
  for (const [i, ev] of (c.env ?? []).entries()) {
    const p = index(child(path, "env"), i);
    if (!ev.name) errs.push(required(child(p, "name")));
    else errs.push(...invalidEach(child(p, "name"), ev.name, isEnvVarName(ev.name)));
    errs.push(...validateValueFrom(ev, child(p, "valueFrom")));
  }
  for (const [i, ef] of (c.envFrom ?? []).entries()) {
    const p = index(child(path, "envFrom"), i);
    if (ef.prefix) errs.push(...invalidEach(child(p, "prefix"), ef.prefix, isEnvVarName(ef.prefix)));
    const refs = (["configMapRef", "secretRef"] as const).filter((k) => ef[k]);
    for (const k of refs) {
      const name = ef[k]!.name;
      if (!name) errs.push(required(child(p, k, "name")));
      else errs.push(...invalidEach(child(p, k, "name"), name, isDNS1123Subdomain(name)));
    }
    if (refs.length === 0) errs.push(invalid(child(path, "envFrom"), "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (refs.length > 1) errs.push(invalid(child(path, "envFrom"), "", "may not have more than one field specified at a time"));
  }
  return errs;
}

/** seccompProfile of a pod or container: a known type, and a relative profile path exactly for Localhost. */
export function validateSeccompProfile(sp: { type?: string; localhostProfile?: string } | undefined, path: string): ErrorList {
  if (!sp) return [];
  const types = ["Localhost", "RuntimeDefault", "Unconfined"];
  const errs: ErrorList = [];
  if (!sp.type) errs.push(required(child(path, "type"), "type is required when seccompProfile is set"));
  else if (!types.includes(sp.type)) errs.push(notSupported(child(path, "type"), sp.type, types));
  if (sp.type === "Localhost") {
    if (sp.localhostProfile === undefined) errs.push(required(child(path, "localhostProfile"), "must be set when seccomp type is Localhost"));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, child(path, "localhostProfile")));
  } else if (sp.localhostProfile !== undefined) {
    errs.push(invalid(child(path, "localhostProfile"), sp, "can only be set when seccomp type is Localhost"));
  }
  return errs;
}

/** ValidateSecurityContext, plus capability names (nodelet is the runtime that must apply them). */
export function validateSecurityContext(sc: SecurityContext | undefined, hostUsers: boolean, path: string): ErrorList {
  if (!sc) return [];
  const errs: ErrorList = [];
  if (sc.runAsUser !== undefined) errs.push(...invalidEach(child(path, "runAsUser"), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup !== undefined) errs.push(...invalidEach(child(path, "runAsGroup"), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  if (sc.procMount !== undefined) {
    if (sc.procMount !== "Default" && sc.procMount !== "Unmasked") {
      errs.push(notSupported(child(path, "procMount"), sc.procMount, ["Default", "Unmasked"]));
    } else if (sc.procMount === "Unmasked" && hostUsers) {
      errs.push(invalid(child(path, "procMount"), sc.procMount, "`hostUsers` must be false to use `Unmasked`"));
    }
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, child(path, "seccompProfile")));
  for (const list of ["add", "drop"] as const) {
    for (const [i, cap] of (sc.capabilities?.[list] ?? []).entries()) {
      errs.push(...invalidEach(index(child(path, "capabilities", list), i), cap, isCapabilityName(cap)));
    }
  }
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged) errs.push(invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    if ((sc.capabilities?.add ?? []).includes("CAP_SYS_ADMIN")) {
      errs.push(invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
    }
  }
  return errs;
}

/** The checks shared by init, app and ephemeral containers. */
export function validateContainerCommon(c: Container, ctx: PodContext, path: string): ErrorList {
  const errs: ErrorList = [];
  if (!c.name) errs.push(required(child(path, "name")));
  else errs.push(...invalidEach(child(path, "name"), c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(required(child(path, "image")));
  else if (c.image.trim() !== c.image) errs.push(invalid(child(path, "image"), c.image, "must not have leading or trailing whitespace"));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(child(path, "terminationMessagePolicy")));
  else if (tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    errs.push(notSupported(child(path, "terminationMessagePolicy"), tmp, ["File", "FallbackToLogsOnError"]));
  }
  if (c.workingDir !== undefined && c.workingDir !== "" && !c.workingDir.startsWith("/")) {
    errs.push(invalid(child(path, "workingDir"), c.workingDir, "must be an absolute path"));
  }
  errs.push(...validatePorts(c.ports, child(path, "ports")));
  errs.push(...validateEnv(c, path));
  errs.push(...validateVolumeMounts(c, ctx.volumes, child(path, "volumeMounts")));
  errs.push(...validateVolumeDevices(c, ctx.volumes, child(path, "volumeDevices")));
  if (!c.imagePullPolicy) errs.push(required(child(path, "imagePullPolicy")));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(child(path, "imagePullPolicy"), c.imagePullPolicy, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, child(path, "resources")));
  errs.push(...validateSecurityContext(c.securityContext, ctx.hostUsers, child(path, "securityContext")));
  return errs;
}

function validateProbesAndLifecycle(c: Container, grace: number | undefined, path: string): ErrorList {
  const errs: ErrorList = [];
  if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, grace, child(path, "lifecycle")));
  for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
    errs.push(...validateProbeOfKind(kind, c[kind], grace, child(path, kind)));
  }
  return errs;
}

/** Host ports must not collide (same protocol, host IP and port) within the given containers. */
export function checkHostPortConflicts(containers: Container[], path: string, first = 0): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  for (const [n, c] of containers.entries()) {
    const ci = first + n;
    for (const [pi, port] of (c.ports ?? []).entries()) {
      if (!port.hostPort) continue;
      const id = `${port.protocol ?? ""}/${port.hostIP ?? ""}/${port.hostPort}`;
      if (seen.has(id)) errs.push(duplicate(child(index(child(index(path, ci), "ports"), pi), "hostPort"), id));
      else seen.add(id);
    }
  }
  return errs;
}

/** App containers: at least one, unique names, probes and lifecycle allowed, restartPolicy not allowed. */
export function validateContainers(containers: Container[] | undefined, ctx: PodContext, path: string): ErrorList {
  if (!containers || containers.length === 0) return [required(path)];
  const errs: ErrorList = [];
  const names = new Set<string>();
  for (const [i, c] of containers.entries()) {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(duplicate(child(p, "name"), c.name));
    else names.add(c.name);
    errs.push(...validateProbesAndLifecycle(c, ctx.gracePeriod, p));
    if (c.restartPolicy !== undefined) errs.push(forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"));
  }
  return [...errs, ...checkHostPortConflicts(containers, path)];
}

const INIT_ONLY = "may not be set for init containers without restartPolicy=Always";

/**
 * Init containers: names unique across init and app containers; `restartPolicy: Always` makes a sidecar, the only
 * kind of init container that may have probes or lifecycle handlers.
 */
export function validateInitContainers(inits: Container[] | undefined, apps: Container[] | undefined, ctx: PodContext, path: string): ErrorList {
  const errs: ErrorList = [];
  const names = new Set((apps ?? []).map((c) => c.name));
  for (const [i, c] of (inits ?? []).entries()) {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const sidecar = c.restartPolicy === "Always";
    if (c.restartPolicy !== undefined && !sidecar) errs.push(notSupported(child(p, "restartPolicy"), c.restartPolicy, ["Always"]));
    if (names.has(c.name)) errs.push(duplicate(child(p, "name"), c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], path, i));
    if (sidecar) {
      errs.push(...validateProbesAndLifecycle(c, ctx.gracePeriod, p));
      continue;
    }
    for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] as const) {
      if (c[f] !== undefined && c[f] !== null) errs.push(forbidden(child(p, f), INIT_ONLY));
    }
  }
  return errs;
}
