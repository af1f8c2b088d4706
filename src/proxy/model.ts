/**
 * What every proxy mode implements, as plain data: one entry per service port (kube-proxy's ServicePortName) with
 * its virtual address, node port, affinity and ready endpoints. buildProxyState is pure: Services and
 * EndpointSlices in, sorted entries out, so renderers get the same input for the same cluster state.
 *
 * Left out, as kube-proxy leaves them out: headless and ExternalName services, services without a cluster IP, and
 * SCTP ports. Endpoints come from EndpointSlices (as kube-proxy reads them): an endpoint is used when its ready
 * condition is not false and its slice has a port of the service port's name and protocol.
 */
import type { EndpointSlice, Service } from "../api/types.js";

export type Protocol = "TCP" | "UDP";

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePortEntry {
  /** "namespace/name:portName" (portName may be empty), as kube-proxy names a service port. */
  name: string;
  namespace: string;
  service: string;
  portName: string;
  clusterIP: string;
  protocol: Protocol;
  port: number;
  nodePort?: number;
  /** sessionAffinity ClientIP: the stickiness timeout in seconds. */
  affinitySeconds?: number;
  /** Ready endpoints, sorted by address, without duplicates. */
  endpoints: Endpoint[];
}

export interface ProxyState {
  /** Sorted by name, then protocol. */
  services: ServicePortEntry[];
}

export const EMPTY_STATE: ProxyState = { services: [] };

/** Slices grouped by "namespace/service" (from the kubernetes.io/service-name label). */
export function slicesByService(slices: Iterable<EndpointSlice>): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.["kubernetes.io/service-name"];
    if (!svc || s.addressType !== "IPv4") continue;
    const key = `${s.metadata.namespace ?? "default"}/${svc}`;
    out.set(key, [...(out.get(key) ?? []), s]);
  }
  return out;
}

export function buildProxyState(services: Iterable<Service>, slices: Map<string, EndpointSlice[]>): ProxyState {
  const out: ServicePortEntry[] = [];
  for (const svc of services) out.push(...serviceEntries(svc, slices.get(`${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`) ?? []));
  out.sort(compareEntries);
  return { services: out };
}

/** The entries of one service (none for headless, ExternalName, or without a cluster IP). */
export function serviceEntries(svc: Service, slices: EndpointSlice[]): ServicePortEntry[] {
  const s = svc.spec;
  const ip = s.clusterIP;
  if (s.type === "ExternalName" || !ip || ip === "None") return [];
  const ns = svc.metadata.namespace ?? "default";
  const affinity = s.sessionAffinity === "ClientIP" ? s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined;
  const out: ServicePortEntry[] = [];
  for (const p of s.ports ?? []) {
    const protocol = p.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP") continue;
    const portName = p.name ?? "";
    out.push({
      name: `${ns}/${svc.metadata.name}:${portName}`,
      namespace: ns,
      service: svc.metadata.name ?? "",
      portName,
      clusterIP: ip,
      protocol,
      port: p.port,
      nodePort: (s.type === "NodePort" || s.type === "LoadBalancer") && p.nodePort ? p.nodePort : undefined,
      affinitySeconds: affinity,
      endpoints: readyEndpoints(slices, portName, protocol),
    });
  }
  return out;
}

function readyEndpoints(slices: EndpointSlice[], portName: string, protocol: Protocol): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const sl of slices) {
    const port = sl.ports?.find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol)?.port;
    if (!port) continue;
    for (const e of sl.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? []) seen.set(`${ip}:${port}`, { ip, port });
    }
  }
  return [...seen.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}

export function compareEntries(a: ServicePortEntry, b: ServicePortEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
}

/** "10.1.2.3" → its 32-bit number (hot: called per endpoint when rendering thousands of services). */
export function ipNumber(ip: string): number {
  let n = 0;
  let octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  return n * 256 + octet;
}

const signatures = new WeakMap<ServicePortEntry, string>();

/**
 * What a service port's rules depend on (address, ports, affinity, endpoints), for the renderers' reuse of
 * unchanged fragments; remembered per entry object, since the change tracker reuses the objects of unchanged
 * services.
 */
export function signature(s: ServicePortEntry): string {
  let sig = signatures.get(s);
  if (sig === undefined) {
    sig = `${s.clusterIP}|${s.protocol}|${s.port}|${s.nodePort ?? ""}|${s.affinitySeconds ?? ""}|${s.endpoints.map((e) => `${e.ip}:${e.port}`).join(",")}`;
    signatures.set(s, sig);
  }
  return sig;
}
