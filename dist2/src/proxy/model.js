export const EMPTY_STATE = { services: [] };
/** Slices grouped by "namespace/service" (from the kubernetes.io/service-name label). */
export function slicesByService(slices) {
    const out = new Map();
    for (const s of slices) {
        const svc = s.metadata.labels?.["kubernetes.io/service-name"];
        if (!svc || s.addressType !== "IPv4")
            continue;
        const key = `${s.metadata.namespace ?? "default"}/${svc}`;
        out.set(key, [...(out.get(key) ?? []), s]);
    }
    return out;
}
export function buildProxyState(services, slices) {
    const out = [];
    for (const svc of services)
        out.push(...serviceEntries(svc, slices.get(`${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`) ?? []));
    out.sort(compareEntries);
    return { services: out };
}
/** The entries of one service (none for headless, ExternalName, or without a cluster IP). */
export function serviceEntries(svc, slices) {
    const s = svc.spec;
    const ip = s.clusterIP;
    if (s.type === "ExternalName" || !ip || ip === "None")
        return [];
    const ns = svc.metadata.namespace ?? "default";
    const affinity = s.sessionAffinity === "ClientIP" ? s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined;
    const out = [];
    for (const p of s.ports ?? []) {
        const protocol = p.protocol ?? "TCP";
        if (protocol !== "TCP" && protocol !== "UDP")
            continue;
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
function readyEndpoints(slices, portName, protocol) {
    const seen = new Map();
    for (const sl of slices) {
        const port = sl.ports?.find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol)?.port;
        if (!port)
            continue;
        for (const e of sl.endpoints ?? []) {
            if (e.conditions?.ready === false)
                continue;
            for (const ip of e.addresses ?? [])
                seen.set(`${ip}:${port}`, { ip, port });
        }
    }
    return [...seen.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}
export function compareEntries(a, b) {
    return a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
}
/** "10.1.2.3" → its 32-bit number (hot: called per endpoint when rendering thousands of services). */
export function ipNumber(ip) {
    let n = 0;
    let octet = 0;
    for (let i = 0; i < ip.length; i++) {
        const c = ip.charCodeAt(i);
        if (c === 46) {
            n = n * 256 + octet;
            octet = 0;
        }
        else
            octet = octet * 10 + (c - 48);
    }
    return n * 256 + octet;
}
const signatures = new WeakMap();
/**
 * What a service port's rules depend on (address, ports, affinity, endpoints), for the renderers' reuse of
 * unchanged fragments; remembered per entry object, since the change tracker reuses the objects of unchanged
 * services.
 */
export function signature(s) {
    let sig = signatures.get(s);
    if (sig === undefined) {
        sig = `${s.clusterIP}|${s.protocol}|${s.port}|${s.nodePort ?? ""}|${s.affinitySeconds ?? ""}|${s.endpoints.map((e) => `${e.ip}:${e.port}`).join(",")}`;
        signatures.set(s, sig);
    }
    return sig;
}
//# sourceMappingURL=model.js.map