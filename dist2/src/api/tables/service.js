/** Service, Endpoints and EndpointSlice columns (printers.go printService / printEndpoints / printEndpointSlice). */
import { formatLabels } from "../labels.js";
import { formatAge, listWithMore, servicePorts } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column } from "./table.js";
export const servicePrinter = {
    columns: [
        NAME_COLUMN,
        column("Type", "The type of the service."),
        column("Cluster-IP", "The IP address of the service."),
        column("External-IP", "The external IP address of the service."),
        column("Port(s)", "The ports of the service."),
        AGE_COLUMN,
        column("Selector", "Route service traffic to pods with label keys and values matching this selector.", { priority: 1 }),
    ],
    cells(svc, now) {
        const clusterIP = svc.spec.clusterIPs?.[0] || svc.spec.clusterIP || "<none>";
        return [svc.metadata.name ?? "", svc.spec.type ?? "ClusterIP", clusterIP, externalIP(svc), servicePorts(svc.spec.ports), formatAge(svc.metadata.creationTimestamp, now), formatLabels(svc.spec.selector)];
    },
};
/** getServiceExternalIP: external IPs, load balancer ingress, `<pending>`, or the ExternalName. */
function externalIP(svc) {
    const external = svc.spec.externalIPs ?? [];
    switch (svc.spec.type ?? "ClusterIP") {
        case "ClusterIP":
        case "NodePort":
            return external.length ? external.join(",") : "<none>";
        case "LoadBalancer": {
            const lb = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || "").filter(Boolean);
            const all = [...lb, ...external];
            return all.length ? all.join(",") : "<pending>";
        }
        case "ExternalName":
            return svc.spec.externalName ?? "";
        default:
            return "<unknown>";
    }
}
export const endpointsPrinter = {
    columns: [NAME_COLUMN, column("Endpoints", "Endpoints of the service."), AGE_COLUMN],
    cells(ep, now) {
        return [ep.metadata.name ?? "", formatEndpoints(ep), formatAge(ep.metadata.creationTimestamp, now)];
    },
};
/** formatEndpoints: `ip:port` for each address and port, at most three, then ` + N more...`. */
export function formatEndpoints(ep) {
    if (!ep.subsets?.length)
        return "<none>";
    const all = [];
    for (const ss of ep.subsets) {
        const addrs = (ss.addresses ?? []).map((a) => a.ip);
        if (!ss.ports?.length)
            all.push(...addrs);
        else
            for (const p of ss.ports)
                all.push(...addrs.map((ip) => `${ip.includes(":") ? `[${ip}]` : ip}:${p.port}`));
    }
    return listWithMore(all, 3, "<none>");
}
export const endpointSlicePrinter = {
    columns: [
        NAME_COLUMN,
        column("AddressType", "The IP protocol for this slice."),
        column("Ports", "The ports of the slice."),
        column("Endpoints", "The endpoints of the slice."),
        AGE_COLUMN,
    ],
    cells(s, now) {
        const ports = (s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ?? "*"));
        const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
        return [s.metadata.name ?? "", s.addressType ?? "", listWithMore(ports, 3, "<unset>"), listWithMore(addrs, 3, "<unset>"), formatAge(s.metadata.creationTimestamp, now)];
    },
};
//# sourceMappingURL=service.js.map