/**
 * The `ip` commands that build the node bridge and a pod's veth pair, as data rendered by pure functions.
 *
 * A pod costs two execs (measured here: ~2.5 ms each):
 *  1. in the host namespace, `ip link add HOSTEND up master BRIDGE type veth peer name eth0 address MAC netns PID`
 *     creates the pair, attaches and raises the host end, and creates the pod end directly in the sandbox's
 *     namespace (the kernel creates the peer in the target namespace; veth_newlink in drivers/net/veth.c). `up`
 *     on the peer is refused across namespaces (ENOTCONN), and `master` cannot be given to the peer either (it is
 *     resolved in the namespace ip runs in), so the rest happens inside:
 *  2. `nsenter --net=/proc/PID/ns/net ip -batch -` adds the address, raises eth0 and adds the default route.
 *     (`ip -n` only takes names under /run/netns, not /proc paths.)
 * Teardown needs no exec: the kernel deletes a veth pair when the namespace holding one end dies, and the runtime
 * kills the pause process right after tearDown. The synchronous `ip link del` (~15-30 ms, it waits for an RCU
 * grace period) is only used on error paths and for strays.
 */
import { formatCidr, formatIPv4 } from "../api/cidr.js";
import { macForIP } from "./names.js";
export function vethAddArgv(v) {
    return [
        "ip", "link", "add", v.hostName, "up", "master", v.bridge, "type", "veth",
        "peer", "name", v.podIfName, "address", macForIP(v.ip), "netns", String(v.netnsPid),
    ];
}
/**
 * Runs argv inside the network namespace of `pid` only: ip speaks netlink, which follows the network namespace, so
 * the mount namespace (and /sys) can stay the host's.
 */
export function inNetnsArgv(pid, argv) {
    return ["nsenter", `--net=/proc/${pid}/ns/net`, ...argv];
}
/** The batch run inside the pod: address, link up, default route via the gateway. */
export function podSideBatch(v) {
    return [
        `addr add ${formatIPv4(v.ip)}/${v.prefix} dev ${v.podIfName}`,
        `link set dev ${v.podIfName} up`,
        `route add default via ${formatIPv4(v.gateway)} dev ${v.podIfName}`,
        "",
    ].join("\n");
}
/**
 * The sandbox's flags that make this pair with netlink as it creates the pod's namespace (shim/netlink.c): the
 * same pair vethAddArgv + podSideBatch describe, with the pod end named eth0 by the shim.
 */
export function sandboxNetworkArgs(v, hairpin) {
    const args = ["--veth", v.hostName, "--bridge", v.bridge, "--address", `${formatIPv4(v.ip)}/${v.prefix}`, "--gateway", formatIPv4(v.gateway), "--mac", macForIP(v.ip)];
    if (hairpin)
        args.push("--hairpin");
    return args;
}
/** The pair as the `ip` commands a person would type (for `nodelet explain`), the namespace named $PAUSE_PID. */
export function vethEquivalent(v) {
    const add = vethAddArgv(v).join(" ").replace(/ netns \d+$/, " netns $PAUSE_PID");
    return [add, ...podSideBatch(v).trim().split("\n").map((l) => `ip ${l}   # inside the pod's netns`)];
}
export function linkDelArgv(name) {
    return ["ip", "link", "del", name];
}
/** Alias set on our bridges, so a reset can tell whether another nodelet bridge still needs ip_forward. */
export const BRIDGE_ALIAS = "nodelet";
/**
 * The batch (`ip -batch -`) that brings the bridge to the wanted state. The bridge's MAC is fixed (0a:58 + the
 * gateway address): a bridge without a set address takes the lowest MAC of its ports and changes it as pods come
 * and go, which invalidates every pod's neighbour entry for the gateway (the CNI bridge plugin pins it too).
 * `route replace` makes the unreachable routes idempotent.
 */
export function bridgeBatch(b) {
    const lines = [];
    if (b.create)
        lines.push(`link add ${b.name} address ${macForIP(b.gateway)} type bridge`);
    lines.push(`link set dev ${b.name} alias ${BRIDGE_ALIAS}`);
    if (b.addAddress)
        lines.push(`addr add ${formatIPv4(b.gateway)}/${b.prefix} dev ${b.name}`);
    lines.push(`link set dev ${b.name} up`);
    for (const c of b.unreachable)
        lines.push(`route replace unreachable ${formatCidr(c)}`);
    return `${lines.join("\n")}\n`;
}
/** Batch deleting our unreachable routes (run with -force: a missing route is fine). */
export function unreachableDelBatch(cidrs) {
    return cidrs.map((c) => `route del unreachable ${formatCidr(c)}\n`).join("");
}
//# sourceMappingURL=link-plan.js.map