/**
 * The node-level part of the pod network: the bridge with the gateway address, the `unreachable` routes for the
 * cluster and service CIDRs, and the sysctls (ip_forward, route_localnet on the bridge). inspectHost only reads and
 * validates, so start() can fail with a clear error before anything changes; applyNode and removeNode make and
 * undo the changes. What the host had before we changed it (ip_forward, which unreachable routes were there) is
 * recorded in the state dir so that removeNode can put it back and remove only what we added.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FieldError } from "../api/errors.js";
import { readJsonState, writeJsonState } from "../sys/json-state.js";
import { formatCidr, formatIPv4, parseCidr, sameCidr } from "../api/cidr.js";
import { checkPodCidrFree, hasUnreachable, parseRoutes } from "./host-routes.js";
import { BRIDGE_ALIAS, bridgeBatch, linkDelArgv, unreachableDelBatch } from "./link-plan.js";
import { OUR_VETH } from "./gc.js";
import { gatewayWithPrefix } from "./settings.js";
const OWNER = "node";
const IP_FORWARD = "net/ipv4/ip_forward";
/** Reads the host's routes and our bridge; throws FieldError for an overlapping pod CIDR or a foreign bridge. */
export async function inspectHost(d) {
    const { runner, kernel, settings: s } = d;
    const routes = parseRoutes((await runner.run(["ip", "-json", "-4", "route", "show", "table", "main"], { owner: OWNER })).stdout);
    checkPodCidrFree(routes, s.pod, s.bridge);
    const bridgeExists = kernel.ifindex(s.bridge) !== undefined;
    if (!bridgeExists)
        return { routes, bridgeExists, bridgeHasGateway: false };
    if (!kernel.isBridge(s.bridge))
        throw new FieldError("--bridge", `"${s.bridge}" exists on this host and is not a bridge`);
    const addrs = await bridgeAddresses(runner, s.bridge);
    const want = gatewayWithPrefix(s);
    const foreign = addrs.filter((a) => a !== want);
    if (foreign.length) {
        throw new FieldError("--pod-cidr", `bridge ${s.bridge} already has ${foreign.join(", ")}, not ${want} (the gateway of ${formatCidr(s.pod)}); run \`nodelet reset\` with the old settings or choose another --bridge`);
    }
    return { routes, bridgeExists, bridgeHasGateway: addrs.includes(want) };
}
async function bridgeAddresses(runner, bridge) {
    const r = await runner.run(["ip", "-json", "-4", "addr", "show", "dev", bridge], { owner: OWNER });
    const links = JSON.parse(r.stdout || "[]");
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
}
/** Cluster CIDRs that get an unreachable route: all but one equal to the pod CIDR (its link route covers it). */
export function unreachableCidrs(s) {
    return [s.cluster, s.service].filter((c) => !sameCidr(c, s.pod));
}
/** Pure: the bridge batch for what inspectHost found. */
export function planBridge(s, found) {
    return {
        name: s.bridge,
        gateway: s.gateway,
        prefix: s.pod.prefix,
        create: !found.bridgeExists,
        addAddress: !found.bridgeHasGateway,
        unreachable: unreachableCidrs(s),
    };
}
/**
 * Creates/updates the bridge and routes (one `ip -batch`), then sets the sysctls. The unreachable routes that were
 * not there before (`found`) are recorded first as ours, so removeNode takes away those and no other (a route
 * another daemon with the same cluster CIDR made is its own).
 */
export async function applyNode(d, spec, found) {
    const { runner, kernel, settings: s } = d;
    runner.comment(OWNER, `node bridge ${s.bridge} with gateway ${formatIPv4(s.gateway)}; unreachable routes for the cluster CIDRs`);
    // A bridge already there with no record of routes: a nodelet before this record made both, so they are ours.
    const legacy = found.bridgeExists && readHostBefore(d).addedUnreachable === undefined;
    recordAddedRoutes(d, legacy ? spec.unreachable : spec.unreachable.filter((c) => !hasUnreachable(found.routes, c)));
    await runner.run(["ip", "-batch", "-"], { input: bridgeBatch(spec), owner: OWNER });
    const before = kernel.readSysctl(IP_FORWARD);
    if (before !== "1") {
        recordHostBefore(d, { ipForward: before ?? "0" });
        await kernel.writeSysctl(IP_FORWARD, "1", OWNER);
    }
    // hostPorts reached at 127.0.0.1: the DNATed packet keeps source 127.0.0.1 until POSTROUTING masquerades it,
    // and the routing code refuses a loopback source on any interface without route_localnet
    // (ip_route_output_key_hash_rcu). The CNI portmap plugin sets the same on the bridge.
    await kernel.writeSysctl(`net/ipv4/conf/${s.bridge}/route_localnet`, "1", OWNER);
}
/**
 * Removes the bridge, the veths still on it, our routes, and puts ip_forward back when we changed it and no other
 * nodelet bridge remains. Idempotent.
 */
