/**
 * The node's address (status.hostIP, the Node's InternalIP) when --node-ip does not give it: the source address
 * the kernel picks for the default route, as the kubelet's ChooseHostInterface does; without a default route, the
 * first non-loopback IPv4 address (not on `skipInterface`, nodelet's own bridge); else 127.0.0.1. One detection
 * for every pod network.
 */
import { networkInterfaces } from "node:os";
export async function detectNodeIP(runner, opts = {}) {
    const r = await runner.run(["ip", "-json", "-4", "route", "get", "1.1.1.1"], { owner: opts.owner, allowFail: true });
    const viaRoute = r.code === 0 ? JSON.parse(r.stdout || "[]")[0]?.prefsrc : undefined;
    return viaRoute ?? firstInterfaceAddress(opts.skipInterface) ?? "127.0.0.1";
}
function firstInterfaceAddress(skip) {
    for (const [name, addrs] of Object.entries(networkInterfaces())) {
        if (name === skip)
            continue;
        const a = addrs?.find((x) => x.family === "IPv4" && !x.internal);
        if (a)
            return a.address;
    }
    return undefined;
}
//# sourceMappingURL=node-ip.js.map