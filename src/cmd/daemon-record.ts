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
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonState, writeJsonState } from "../sys/json-state.js";
import type { DaemonConfig } from "./daemon-config.js";

const SETUP_FIELDS = ["socket", "cgroupParent", "logDir", "network", "bridge", "clusterCIDR", "podCIDR", "serviceCIDR", "firewallBackend"] as const;

/**
 * The settings of one daemon setup that name host objects (the DaemonConfig fields of the same names), and the
 * cgroups the daemon itself ran in (its /proc/self/cgroup): a relative --cgroup-parent sits under those, which for a
 * daemon started from another shell or service differ from the resetting process's own (on cgroup v1 per controller).
 * Records written before it was kept lack it; reset then falls back to its own cgroups.
 */
export type DaemonSetup = Pick<DaemonConfig, (typeof SETUP_FIELDS)[number]> & { daemonCgroup?: string };

/** A reset's view of one setup: the flags' config with the record's settings, and where its cgroups were. */
export type ResetTarget = DaemonConfig & { daemonCgroup?: string };

/** The command-line flag of each setup field, for what reset says. */
const FLAG_OF: Record<(typeof SETUP_FIELDS)[number], string> = {
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

interface DaemonRecordFile {
  version: 1;
  /** Oldest first; the last is the setup of the daemon that started last. */
  setups: DaemonSetup[];
}

export function daemonRecordFile(root: string): string {
  return join(root, "daemon.json");
}

export function setupOf(cfg: DaemonConfig, daemonCgroup?: string): DaemonSetup {
  const setup = Object.fromEntries(SETUP_FIELDS.map((f) => [f, cfg[f]])) as DaemonSetup;
  return daemonCgroup === undefined ? setup : { ...setup, daemonCgroup };
}

/** Equal settings in the same cgroups: the same host objects (started from another cgroup, its parent is elsewhere). */
function sameSetup(a: DaemonSetup, b: DaemonSetup): boolean {
  return SETUP_FIELDS.every((f) => a[f] === b[f]) && a.daemonCgroup === b.daemonCgroup;
}

/**
 * The setups recorded in `root`, oldest first; undefined when there is no record (a root no daemon of this
 * version started). An unreadable or corrupt record is an error (json-state.ts): reset must not guess.
 */
export function readDaemonRecord(root: string): DaemonSetup[] | undefined {
  const rec = readJsonState<DaemonRecordFile>(daemonRecordFile(root), "the daemon's record of its settings");
  if (!rec) return undefined;
  if (rec.version !== 1 || !Array.isArray(rec.setups)) throw new Error(`${daemonRecordFile(root)}: not a daemon record of a version this nodelet reads`);
  return rec.setups;
}

/** Adds the daemon's setup to the root's record (last, once), before it touches the host. */
export function recordSetup(cfg: DaemonConfig, daemonCgroup: string = readFileSync("/proc/self/cgroup", "utf8")): void {
  const mine = setupOf(cfg, daemonCgroup);
  let recorded: DaemonSetup[] | undefined;
  try {
    recorded = readDaemonRecord(cfg.root);
  } catch (err) {
    // Starting over it would lose what earlier setups left on the host; a person decides.
    throw new Error(`${err instanceof Error ? err.message : String(err)}; it lists what \`nodelet reset --root ${cfg.root}\` removes: repair it, or move it away and reset by the old flags`, { cause: err });
  }
  const setups = (recorded ?? []).filter((s) => !sameSetup(s, mine));
  writeJsonState(daemonRecordFile(cfg.root), { version: 1, setups: [...setups, mine] } satisfies DaemonRecordFile, { mode: 0o600, pretty: true });
}

/**
 * What a reset of `cfg.root` acts on: one config per recorded setup, newest first, each the flags' config with the
 * record's settings in place of the flags'; with no record, the flags' config alone. `notes` say where a flag the
 * user gave (`given`, long names without dashes) differs from the record, and when there is no record.
 */
export function resetTargets(cfg: DaemonConfig, recorded: DaemonSetup[] | undefined, given: ReadonlySet<string>): { targets: ResetTarget[]; notes: string[] } {
  if (!recorded?.length) return { targets: [cfg], notes: [`no record of its daemon's settings in ${cfg.root}: using the flags`] };
  const targets = [...recorded].reverse().map((s) => ({ ...cfg, ...s }));
  const newest = targets[0];
  const notes: string[] = [];
  for (const f of SETUP_FIELDS) {
    const flag = FLAG_OF[f];
    if (!given.has(flag.slice(2)) || newest[f] === cfg[f]) continue;
    notes.push(`${flag}: using ${JSON.stringify(newest[f])}, which ${cfg.root}'s daemon recorded, not ${JSON.stringify(cfg[f])}`);
  }
  return { targets, notes };
}
