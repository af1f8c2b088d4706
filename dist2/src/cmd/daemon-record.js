/**
 * The root's own record of what its daemons set up on the host (ROOT/daemon.json): the settings that name each
 * host object — socket, cgroup parent, log dir, bridge (which also names our nft table and iptables chains), the
 * CIDRs behind the unreachable routes and the service rules. Written by the daemon before it touches the host;
 * read by `nodelet reset --root DIR`, so a reset removes what that root's daemon made, whatever flags it is given
 * (a reset with the default flags once removed another daemon's routes and left its own).
 *
 * A daemon started again with other settings adds its setup to the record instead of replacing it: the objects of
 * the earlier one (its bridge, its cgroup parent) are still on the host until a reset removes them.
 */
import { join } from "node:path";
import { readJsonState, writeJsonState } from "../sys/json-state.js";
const SETUP_FIELDS = ["socket", "cgroupParent", "logDir", "network", "bridge", "clusterCIDR", "podCIDR", "serviceCIDR", "firewallBackend"];
/** The command-line flag of each setup field, for what reset says. */
const FLAG_OF = {
    socket: "--socket",
    cgroupParent: "--cgroup-parent",
    logDir: "--log-dir",
    network: "--no-network",
    bridge: "--bridge",
    clusterCIDR: "--cluster-cidr",
    podCIDR: "--pod-cidr",
    serviceCIDR: "--service-cidr",
    firewallBackend: "--firewall-backend",
};
export function daemonRecordFile(root) {
    return join(root, "daemon.json");
}
export function setupOf(cfg) {
    return Object.fromEntries(SETUP_FIELDS.map((f) => [f, cfg[f]]));
}
function sameSetup(a, b) {
    return SETUP_FIELDS.every((f) => a[f] === b[f]);
}
/**
 * The setups recorded in `root`, oldest first; undefined when there is no record (a root no daemon of this
 * version started). An unreadable or corrupt record is an error (json-state.ts): reset must not guess.
 */
export function readDaemonRecord(root) {
    const rec = readJsonState(daemonRecordFile(root), "the daemon's record of its settings");
    if (!rec)
        return undefined;
    if (rec.version !== 1 || !Array.isArray(rec.setups))
        throw new Error(`${daemonRecordFile(root)}: not a daemon record of a version this nodelet reads`);
    return rec.setups;
}
/** Adds the daemon's setup to the root's record (last, once), before it touches the host. */
export function recordSetup(cfg) {
    const mine = setupOf(cfg);
    let recorded;
    try {
        recorded = readDaemonRecord(cfg.root);
    }
    catch (err) {
        // Starting over it would lose what earlier setups left on the host; a person decides.
        throw new Error(`${err instanceof Error ? err.message : String(err)}; it lists what \`nodelet reset --root ${cfg.root}\` removes: repair it, or move it away and reset by the old flags`);
    }
    const setups = (recorded ?? []).filter((s) => !sameSetup(s, mine));
    writeJsonState(daemonRecordFile(cfg.root), { version: 1, setups: [...setups, mine] }, { mode: 0o600, pretty: true });
}
/**
 * What a reset of `cfg.root` acts on: one config per recorded setup, newest first, each the flags' config with the
 * record's settings in place of the flags'; with no record, the flags' config alone. `notes` say where a flag the
 * user gave (`given`, long names without dashes) differs from the record, and when there is no record.
 */
export function resetTargets(cfg, recorded, given) {
    if (!recorded?.length)
        return { targets: [cfg], notes: [`no record of its daemon's settings in ${cfg.root}: using the flags`] };
    const targets = [...recorded].reverse().map((s) => ({ ...cfg, ...s }));
    const newest = targets[0];
    const notes = [];
    for (const f of SETUP_FIELDS) {
        const flag = FLAG_OF[f];
        if (!given.has(flag.slice(2)) || newest[f] === cfg[f])
            continue;
        notes.push(`${flag}: using ${JSON.stringify(newest[f])}, which ${cfg.root}'s daemon recorded, not ${JSON.stringify(cfg[f])}`);
    }
    return { targets, notes };
}
//# sourceMappingURL=daemon-record.js.map