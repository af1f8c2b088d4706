/**
 * The daemon settings of the bridge network and their validation, pure: every problem is a FieldError naming the
 * command-line setting (`--pod-cidr: ...`), found before anything on the host is touched.
 */
import { FieldError } from "../api/errors.js";
import { containsCidr, formatCidr, formatIPv4, gatewayOf, overlaps, parseCidrSetting, parseIPv4 } from "../api/cidr.js";
export const DEFAULT_SETTINGS = {
    bridge: "nodelet0",
    clusterCIDR: "10.244.0.0/16",
    podCIDR: "10.244.0.0/24",
    serviceCIDR: "10.96.0.0/12",
    firewallBackend: "auto",
    hairpin: true,
    // The CNI portmap plugin's default (markMasqBit 13 = 0x2000), distinct from kube-proxy's 0x4000.
    masqueradeBit: 13,
};
const BACKENDS = ["auto", "nftables", "iptables", "iptables-legacy", "iptables-nft"];
/** Checks the settings, applies defaults, parses the CIDRs. Throws the first FieldError found. */
export function validateSettings(s) {
    const bridge = s.bridge ?? DEFAULT_SETTINGS.bridge;
    validateInterfaceName("--bridge", bridge);
    const cluster = parseCidrSetting("--cluster-cidr", s.clusterCIDR ?? DEFAULT_SETTINGS.clusterCIDR);
    const pod = parseCidrSetting("--pod-cidr", s.podCIDR ?? DEFAULT_SETTINGS.podCIDR);
    const service = parseCidrSetting("--service-cidr", s.serviceCIDR ?? DEFAULT_SETTINGS.serviceCIDR);
    if (!containsCidr(cluster, pod)) {
        throw new FieldError("--pod-cidr", `${formatCidr(pod)} is not inside --cluster-cidr ${formatCidr(cluster)}`);
    }
    if (pod.prefix > 30)
        throw new FieldError("--pod-cidr", `${formatCidr(pod)} has no room for pods (use /30 or larger)`);
    if (overlaps(service, cluster)) {
        throw new FieldError("--service-cidr", `${formatCidr(service)} overlaps --cluster-cidr ${formatCidr(cluster)}`);
    }
    const firewallBackend = s.firewallBackend ?? DEFAULT_SETTINGS.firewallBackend;
    if (!BACKENDS.includes(firewallBackend)) {
        throw new FieldError("--firewall-backend", `"${firewallBackend}" is not one of ${BACKENDS.join(", ")}`);
    }
    if (s.nodeIP !== undefined && parseIPv4(s.nodeIP) === undefined) {
        throw new FieldError("--node-ip", `"${s.nodeIP}" is not an IPv4 address`);
    }
    const bit = s.masqueradeBit ?? DEFAULT_SETTINGS.masqueradeBit;
    if (!Number.isInteger(bit) || bit < 0 || bit > 31)
        throw new FieldError("--masquerade-bit", `${bit} is not a bit number 0..31`);
    return {
        bridge,
        cluster,
        pod,
        service,
        gateway: gatewayOf(pod),
        firewallBackend,
        hairpin: s.hairpin ?? DEFAULT_SETTINGS.hairpin,
        nodeIP: s.nodeIP,
        masqueradeMark: 2 ** bit,
    };
}
/**
 * Linux interface names: 1..15 bytes (IFNAMSIZ 16 with the NUL), not "." or "..", no "/", ":" or whitespace
 * (dev_valid_name in net/core/dev.c). We also keep to letters, digits, "_", "-" and "." so the name is safe as an
 * nft table name and an iptables chain infix.
 */
export function validateInterfaceName(setting, name) {
    const bytes = Buffer.byteLength(name);
    if (bytes === 0)
        throw new FieldError(setting, "must not be empty");
    if (bytes > 15)
        throw new FieldError(setting, `"${name}" is ${bytes} bytes; interface names are at most 15 bytes`);
    if (name === "." || name === ".." || !/^[A-Za-z0-9_.-]+$/.test(name)) {
        throw new FieldError(setting, `"${name}" may only contain letters, digits, "_", "-" and "."`);
    }
}
/** The gateway as `10.244.0.1/24`, the address the bridge carries. */
export function gatewayWithPrefix(s) {
    return `${formatIPv4(s.gateway)}/${s.pod.prefix}`;
}
//# sourceMappingURL=settings.js.map