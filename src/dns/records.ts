/**
 * What the cluster DNS answers, pure over a read-only view of Services and Endpoints — the record layout of the
 * Kubernetes DNS specification (kubernetes/dns docs/specification.md) as CoreDNS's kubernetes plugin serves it:
 *
 * - `SVC.NS.svc.DOMAIN`: A = the cluster IP; headless: one A per ready endpoint; ExternalName: a CNAME;
 * - `_PORT._PROTO.SVC.NS.svc.DOMAIN`: SRV for each named port (target the service name, or each endpoint's
 *   `HOSTNAME-or-IP-DASHED.SVC.NS.svc.DOMAIN` when headless), with the A records in the additional section;
 * - `HOSTNAME.SVC.NS.svc.DOMAIN` and `A-B-C-D.SVC.NS.svc.DOMAIN`: an endpoint of a headless service;
 * - `A-B-C-D.NS.pod.DOMAIN`: A = A.B.C.D (the plugin's `pods insecure` mode, kubeadm's default);
 * - other names in the domain: NXDOMAIN; an existing name asked for another type: no answers (NODATA).
 * Names outside the cluster domain are not answered here (the server forwards or refuses them).
 */
import type { Endpoints, Service } from "../api/types.js";
import { RCODE, TYPE, type Answer, type ResourceRecord } from "./wire.js";

export interface ClusterView {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
}

/** CoreDNS's kubernetes plugin default TTL. */
export const TTL = 5;

const NXDOMAIN: Answer = { rcode: RCODE.NXDOMAIN, authoritative: true, answers: [] };
const NODATA: Answer = { rcode: RCODE.NOERROR, authoritative: true, answers: [] };

/** True when `name` is the cluster domain or inside it. */
export function inDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

export function answer(name: string, qtype: number, domain: string, view: ClusterView): Answer {
  const labels = name.slice(0, Math.max(0, name.length - domain.length - 1)).split(".").filter(Boolean);
  const zone = labels.at(-1);
  if (name === domain || (labels.length === 1 && (zone === "svc" || zone === "pod"))) return NODATA;
  if (zone === "pod" && labels.length === 3) return podRecord(name, labels[0], qtype);
  if (zone !== "svc" || labels.length < 3) return NXDOMAIN;
  const ns = labels[labels.length - 2];
  const rest = labels.slice(0, -2);
  if (rest.length === 1) return serviceRecords(name, ns, rest[0], qtype, view);
  if (rest.length === 2 && !rest[0].startsWith("_")) return endpointRecord(name, ns, rest[1], rest[0], qtype, view);
  if (rest.length === 3 && rest[0].startsWith("_") && rest[1].startsWith("_")) return srvRecords(name, ns, rest[2], rest[0].slice(1), rest[1].slice(1), qtype, domain, view);
  return NXDOMAIN;
}

function podRecord(name: string, dashed: string, qtype: number): Answer {
  const ip = dashed.replace(/-/g, ".");
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) || ip.split(".").some((o) => Number(o) > 255)) return NXDOMAIN;
  return wants(qtype, TYPE.A) ? { ...NODATA, answers: [a(name, ip)] } : NODATA;
}

function serviceRecords(name: string, ns: string, svcName: string, qtype: number, view: ClusterView): Answer {
  const svc = view.service(ns, svcName);
  if (!svc) return NXDOMAIN;
  if (svc.spec.type === "ExternalName") {
    const target = (svc.spec.externalName ?? "").replace(/\.$/, "");
    return { ...NODATA, answers: [{ name, ttl: TTL, data: { type: TYPE.CNAME, target } }] };
  }
  if (!wants(qtype, TYPE.A)) return NODATA;
  if (!isHeadless(svc)) return svc.spec.clusterIP ? { ...NODATA, answers: [a(name, svc.spec.clusterIP)] } : NODATA;
  return { ...NODATA, answers: readyAddresses(view.endpoints(ns, svcName)).map((ad) => a(name, ad.ip)) };
}

/** HOSTNAME.SVC or IP-DASHED.SVC of a headless service. */
function endpointRecord(name: string, ns: string, svcName: string, host: string, qtype: number, view: ClusterView): Answer {
  const svc = view.service(ns, svcName);
  if (!svc || !isHeadless(svc)) return NXDOMAIN;
  const match = readyAddresses(view.endpoints(ns, svcName)).find((ad) => endpointLabel(ad) === host || ad.ip.replace(/\./g, "-") === host);
  if (!match) return NXDOMAIN;
  return wants(qtype, TYPE.A) ? { ...NODATA, answers: [a(name, match.ip)] } : NODATA;
}

function srvRecords(name: string, ns: string, svcName: string, port: string, proto: string, qtype: number, domain: string, view: ClusterView): Answer {
  const svc = view.service(ns, svcName);
  const sp = svc?.spec.ports?.find((p) => p.name === port && (p.protocol ?? "TCP").toLowerCase() === proto);
  if (!svc || !sp) return NXDOMAIN;
  if (!wants(qtype, TYPE.SRV)) return NODATA;
  const base = `${svcName}.${ns}.svc.${domain}`;
  if (!isHeadless(svc)) {
    return { ...NODATA, answers: [srv(name, sp.port, base)], additional: svc.spec.clusterIP ? [a(base, svc.spec.clusterIP)] : [] };
  }
  const ep = view.endpoints(ns, svcName);
  const answers: ResourceRecord[] = [];
  const additional: ResourceRecord[] = [];
  for (const ss of ep?.subsets ?? []) {
    const epPort = ss.ports?.find((p) => (p.name ?? "") === port && (p.protocol ?? "TCP").toLowerCase() === proto);
    if (!epPort) continue;
    for (const ad of ss.addresses ?? []) {
      const target = `${endpointLabel(ad)}.${base}`;
      answers.push(srv(name, epPort.port, target));
      additional.push(a(target, ad.ip));
    }
  }
  return { ...NODATA, answers, additional };
}

function readyAddresses(ep: Endpoints | undefined): { ip: string; hostname?: string }[] {
  const seen = new Map<string, { ip: string; hostname?: string }>();
  for (const ss of ep?.subsets ?? []) for (const ad of ss.addresses ?? []) seen.set(ad.ip, ad);
  return [...seen.values()];
}

function endpointLabel(ad: { ip: string; hostname?: string }): string {
  return ad.hostname || ad.ip.replace(/\./g, "-");
}

function isHeadless(svc: Service): boolean {
  return svc.spec.clusterIP === "None";
}

function wants(qtype: number, type: number): boolean {
  return qtype === type || qtype === TYPE.ANY;
}

function a(name: string, address: string): ResourceRecord {
  return { name, ttl: TTL, data: { type: TYPE.A, address } };
}

function srv(name: string, port: number, target: string): ResourceRecord {
  return { name, ttl: TTL, data: { type: TYPE.SRV, priority: 0, weight: 100, port, target } };
}
