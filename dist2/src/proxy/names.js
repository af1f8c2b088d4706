/**
 * Names of the proxy's tables, chains and sets, derived from stable inputs (pure) so that a restarted daemon finds
 * its rules and two daemons with different bridges never touch each other's. Hashes follow kube-proxy's
 * servicePortChainName / servicePortEndpointChainName: base32 of sha256 over the service port name, the protocol
 * (and the endpoint), truncated to 16 characters.
 */
import { createHash } from "node:crypto";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(buf) {
    let bits = 0;
    let value = 0;
    let out = "";
    // 10 bytes are 80 bits: exactly the 16 characters the names keep.
    for (const byte of buf.subarray(0, 10)) {
        value = (value << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            out += BASE32[(value >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    return out;
}
/** Names are asked for again on every full render: remembered (bounded, since services come and go). */
const memo = new Map();
function hash16(text) {
    let h = memo.get(text);
    if (h === undefined) {
        h = base32(createHash("sha256").update(text).digest()).slice(0, 16);
        if (memo.size > 200_000)
            memo.clear();
        memo.set(text, h);
    }
    return h;
}
/** The hash naming a service port's chains: KUBE-SVC-<this> in kube-proxy. */
export function servicePortHash(s) {
    return hash16(`${s.name}${s.protocol.toLowerCase()}`);
}
/** The hash naming one endpoint's chain: KUBE-SEP-<this>. */
export function endpointHash(s, e) {
    return hash16(`${s.name}${s.protocol.toLowerCase()}${e.ip}:${e.port}`);
}
/** Our nftables table: `ip nodelet-svc-<bridge>` (the pod network's is `ip nodelet-<bridge>`). */
export function nftProxyTable(bridge) {
    return `nodelet-svc-${bridge}`;
}
/**
 * The prefix of our iptables chains: "NL" + 5 hex digits of sha256(bridge), so that `<prefix>-SVC-<hash16>` fits
 * iptables' 28-character limit (7 + 5 + 16). Jumps from the built-in chains carry the comment `nodelet-svc <bridge>`.
 */
export function iptablesPrefix(bridge) {
    return `NL${createHash("sha256").update(bridge).digest("hex").slice(0, 5)}`;
}
export function iptablesJumpComment(bridge) {
    return `nodelet-svc ${bridge}`;
}
//# sourceMappingURL=names.js.map