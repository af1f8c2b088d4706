/**
 * IPv4 address and CIDR arithmetic, pure. Addresses are unsigned 32-bit numbers inside; every function that takes
 * user text returns undefined (or throws FieldError in parseCidrSetting) instead of guessing.
 */
import { FieldError } from "./errors.js";
/** "10.1.2.3" → number, or undefined unless it is four decimal octets 0..255 without leading zeros. */
export function parseIPv4(text) {
    const parts = text.split(".");
    if (parts.length !== 4)
        return undefined;
    let n = 0;
    for (const p of parts) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(p))
            return undefined;
        const v = Number(p);
        if (v > 255)
            return undefined;
        n = n * 256 + v;
    }
    return n;
}
export function formatIPv4(n) {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
/** The netmask of a prefix length as a number (0 for /0). */
export function maskOf(prefix) {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
/**
 * "10.244.0.0/24" → Cidr. With `strict`, host bits must be zero (as Kubernetes requires of --pod-cidr);
 * otherwise they are cleared (as `ip route` prints networks).
 */
export function parseCidr(text, strict = true) {
    const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
    if (!m)
        return undefined;
    const addr = parseIPv4(m[1]);
    const prefix = Number(m[2]);
    if (addr === undefined || prefix > 32)
        return undefined;
    const base = (addr & maskOf(prefix)) >>> 0;
    if (strict && base !== addr)
        return undefined;
    return { base, prefix };
}
/** Parses a CIDR setting or throws a FieldError naming it: `--pod-cidr: "10.244.0.1/24" has host bits set`. */
export function parseCidrSetting(setting, text) {
    const loose = parseCidr(text, false);
    if (!loose)
        throw new FieldError(setting, `"${text}" is not an IPv4 CIDR (like 10.244.0.0/24)`);
    const strict = parseCidr(text, true);
    if (!strict)
        throw new FieldError(setting, `"${text}" has host bits set; did you mean ${formatCidr(loose)}?`);
    return strict;
}
export function formatCidr(c) {
    return `${formatIPv4(c.base)}/${c.prefix}`;
}
/** Number of addresses in the network (2^(32-prefix)). */
export function sizeOf(c) {
    return 2 ** (32 - c.prefix);
}
/** The last address (the broadcast address for prefixes up to /30). */
export function lastAddress(c) {
    return c.base + sizeOf(c) - 1;
}
export function contains(c, addr) {
    return ((addr & maskOf(c.prefix)) >>> 0) === c.base;
}
/** True when `inner` lies wholly inside `outer`. */
export function containsCidr(outer, inner) {
    return inner.prefix >= outer.prefix && contains(outer, inner.base);
}
/** Two networks overlap exactly when one contains the other. */
export function overlaps(a, b) {
    return containsCidr(a, b) || containsCidr(b, a);
}
export function sameCidr(a, b) {
    return a.base === b.base && a.prefix === b.prefix;
}
/** The n-th address of the network (0 = the network address). */
export function nthAddress(c, n) {
    return c.base + n;
}
/**
 * The range of addresses pods may get: everything but the network address, the gateway (the first address) and the
 * broadcast address — what the CNI host-local plugin hands out by default.
 */
export function podRange(c) {
    if (c.prefix > 30)
        return { first: 1, last: 0 }; // empty: no room beside network, gateway and broadcast
    return { first: c.base + 2, last: lastAddress(c) - 1 };
}
/** The gateway (the bridge's address): the first address after the network address. */
export function gatewayOf(c) {
    return c.base + 1;
}
//# sourceMappingURL=cidr.js.map