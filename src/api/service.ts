/**
 * Service defaulting (SetDefaults_Service plus what the service REST storage normalises: clusterIPs from clusterIP,
 * single-stack IPv4 families) and validation (ValidateService, ValidateServiceUpdate in
 * pkg/apis/core/validation/validation.go). Allocating a clusterIP or nodePort is the API server's job with its
 * store; here only their syntax is checked, and an update that leaves them out keeps the allocated values.
 *
 * Port names are DNS-1123 labels, as Kubernetes checks them (container port names are IANA_SVC_NAMEs).
 */
import { child, duplicate, forbidden, index, invalid, invalidEach, notSupported, required, type ErrorList } from "./field.js";
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from "./names.js";
import { CIDR_ERROR, isCIDR, isIP, isIPv4, IP_ERROR, specialIPProblems } from "./ip.js";
import { validatePortNumOrName } from "./probe-validation.js";
import { strategy } from "./strategy.js";
import type { Service, ServicePort, ServiceSpec } from "./types.js";

export const DEFAULT_CLIENT_IP_TIMEOUT = 10800;
const MAX_CLIENT_IP_TIMEOUT = 86400;
export const NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];
const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function externallyAccessible(s: ServiceSpec): boolean {
  return s.type === "LoadBalancer" || s.type === "NodePort" || (s.type === "ClusterIP" && (s.externalIPs?.length ?? 0) > 0);
}

/** A LoadBalancer with externalTrafficPolicy Local has a health check node port (apiservice.NeedsHealthCheck). */
export function needsHealthCheck(s: ServiceSpec): boolean {
  return s.type === "LoadBalancer" && s.externalTrafficPolicy === "Local";
}

function isHeadless(s: ServiceSpec): boolean {
  return s.clusterIPs?.length === 1 && s.clusterIPs[0] === "None";
}

export function setServiceDefaults(svc: Service): void {
  const s = (svc.spec ??= {});
  if (!s.sessionAffinity) s.sessionAffinity = "None";
  if (s.sessionAffinity === "None") delete s.sessionAffinityConfig;
  if (s.sessionAffinity === "ClientIP" && s.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  if (!s.type) s.type = "ClusterIP";
  for (const p of s.ports ?? []) {
    if (!p.protocol) p.protocol = "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (externallyAccessible(s) && !s.externalTrafficPolicy) s.externalTrafficPolicy = "Cluster";
  if (!s.internalTrafficPolicy && s.type !== "ExternalName") s.internalTrafficPolicy = "Cluster";
  if (s.type === "LoadBalancer" && s.allocateLoadBalancerNodePorts === undefined) s.allocateLoadBalancerNodePorts = true;
  if (s.type === "ExternalName") return;
  if (s.clusterIP && !s.clusterIPs?.length) s.clusterIPs = [s.clusterIP];
  if (!s.clusterIP && s.clusterIPs?.length) s.clusterIP = s.clusterIPs[0];
  if (!s.ipFamilies?.length) s.ipFamilies = ["IPv4"];
  if (!s.ipFamilyPolicy) s.ipFamilyPolicy = "SingleStack";
}

/**
 * On update, values the API server allocated (clusterIP, nodePorts, healthCheckNodePort) survive a client that
 * leaves them out; a service that stops needing its health check node port, without changing it, drops it (the
 * strategy's dropTypeDependentFields), which releases it.
 */
function keepAllocated(svc: Service, old: Service): void {
  const s = svc.spec;
  const o = old.spec;
  if (!s || !o) return;
  if (needsHealthCheck(o) && needsHealthCheck(s) && !s.healthCheckNodePort && o.healthCheckNodePort) s.healthCheckNodePort = o.healthCheckNodePort;
  if (needsHealthCheck(o) && !needsHealthCheck(s) && s.healthCheckNodePort === o.healthCheckNodePort) delete s.healthCheckNodePort;
  if (s.type === "ExternalName" || o.type === "ExternalName") return;
  if (!s.clusterIP && o.clusterIP) {
    s.clusterIP = o.clusterIP;
    s.clusterIPs = o.clusterIPs ?? [o.clusterIP];
  }
  const needsNodePort = (t?: string): boolean => t === "NodePort" || t === "LoadBalancer";
  if (!needsNodePort(s.type) || !needsNodePort(o.type)) return;
  for (const p of s.ports ?? []) {
    if (p.nodePort) continue;
    const match = o.ports?.find((q) => q.port === p.port && (q.protocol ?? "TCP") === (p.protocol ?? "TCP"));
    if (match?.nodePort) p.nodePort = match.nodePort;
  }
}

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, s: ServiceSpec, path: string): ErrorList {
  const errs: ErrorList = [];
  if (requireName && !sp.name) errs.push(required(child(path, "name")));
  else if (sp.name) {
    errs.push(...invalidEach(child(path, "name"), sp.name, isDNS1123Label(sp.name)));
    if (names.has(sp.name)) errs.push(duplicate(child(path, "name"), sp.name));
    names.add(sp.name);
  }
  errs.push(...invalidEach(child(path, "port"), sp.port ?? 0, isValidPortNum(sp.port ?? 0)));
  if (!sp.protocol) errs.push(required(child(path, "protocol")));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(child(path, "protocol"), sp.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, child(path, "targetPort")));
  if (sp.appProtocol) errs.push(...invalidEach(child(path, "appProtocol"), sp.appProtocol, isQualifiedName(sp.appProtocol)));
  if (sp.nodePort) {
    if (s.type === "ClusterIP" || s.type === "ExternalName") {
      errs.push(forbidden(child(path, "nodePort"), `may not be used when \`type\` is '${s.type}'`));
    } else if (sp.nodePort < NODE_PORT_RANGE[0] || sp.nodePort > NODE_PORT_RANGE[1]) {
      const detail = `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE[0]}-${NODE_PORT_RANGE[1]}`;
      errs.push(invalid(child(path, "nodePort"), sp.nodePort, detail));
    }
  }
  return errs;
}

