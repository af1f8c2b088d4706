/**
 * IP addresses and CIDRs as the API server checks them (k8s.io/utils/net's "sloppy" parsing, IsValidIP,
 * IsValidCIDR, ValidateNonSpecialIP), with its error messages.
 */
import { isIPv6 } from "node:net";
/**
 * Parses an IPv4 address the way Go's net.ParseIP does in "sloppy" mode (leading zeros allowed, as Kubernetes
 * tolerates for old objects). Returns the four octets or undefined.
 */
export function parseIPv4(value) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
    if (!m)
        return undefined;
    const octets = m.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? octets : undefined;
}
/** A dotted-quad IPv4 address. */
export function isIPv4(value) {
    return parseIPv4(value) !== undefined;
}
/** An IPv4 or IPv6 address. */
export function isIP(value) {
    return isIPv4(value) || isIPv6(value);
}
/** The API server's messages for bad addresses. */
export const IP_ERROR = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
export const IPV4_ERROR = "must be a valid IPv4 address";
export const CIDR_ERROR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
/** An IPv4 or IPv6 CIDR (address/prefix length). */
export function isCIDR(value) {
    const slash = value.indexOf("/");
    if (slash < 0)
        return false;
    const ip = value.slice(0, slash);
    const bits = value.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits))
        return false;
    if (isIPv4(ip))
        return Number(bits) <= 32;
    return isIPv6(ip) && Number(bits) <= 128;
}
/**
 * Problems with an IP that must not be special (Endpoints addresses, external IPs): unspecified, loopback,
 * link-local unicast and link-local multicast addresses are rejected (ValidateNonSpecialIP).
 */
export function specialIPProblems(value) {
    const v4 = parseIPv4(value);
    if (v4) {
        const [a, b, c] = v4;
        if (v4.every((o) => o === 0))
            return [`may not be unspecified (${value})`];
        if (a === 127)
            return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"];
        if (a === 169 && b === 254)
            return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"];
        if (a === 224 && b === 0 && c === 0)
            return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"];
        return [];
    }
    const h = expandIPv6(value);
    if (!h)
        return [];
    if (h.every((x) => x === 0))
        return [`may not be unspecified (${value})`];
    if (h.slice(0, 7).every((x) => x === 0) && h[7] === 1)
        return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"];
    if ((h[0] & 0xffc0) === 0xfe80)
        return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"];
    if ((h[0] & 0xff0f) === 0xff02)
        return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"];
    return [];
}
/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
export function expandIPv6(value) {
    if (!isIPv6(value))
        return undefined;
    let text = value;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const o = parseIPv4(v4[1]);
        const hex = (hi, lo) => ((hi << 8) | lo).toString(16);
        text = `${text.slice(0, -v4[1].length)}${hex(o[0], o[1])}:${hex(o[2], o[3])}`;
    }
    const groups = (s) => (s ? s.split(":").map((x) => parseInt(x, 16)) : []);
    if (!text.includes("::"))
        return groups(text);
    const [head, tail] = text.split("::");
    const left = groups(head);
    const right = groups(tail);
    return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}
//# sourceMappingURL=ip.js.map