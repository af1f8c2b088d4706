/**
 * The few kernel files the pod network reads and writes directly instead of exec'ing a tool (each read here saves
 * a ~2.5 ms exec): sysctls under /proc/sys, bridge-port and interface attributes under /sys/class/net, and the
 * list of legacy iptables tables. Writes go through the Runner, so `explain` shows them as `printf ... > file`.
 * (These belong in src/sys/ by the design's first rule; they live here until that module grows a net section.)
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
/** Keys are paths under /proc/sys ("net/ipv4/ip_forward"): dotted keys break on interface names with dots. */
function sysctlPath(key) {
    return `/proc/sys/${key}`;
}
function readOr(path) {
    try {
        return readFileSync(path, "utf8").trim();
    }
    catch {
        return undefined;
    }
}
export function hostKernelFiles(runner) {
    return {
        readSysctl: (key) => readOr(sysctlPath(key)),
        writeSysctl: (key, value, owner) => runner.writeFile(sysctlPath(key), `${value}\n`, owner),
        ifindex(name) {
            const v = readOr(`/sys/class/net/${name}/ifindex`);
            return v === undefined ? undefined : Number(v);
        },
        isBridge: (name) => existsSync(`/sys/class/net/${name}/bridge`),
        setHairpin: (port, on, owner) => runner.writeFile(`/sys/class/net/${port}/brport/hairpin_mode`, on ? "1\n" : "0\n", owner),
        bridgePorts(bridge) {
            try {
                return readdirSync(`/sys/class/net/${bridge}/brif`);
            }
            catch {
                return [];
            }
        },
        legacyIptablesTables: () => (readOr("/proc/net/ip_tables_names") ?? "").split("\n").filter(Boolean),
        bridgesWithAlias(alias) {
            let names = [];
            try {
                names = readdirSync("/sys/class/net");
            }
            catch {
                return [];
            }
            return names.filter((n) => existsSync(`/sys/class/net/${n}/bridge`) && readOr(`/sys/class/net/${n}/ifalias`) === alias);
        },
    };
}
//# sourceMappingURL=kernel-files.js.map