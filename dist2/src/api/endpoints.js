/**
 * Endpoints and EndpointSlice defaulting and validation (SetDefaults_Endpoints, ValidateEndpoints in
 * pkg/apis/core/validation; ValidateEndpointSlice in pkg/apis/discovery/validation). Addresses must be valid,
 * non-special IPs (no loopback, link-local or unspecified addresses); ports 1-65535 with a known protocol.
 */
import { child, duplicate, index, invalid, invalidEach, notSupported, required, tooMany } from "./field.js";
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from "./meta-validation.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNSSubdomain } from "./names.js";
import { expandIPv6, isIP, isIPv4, IP_ERROR, IPV4_ERROR, specialIPProblems } from "./ip.js";
import { strategy } from "./strategy.js";
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
function validateAddress(a, path) {
    const ipPath = child(path, "ip");
    const errs = [];
    if (!isIP(a.ip ?? ""))
        errs.push(invalid(ipPath, a.ip ?? "", IP_ERROR));
    if (a.hostname)
        errs.push(...invalidEach(child(path, "hostname"), a.hostname, isDNS1123Label(a.hostname)));
    if (a.nodeName)
        errs.push(...invalidEach(child(path, "nodeName"), a.nodeName, isDNS1123Subdomain(a.nodeName)));
    if (isIP(a.ip ?? ""))
        errs.push(...invalidEach(ipPath, a.ip, specialIPProblems(a.ip)));
    return errs;
}
/** A port of an Endpoints subset or an EndpointSlice: DNS-label name (required when several), number, protocol. */
function validatePort(p, requireName, path) {
    const errs = [];
    if (requireName && !p.name)
        errs.push(required(child(path, "name")));
    else if (p.name)
        errs.push(...invalidEach(child(path, "name"), p.name, isDNS1123Label(p.name)));
    if (p.port !== undefined && p.port !== null)
        errs.push(...invalidEach(child(path, "port"), p.port, isValidPortNum(p.port)));
    if (!p.protocol)
        errs.push(required(child(path, "protocol")));
    else if (!PROTOCOLS.includes(p.protocol))
        errs.push(notSupported(child(path, "protocol"), p.protocol, PROTOCOLS));
    if (p.appProtocol)
        errs.push(...invalidEach(child(path, "appProtocol"), p.appProtocol, isQualifiedName(p.appProtocol)));
    return errs;
}
/** ValidateEndpoints: every subset has addresses; addresses and ports are valid. */
export function validateEndpoints(ep) {
    const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
    (ep.subsets ?? []).forEach((ss, i) => {
        const p = index("subsets", i);
        if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
            errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
        }
        (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, index(child(p, "addresses"), j))));
        (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, index(child(p, "notReadyAddresses"), j))));
        const ports = ss.ports ?? [];
        ports.forEach((port, j) => {
            if (port.port === undefined || port.port === null)
                errs.push(...invalidEach(child(index(child(p, "ports"), j), "port"), 0, isValidPortNum(0)));
            errs.push(...validatePort(port, ports.length > 1, index(child(p, "ports"), j)));
        });
    });
    return errs;
}
function validateSliceAddress(address, type, path) {
    if (type === "IPv4") {
        return isIPv4(address) ? invalidEach(path, address, specialIPProblems(address)) : [invalid(path, address, IPV4_ERROR)];
    }
    if (type === "IPv6") {
        return expandIPv6(address) ? invalidEach(path, address, specialIPProblems(address)) : [invalid(path, address, "must be a valid IPv6 address")];
    }
    if (type === "FQDN") {
        const name = address.replace(/\.$/, "");
        const msgs = isDNS1123Subdomain(name);
        if (msgs.length)
            return [invalid(path, name, msgs.join(","))];
        if (name.split(".").length < 2)
            return [invalid(path, name, "should be a domain with at least two segments separated by dots")];
    }
    return [];
}
/** ValidateEndpointSlice: address type, endpoints (1-100 addresses each) and unique ports. */
export function validateEndpointSlice(slice) {
    const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
    const type = slice.addressType;
    if (!type)
        errs.push(required("addressType"));
    else if (!ADDRESS_TYPES.includes(type))
        errs.push(notSupported("addressType", type, ADDRESS_TYPES));
    const endpoints = slice.endpoints ?? [];
    if (endpoints.length > 1000)
        return [...errs, tooMany("endpoints", endpoints.length, 1000)];
    endpoints.forEach((e, i) => {
        const p = index("endpoints", i);
        const addrs = e.addresses ?? [];
        if (addrs.length === 0)
            errs.push(required(child(p, "addresses"), "must contain at least 1 address"));
        else if (addrs.length > 100)
            errs.push(tooMany(child(p, "addresses"), addrs.length, 100));
        addrs.forEach((a, j) => errs.push(...validateSliceAddress(a, type, index(child(p, "addresses"), j))));
        errs.push(...validateLabels(e.deprecatedTopology, child(p, "deprecatedTopology")));
        if (e.hostname)
            errs.push(...invalidEach(child(p, "hostname"), e.hostname, isDNS1123Label(e.hostname)));
    });
    const ports = slice.ports ?? [];
    if (ports.length > 100)
        return [...errs, tooMany("ports", ports.length, 100)];
    const names = new Set();
    ports.forEach((port, i) => {
        const p = index("ports", i);
        errs.push(...validatePort(port, false, p));
        const name = port.name ?? "";
        if (names.has(name))
            errs.push(duplicate(child(p, "name"), name));
        names.add(name);
    });
    return errs;
}
/** Endpoints: ports default to TCP. */
export const endpointsStrategy = strategy({
    hasStatus: false,
    defaults: (ep) => {
        for (const ss of ep.subsets ?? [])
            for (const p of ss.ports ?? [])
                if (!p.protocol)
                    p.protocol = "TCP";
    },
    validateCreate: validateEndpoints,
    validateUpdate: (ep, old) => [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)],
});
/** EndpointSlice: ports default to name "" and TCP; the address type is immutable. */
export const endpointSliceStrategy = strategy({
    hasStatus: false,
    defaults: (slice) => {
        for (const p of slice.ports ?? []) {
            if (p.name === undefined || p.name === null)
                p.name = "";
            if (!p.protocol)
                p.protocol = "TCP";
        }
    },
    validateCreate: validateEndpointSlice,
    validateUpdate: (slice, old) => {
        const errs = [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...validateEndpointSlice(slice)];
        if (slice.addressType !== old.addressType)
            errs.push(invalid("addressType", slice.addressType, "field is immutable"));
        return errs;
    },
});
//# sourceMappingURL=endpoints.js.map