/**
 * Names and hardware addresses derived from stable inputs (pure), so a restarted daemon finds what it made and two
 * daemons with different bridges never pick the same name.
 */
import { createHash } from "node:crypto";
import { formatIPv4 } from "../api/cidr.js";
/**
 * The host end of a pod's veth pair: "nl" + 13 hex digits of sha256(pod uid) = 15 bytes, the most IFNAMSIZ allows.
 * The kubelet's dockershim and the CNI bridge plugin use random names; a name derived from the uid lets `ip link`
 * output be traced back to a pod (`nodelet explain pod` shows the command that made it).
 */
export function vethName(podUid) {
    return `nl${createHash("sha256").update(podUid).digest("hex").slice(0, 13)}`;
}
/**
 * A MAC address computed from the IPv4 address: 0a:58 + the four octets, the scheme of the CNI plugins'
 * hwaddr.GenerateHardwareAddr4 (containernetworking/plugins, pkg/utils/hwaddr, removed in 2021 but still used by
 * ovn-kubernetes). When an address is reused by a new pod, the host's neighbour entry for it stays correct, so
 * there is no window of a stale ARP entry pointing at a dead pod's MAC.
 */
export function macForIP(ip) {
    return ["0a", "58", ...formatIPv4(ip).split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");
}
/** Our nftables table (family ip): one per bridge, so daemons side by side never touch each other's rules. */
export function nftTableName(bridge) {
    return `nodelet-${bridge}`;
}
/** Our iptables chains: NODELET-<bridge>-<role>, at most 8 + 15 + 5 = 28 characters (iptables' limit). */
export function iptablesChain(bridge, role) {
    return `NODELET-${bridge}-${role}`;
}
/** The comment on our jump rules in the built-in chains; identifies them for removal. */
export function iptablesJumpComment(bridge) {
    return `nodelet ${bridge}`;
}
//# sourceMappingURL=names.js.map