export async function removeNode(d) {
    const { runner, kernel, settings: s } = d;
    for (const port of kernel.bridgePorts(s.bridge).filter((p) => OUR_VETH.test(p))) {
        await runner.run(linkDelArgv(port), { owner: OWNER, allowFail: true });
    }
    if (kernel.ifindex(s.bridge) !== undefined)
        await runner.run(linkDelArgv(s.bridge), { owner: OWNER });
    // Removing: a record that cannot be read restores nothing (rather than a guess), and goes with the rest.
    let before = {};
    try {
        before = readHostBefore(d);
    }
    catch {
        before = {};
    }
    const routes = parseRoutes((await runner.run(["ip", "-json", "-4", "route", "show", "table", "main"], { owner: OWNER })).stdout);
    // The routes we recorded adding; a state dir from before that record existed: those our settings make.
    const added = before.addedUnreachable?.map((c) => parseCidr(c, false)).filter((c) => c !== undefined) ?? unreachableCidrs(s);
    const ours = added.filter((c) => hasUnreachable(routes, c));
    if (ours.length)
        await runner.run(["ip", "-force", "-batch", "-"], { input: unreachableDelBatch(ours), owner: OWNER, allowFail: true });
    if (before.ipForward !== undefined && kernel.bridgesWithAlias(BRIDGE_ALIAS).length === 0) {
        await kernel.writeSysctl(IP_FORWARD, before.ipForward, OWNER);
    }
    await removeCreatedTables(d, before.createdNftTables ?? []);
    rmSync(hostBeforeFile(d), { force: true });
}
/**
 * Remembers which nft tables our first rule write created (a list taken before and after it), so that a reset
 * can remove them again — only if by then they hold no rule, since other software may have started to use them.
 */
export function recordCreatedTables(d, before, after) {
    const key = (t) => `${t.family} ${t.name}`;
    const had = new Set(before.map(key));
    const created = after.map(key).filter((k) => !had.has(k));
    const old = readHostBefore(d);
    const merged = [...new Set([...(old.createdNftTables ?? []), ...created])];
    if (merged.length === (old.createdNftTables ?? []).length)
        return;
    writeHostBefore(d, { ...old, createdNftTables: merged });
}
/** Adds `cidrs` to the recorded routes we made (kept across restarts, which find them already there). */
function recordAddedRoutes(d, cidrs) {
    const old = readHostBefore(d);
    const merged = [...new Set([...(old.addedUnreachable ?? []), ...cidrs.map(formatCidr)])];
    if (old.addedUnreachable && merged.length === old.addedUnreachable.length)
        return;
    writeHostBefore(d, { ...old, addedUnreachable: merged });
}
async function removeCreatedTables(d, tables) {
    for (const t of tables) {
        const [family, name] = t.split(" ");
        const r = await d.runner.run(["nft", "-j", "list", "table", family, name], { owner: OWNER, allowFail: true });
        if (r.code !== 0)
            continue;
        const entries = JSON.parse(r.stdout).nftables;
        if (entries.some((e) => "rule" in e || "set" in e || "map" in e))
            continue;
        await d.runner.run(["nft", "delete", "table", family, name], { owner: OWNER, allowFail: true });
    }
}
function hostBeforeFile(d) {
    return join(d.stateDir, "host-before.json");
}
/** The host's original values; none recorded yet is {}. An unreadable file is an error: guessing would record ours. */
function readHostBefore(d) {
    return readJsonState(hostBeforeFile(d), "the host's original settings") ?? {};
}
/** Records the host's original values, once: a restart must not record our own ip_forward=1 as the original. */
function recordHostBefore(d, values) {
    const old = readHostBefore(d);
    if (old.ipForward !== undefined)
        return;
    writeHostBefore(d, { ...old, ...values });
}
function writeHostBefore(d, values) {
    writeJsonState(hostBeforeFile(d), values, { mode: 0o600 });
}
//# sourceMappingURL=node-setup.js.map