function validatePorts(s: ServiceSpec): ErrorList {
  const errs: ErrorList = [];
  const ports = s.ports ?? [];
  if (ports.length === 0 && !isHeadless(s) && s.type !== "ExternalName") errs.push(required("spec.ports"));
  const names = new Set<string>();
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const path = index("spec.ports", i);
    errs.push(...validatePort(p, ports.length > 1, names, s, path));
    const id = `${p.protocol}/${p.port}`;
    if (seen.has(id)) errs.push(duplicate(path, { protocol: p.protocol, port: p.port }));
    seen.add(id);
    const np = `${p.protocol}/${p.nodePort}`;
    if (p.nodePort && nodePorts.has(np)) errs.push(duplicate(child(path, "nodePort"), p.nodePort));
    if (p.nodePort) nodePorts.add(np);
  });
  return errs;
}

function validateClusterIPs(s: ServiceSpec): ErrorList {
  if (s.type === "ExternalName") {
    const errs: ErrorList = [];
    if (s.clusterIPs?.length || s.clusterIP) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (s.ipFamilies?.length) errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (s.ipFamilyPolicy) errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    const cname = (s.externalName ?? "").replace(/\.$/, "");
    if (!cname) errs.push(required("spec.externalName"));
    else errs.push(...invalidEach("spec.externalName", cname, isDNS1123Subdomain(cname)));
    return errs;
  }
  const errs: ErrorList = [];
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP && ips[0] !== s.clusterIP) errs.push(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
  if (!s.clusterIP && ips.length) errs.push(invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) errs.push(invalid("spec.clusterIPs", ips, "'None' must be the first and only value"));
    } else if (!isIP(ip)) errs.push(invalid(index("spec.clusterIPs", i), ip, IP_ERROR));
    else if (!isIPv4(ip)) errs.push(invalid(index("spec.clusterIPs", i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
  });
  if (isHeadless(s) && (s.type === "NodePort" || s.type === "LoadBalancer")) {
    errs.push(invalid("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${s.type} services`));
  }
  (s.ipFamilies ?? []).forEach((f, i) => f === "IPv4" || f === "IPv6" || errs.push(notSupported(index("spec.ipFamilies", i), f, ["IPv4", "IPv6"])));
  const policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
  if (s.ipFamilyPolicy && !policies.includes(s.ipFamilyPolicy)) errs.push(notSupported("spec.ipFamilyPolicy", s.ipFamilyPolicy, policies));
  return errs;
}

function validateAffinityAndPolicies(s: ServiceSpec): ErrorList {
  const errs: ErrorList = [];
  if (!s.sessionAffinity) errs.push(required("spec.sessionAffinity"));
  else if (s.sessionAffinity !== "ClientIP" && s.sessionAffinity !== "None") {
    errs.push(notSupported("spec.sessionAffinity", s.sessionAffinity, ["ClientIP", "None"]));
  }
  const timeout = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (s.sessionAffinity === "ClientIP") {
    if (timeout === undefined) errs.push(required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", "when session affinity type is ClientIP"));
    else if (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT) {
      errs.push(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`));
    }
  } else if (s.sessionAffinity === "None" && s.sessionAffinityConfig) {
    errs.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  if (!s.type) errs.push(required("spec.type"));
  else if (!TYPES.includes(s.type)) errs.push(notSupported("spec.type", s.type, TYPES));
  if (!externallyAccessible(s)) {
    if (s.externalTrafficPolicy) errs.push(invalid("spec.externalTrafficPolicy", s.externalTrafficPolicy, "may only be set for externally-accessible services"));
  } else if (!s.externalTrafficPolicy) errs.push(required("spec.externalTrafficPolicy"));
  else if (s.externalTrafficPolicy !== "Cluster" && s.externalTrafficPolicy !== "Local") {
    errs.push(notSupported("spec.externalTrafficPolicy", s.externalTrafficPolicy, ["Cluster", "Local"]));
  }
  if (!s.internalTrafficPolicy && s.type !== "ExternalName") errs.push(required("spec.internalTrafficPolicy"));
  else if (s.internalTrafficPolicy && s.internalTrafficPolicy !== "Cluster" && s.internalTrafficPolicy !== "Local") {
    errs.push(notSupported("spec.internalTrafficPolicy", s.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  errs.push(...validateHealthCheckNodePort(s), ...validateSourceRanges(s));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const p = index("spec.externalIPs", i);
    if (!isIP(ip)) errs.push(invalid(p, ip, IP_ERROR));
    else errs.push(...invalidEach(p, ip, specialIPProblems(ip)));
  });
  return errs;
}

/**
 * ValidateService's healthCheckNodePort rules. A needed port left out is not an error here: the allocation hook,
 * which runs after validation, fills it in (upstream allocates before validating).
 */
function validateHealthCheckNodePort(s: ServiceSpec): ErrorList {
  const port = s.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(s)) {
    return port !== 0 ? [invalid("spec.healthCheckNodePort", port, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'")] : [];
  }
  if (port < 0) return [required("spec.healthCheckNodePort")];
  return port === 0 ? [] : invalidEach("spec.healthCheckNodePort", port, isValidPortNum(port));
}

/** ValidateService's loadBalancerSourceRanges (its field path keeps upstream's historical capital L; values may be space-padded). */
function validateSourceRanges(s: ServiceSpec): ErrorList {
  const ranges = s.loadBalancerSourceRanges ?? [];
  if (ranges.length === 0) return [];
  const errs: ErrorList = [];
  if (s.type !== "LoadBalancer") errs.push(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
  ranges.forEach((r, i) => isCIDR(r.trim()) || errs.push(invalid(index("spec.LoadBalancerSourceRanges", i), r.trim(), CIDR_ERROR)));
  return errs;
}

export function validateService(svc: Service): ErrorList {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const s = svc.spec ?? {};
  errs.push(...validatePorts(s));
  if (s.selector) errs.push(...validateLabels(s.selector, "spec.selector"));
  errs.push(...validateAffinityAndPolicies(s));
  errs.push(...validateClusterIPs(s));
  return errs;
}

/** The cluster IP may not change once allocated (unless the service is or becomes ExternalName). */
export function validateServiceUpdate(svc: Service, old: Service): ErrorList {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const s = svc.spec ?? {};
  const o = old.spec ?? {};
  if (s.type !== "ExternalName" && o.type !== "ExternalName" && o.clusterIP && s.clusterIP !== o.clusterIP) {
    errs.push(invalid("spec.clusterIPs[0]", s.clusterIPs ?? [], "may not change once set"));
  }
  // validateServiceExternalTrafficFieldsUpdate (a service stored before it had one may get one).
  if (needsHealthCheck(o) && needsHealthCheck(s) && o.healthCheckNodePort && s.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(forbidden("spec.healthCheckNodePort", "field is immutable"));
  }
  return [...errs, ...validateService(svc)];
}

export const serviceStrategy = strategy<Service>({
  hasStatus: true,
  defaults: setServiceDefaults,
  prepareForCreate: (svc) => {
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate: keepAllocated,
  validateCreate: validateService,
  validateUpdate: validateServiceUpdate,
});
