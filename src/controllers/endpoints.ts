/**
 * What the Endpoints and EndpointSlice of a Service should say, from the pods it selects — pure. Follows the
 * endpoints controller (pkg/controller/endpoint) and the EndpointSlice controller (pkg/controller/endpointslice):
 *
 * - a pod counts when it is in the service's namespace, matches the selector, has an IP and has not finished
 *   (Succeeded/Failed);
 * - it is ready when its Ready condition is True and it is not being deleted; terminating pods are kept as
 *   not-ready (`notReadyAddresses`, slice conditions ready=false/terminating=true), so proxies drop them at once;
 *   `publishNotReadyAddresses` makes every counted pod ready;
 * - each service port's targetPort is a number, or the name of a container port of the pod with the same protocol;
 *   a pod that declares no such name is left out of that port (FindPort in pkg/api/v1/pod/util.go), and pods are
 *   grouped by the ports they resolve to (one Endpoints subset / one EndpointSlice per group).
 */
import { createHash } from "node:crypto";
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSlice, EndpointSliceEndpoint, EndpointSubset, Pod, Service, ServicePort } from "../api/types.js";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const SLICE_CONTROLLER = "endpointslice-controller.k8s.io";
export const MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io";

interface PodEndpoint {
  pod: Pod;
  ip: string;
  ready: boolean;
  terminating: boolean;
  ports: EndpointPort[];
}

/** Whether the pod belongs to the service's endpoints at all (ready or not). */
export function podSelected(svc: Service, pod: Pod): boolean {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  if ((pod.metadata.namespace ?? "default") !== (svc.metadata.namespace ?? "default")) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** The port a service port targets in this pod, or undefined when a named targetPort is not declared. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === "number") return t;
  if (/^\d+$/.test(t)) return Number(t);
  const proto = sp.protocol ?? "TCP";
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const match = c.ports?.find((p) => p.name === t && (p.protocol ?? "TCP") === proto);
    if (match) return match.containerPort;
  }
  return undefined;
}

function podEndpoint(svc: Service, pod: Pod): PodEndpoint | undefined {
  const ip = pod.status?.podIP;
  const phase = pod.status?.phase;
  if (!ip || phase === "Succeeded" || phase === "Failed" || !podSelected(svc, pod)) return undefined;
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port !== undefined) ports.push({ name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" });
  }
  if ((svc.spec.ports ?? []).length > 0 && ports.length === 0) return undefined;
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ready = svc.spec.publishNotReadyAddresses === true || (podReady(pod) && !terminating);
  return { pod, ip, ready, terminating, ports };
}

/** Pod endpoints grouped by identical port lists, each group sorted by IP; groups in a stable order. */
function groups(svc: Service, pods: Pod[]): PodEndpoint[][] {
  const byPorts = new Map<string, PodEndpoint[]>();
  for (const pod of pods) {
    const e = podEndpoint(svc, pod);
    if (!e) continue;
    const key = JSON.stringify(e.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), e]);
  }
  return [...byPorts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g.sort((x, y) => compareIP(x.ip, y.ip)));
}

function compareIP(a: string, b: string): number {
  const n = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}

function address(e: PodEndpoint, svc: Service): EndpointAddress {
  const p = e.pod;
  const a: EndpointAddress = { ip: e.ip };
  if (p.spec.hostname && p.spec.subdomain === svc.metadata.name) a.hostname = p.spec.hostname;
  if (p.spec.nodeName) a.nodeName = p.spec.nodeName;
  a.targetRef = { kind: "Pod", namespace: p.metadata.namespace ?? "default", name: p.metadata.name, uid: p.metadata.uid };
  return a;
}

/** The Endpoints object for a service with a selector (labels copied from the service, as Kubernetes does). */
export function desiredEndpoints(svc: Service, pods: Pod[]): Endpoints {
  const subsets: EndpointSubset[] = groups(svc, pods).map((g) => {
    const ss: EndpointSubset = { ports: g[0].ports.map((p) => ({ ...p, name: p.name || undefined })) };
    const ready = g.filter((e) => e.ready).map((e) => address(e, svc));
    const notReady = g.filter((e) => !e.ready).map((e) => address(e, svc));
    if (ready.length) ss.addresses = ready;
    if (notReady.length) ss.notReadyAddresses = notReady;
    return ss;
  });
  const md = svc.metadata;
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: md.name, namespace: md.namespace ?? "default", labels: { ...(md.labels ?? {}) } },
    subsets,
  };
}

/** One EndpointSlice per group of pods with the same ports; named `<service>-<hash of the ports>`. */
export function desiredSlices(svc: Service, pods: Pod[]): EndpointSlice[] {
  const gs = groups(svc, pods);
  // No pods: one empty slice, as the EndpointSlice controller keeps for every selected service.
  if (gs.length === 0) return [slice(svc, [], [], SLICE_CONTROLLER)];
  return gs.map((g) =>
    slice(
      svc,
      g.map((e) => sliceEndpoint(e, svc)),
      g[0].ports,
      SLICE_CONTROLLER,
    ),
  );
}

function sliceEndpoint(e: PodEndpoint, svc: Service): EndpointSliceEndpoint {
  const a = address(e, svc);
  const out: EndpointSliceEndpoint = { addresses: [e.ip], conditions: { ready: e.ready, serving: svc.spec.publishNotReadyAddresses === true || podReady(e.pod), terminating: e.terminating } };
  if (a.hostname) out.hostname = a.hostname;
  if (a.nodeName) out.nodeName = a.nodeName;
  out.targetRef = a.targetRef;
  return out;
}

/** Builds a slice object owned by the service. */
export function slice(svc: Service, endpoints: EndpointSliceEndpoint[], ports: EndpointPort[], managedBy: string): EndpointSlice {
  const md = svc.metadata;
  const name = md.name ?? "";
  const hash = createHash("sha256").update(JSON.stringify(ports)).digest("hex").slice(0, 5);
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${name.slice(0, 57)}-${hash}`,
      namespace: md.namespace ?? "default",
      labels: { ...(md.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: managedBy },
      ownerReferences: md.uid ? [{ apiVersion: "v1", kind: "Service", name, uid: md.uid, controller: true, blockOwnerDeletion: true }] : undefined,
    },
    addressType: "IPv4",
    endpoints,
    ports,
  };
}

/** The mirroring controller's addressToEndpoint: the address with its node (what Local traffic policies read), hostname and target. */
function mirroredEndpoint(a: EndpointAddress, ready: boolean): EndpointSliceEndpoint {
  const out: EndpointSliceEndpoint = { addresses: [a.ip], conditions: { ready, serving: ready, terminating: false } };
  if (a.targetRef) out.targetRef = a.targetRef;
  if (a.nodeName) out.nodeName = a.nodeName;
  if (a.hostname) out.hostname = a.hostname;
  return out;
}

/**
 * The slices mirroring a selectorless service's hand-written Endpoints (the EndpointSlice mirroring controller's
 * job), so proxies, which read only slices, see them.
 */
export function mirroredSlices(svc: Service, ep: Endpoints | undefined): EndpointSlice[] {
  return (ep?.subsets ?? []).map((ss) => {
    const ports = (ss.ports ?? []).map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" }));
    const ready = (ss.addresses ?? []).map((a) => mirroredEndpoint(a, true));
    const notReady = (ss.notReadyAddresses ?? []).map((a) => mirroredEndpoint(a, false));
    return slice(svc, [...ready, ...notReady], ports, MIRROR_CONTROLLER);
  });
}
