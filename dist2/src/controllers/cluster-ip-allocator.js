/**
 * Service cluster IPs from the service CIDR, as the API server's ipallocator does (pkg/registry/core/service/
 * ipallocator): never the network or broadcast address; a requested IP must be inside the range and free; a
 * dynamic one is random, taken from the upper part of the range first so that the lower band stays free for
 * static choices such as the DNS service's `.10` (KEP-3070: band size min(max(16, size/16), 256)).
 */
import { invalid } from "../api/field.js";
import { contains, formatCidr, formatIPv4, lastAddress, parseIPv4, sizeOf } from "../api/cidr.js";
import { ObjectIndex } from "./object-index.js";
export class ClusterIPAllocator {
    cidr;
    random;
    index = new ObjectIndex((svc) => clusterIPsOf(svc));
    first;
    last;
    lowerBand;
    constructor(cidr, random = Math.random) {
        this.cidr = cidr;
        this.random = random;
        const size = sizeOf(cidr);
        this.first = size > 2 ? cidr.base + 1 : cidr.base;
        this.last = size > 2 ? lastAddress(cidr) - 1 : lastAddress(cidr);
        this.lowerBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    }
    /** Follows the Services in the store; returns the function that stops. */
    follow(store) {
        return this.index.follow(store, "Service");
    }
    /** Who holds `ip` ("namespace/name"), or undefined. */
    holder(ip) {
        return this.index.holder(ip);
    }
    /**
     * Checks a requested IP for `owner` ("namespace/name"); throws FieldError on spec.clusterIPs[0] naming the reason
     * (outside the range, or held by another service).
     */
    checkRequested(ip, owner) {
        const n = parseIPv4(ip);
        const field = "spec.clusterIPs[0]";
        if (n === undefined || !contains(this.cidr, n) || n < this.first || n > this.last) {
            throw invalid(field, ip, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(this.cidr)}`);
        }
        const holder = this.index.holder(ip);
        if (holder && holder !== owner) {
            throw invalid(field, ip, `failed to allocate IP ${ip}: provided IP is already allocated (to service ${holder})`);
        }
    }
    /** A free IP (upper band first, then the lower band); undefined when the range is full. */
    allocate() {
        const lowEnd = Math.min(this.first + this.lowerBand, this.last + 1);
        return this.scan(lowEnd, this.last) ?? this.scan(this.first, lowEnd - 1);
    }
    /** A random start, then a linear probe with wrap-around over [from, to]. */
    scan(from, to) {
        const count = to - from + 1;
        if (count <= 0)
            return undefined;
        const start = Math.floor(this.random() * count);
        for (let i = 0; i < count; i++) {
            const ip = formatIPv4(from + ((start + i) % count));
            if (!this.index.holder(ip))
                return ip;
        }
        return undefined;
    }
}
/** The real cluster IPs a service holds (not "None", not for ExternalName). */
export function clusterIPsOf(svc) {
    if (svc.spec?.type === "ExternalName")
        return [];
    const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
    return ips.filter((ip) => ip && ip !== "None");
}
//# sourceMappingURL=cluster-ip-allocator.js.map