import { RCODE, TYPE } from "./wire.js";
/** CoreDNS's kubernetes plugin default TTL. */
export const TTL = 5;
const NXDOMAIN = { rcode: RCODE.NXDOMAIN, authoritative: true, answers: [] };
const NODATA = { rcode: RCODE.NOERROR, authoritative: true, answers: [] };
/** True when `name` is the cluster domain or inside it. */
export function inDomain(name, domain) {
    return name === domain || name.endsWith(`.${domain}`);
}
export function answer(name, qtype, domain, view) {
    const labels = name.slice(0, Math.max(0, name.length - domain.length - 1)).split(".").filter(Boolean);
    const zone = labels.at(-1);
    if (name === domain || (labels.length === 1 && (zone === "svc" || zone === "pod")))
        return NODATA;
    if (zone === "pod" && labels.length === 3)
        return podRecord(name, labels[0], qtype);
    if (zone !== "svc" || labels.length < 3)
        return NXDOMAIN;
    const ns = labels[labels.length - 2];
    const rest = labels.slice(0, -2);
    if (rest.length === 1)
        return serviceRecords(name, ns, rest[0], qtype, view);
    if (rest.length === 2 && !rest[0].startsWith("_"))
        return endpointRecord(name, ns, rest[1], rest[0], qtype, view);
    if (rest.length === 3 && rest[0].startsWith("_") && rest[1].startsWith("_"))
        return srvRecords(name, ns, rest[2], rest[0].slice(1), rest[1].slice(1), qtype, domain, view);
    return NXDOMAIN;
}
function podRecord(name, dashed, qtype) {
    const ip = dashed.replace(/-/g, ".");
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) || ip.split(".").some((o) => Number(o) > 255))
        return NXDOMAIN;
    return wants(qtype, TYPE.A) ? { ...NODATA, answers: [a(name, ip)] } : NODATA;
}
function serviceRecords(name, ns, svcName, qtype, view) {
    const svc = view.service(ns, svcName);
    if (!svc)
        return NXDOMAIN;
    if (svc.spec.type === "ExternalName") {
        const target = (svc.spec.externalName ?? "").replace(/\.$/, "");
        return { ...NODATA, answers: [{ name, ttl: TTL, data: { type: TYPE.CNAME, target } }] };
    }
    if (!wants(qtype, TYPE.A))
        return NODATA;
    if (!isHeadless(svc))
        return svc.spec.clusterIP ? { ...NODATA, answers: [a(name, svc.spec.clusterIP)] } : NODATA;
    return { ...NODATA, answers: readyAddresses(view.endpoints(ns, svcName)).map((ad) => a(name, ad.ip)) };
}
/** HOSTNAME.SVC or IP-DASHED.SVC of a headless service. */
function endpointRecord(name, ns, svcName, host, qtype, view) {
    const svc = view.service(ns, svcName);
    if (!svc || !isHeadless(svc))
        return NXDOMAIN;
    const match = readyAddresses(view.endpoints(ns, svcName)).find((ad) => endpointLabel(ad) === host || ad.ip.replace(/\./g, "-") === host);
    if (!match)
        return NXDOMAIN;
    return wants(qtype, TYPE.A) ? { ...NODATA, answers: [a(name, match.ip)] } : NODATA;
}
function srvRecords(name, ns, svcName, port, proto, qtype, domain, view) {
    const svc = view.service(ns, svcName);
    const sp = svc?.spec.ports?.find((p) => p.name === port && (p.protocol ?? "TCP").toLowerCase() === proto);
    if (!svc || !sp)
        return NXDOMAIN;
    if (!wants(qtype, TYPE.SRV))
        return NODATA;
    const base = `${svcName}.${ns}.svc.${domain}`;
    if (!isHeadless(svc)) {
        return { ...NODATA, answers: [srv(name, sp.port, base)], additional: svc.spec.clusterIP ? [a(base, svc.spec.clusterIP)] : [] };
    }
    const ep = view.endpoints(ns, svcName);
    const answers = [];
    const additional = [];
    for (const ss of ep?.subsets ?? []) {
        const epPort = ss.ports?.find((p) => (p.name ?? "") === port && (p.protocol ?? "TCP").toLowerCase() === proto);
        if (!epPort)
            continue;
        for (const ad of ss.addresses ?? []) {
            const target = `${endpointLabel(ad)}.${base}`;
            answers.push(srv(name, epPort.port, target));
            additional.push(a(target, ad.ip));
        }
    }
    return { ...NODATA, answers, additional };
}
function readyAddresses(ep) {
    const seen = new Map();
    for (const ss of ep?.subsets ?? [])
        for (const ad of ss.addresses ?? [])
            seen.set(ad.ip, ad);
    return [...seen.values()];
}
function endpointLabel(ad) {
    return ad.hostname || ad.ip.replace(/\./g, "-");
}
function isHeadless(svc) {
    return svc.spec.clusterIP === "None";
}
function wants(qtype, type) {
    return qtype === type || qtype === TYPE.ANY;
}
function a(name, address) {
    return { name, ttl: TTL, data: { type: TYPE.A, address } };
}
function srv(name, port, target) {
    return { name, ttl: TTL, data: { type: TYPE.SRV, priority: 0, weight: 100, port, target } };
}
//# sourceMappingURL=records.js.map