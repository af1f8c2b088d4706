/**
 * The root's record of its daemon's setup (ROOT/daemon.json) and what `nodelet reset` takes from it: the record's
 * settings win over the flags, every setup a root's daemons used is reset, and an unreadable record stops a reset
 * rather than being taken for none.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDaemonConfig } from "../../../src/cmd/daemon-config.js";
import { daemonRecordFile, readDaemonRecord, recordSetup, resetTargets, setupOf } from "../../../src/cmd/daemon-record.js";

function withRoot(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), "nodelet-record-"));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const daemonArgs = (root: string, octet: number) => ["--root", root, "--bridge", `nlr${octet}`, "--cluster-cidr", `10.${octet}.0.0/17`, "--pod-cidr", `10.${octet}.0.0/24`, "--service-cidr", `10.${octet}.128.0/20`, "--cgroup-parent", `cg${octet}`];

test("the daemon records its setup; a reset with other flags acts on the record, and says which flags it overrode", () => {
  withRoot((root) => {
    recordSetup(parseDaemonConfig(daemonArgs(root, 71)));
    assert.equal(statSync(daemonRecordFile(root)).mode & 0o777, 0o600);
    const flags = ["--root", root, "--bridge", "nodelet0", "--pod-cidr", "10.244.0.0/24"];
    const { targets, notes } = resetTargets(parseDaemonConfig(flags), readDaemonRecord(root), new Set(["root", "bridge", "pod-cidr"]));
    assert.equal(targets.length, 1);
    const t = targets[0];
    assert.deepEqual([t.bridge, t.clusterCIDR, t.podCIDR, t.serviceCIDR, t.cgroupParent, t.socket], ["nlr71", "10.71.0.0/17", "10.71.0.0/24", "10.71.128.0/20", "cg71", join(root, "nodelet.sock")]);
    assert.deepEqual(notes, [
      `--bridge: using "nlr71", which ${root}'s daemon recorded, not "nodelet0"`,
      `--pod-cidr: using "10.71.0.0/24", which ${root}'s daemon recorded, not "10.244.0.0/24"`,
    ]);
  });
});

test("a daemon restarted with other settings adds its setup; reset covers both, newest first; a repeat adds nothing", () => {
  withRoot((root) => {
    recordSetup(parseDaemonConfig(daemonArgs(root, 72)));
    recordSetup(parseDaemonConfig(daemonArgs(root, 73)));
    recordSetup(parseDaemonConfig(daemonArgs(root, 73)));
    const recorded = readDaemonRecord(root)!;
    assert.deepEqual(recorded.map((s) => s.bridge), ["nlr72", "nlr73"]);
    const { targets } = resetTargets(parseDaemonConfig(["--root", root]), recorded, new Set(["root"]));
    assert.deepEqual(targets.map((t) => t.bridge), ["nlr73", "nlr72"]);
    // Going back to the first settings makes them the newest again.
    recordSetup(parseDaemonConfig(daemonArgs(root, 72)));
    assert.deepEqual(readDaemonRecord(root)!.map((s) => s.bridge), ["nlr73", "nlr72"]);
  });
});

test("no record: the flags, with a note; a corrupt record is an error, not 'no record'", () => {
  withRoot((root) => {
    const cfg = parseDaemonConfig(["--root", root]);
    assert.equal(readDaemonRecord(root), undefined);
    const { targets, notes } = resetTargets(cfg, undefined, new Set());
    assert.deepEqual(targets, [cfg]);
    assert.match(notes[0], /^no record of its daemon's settings in .*: using the flags$/);
    writeFileSync(daemonRecordFile(root), "{ torn");
    assert.throws(() => readDaemonRecord(root), /corrupt state file .*daemon\.json/);
    assert.throws(() => recordSetup(cfg), /corrupt state file .*daemon\.json.*: repair it, or move it away and reset by the old flags$/, "a daemon does not start over a record it cannot read");
    writeFileSync(daemonRecordFile(root), JSON.stringify({ version: 9, setups: [] }));
    assert.throws(() => readDaemonRecord(root), /not a daemon record of a version this nodelet reads/);
  });
});

test("the record holds the settings that name host objects, and nothing else", () => {
  withRoot((root) => {
    const cfg = parseDaemonConfig([...daemonArgs(root, 74), "--no-network", "--firewall-backend", "nftables"]);
    recordSetup(cfg);
    const file = JSON.parse(readFileSync(daemonRecordFile(root), "utf8")) as { version: number; setups: unknown[] };
    assert.equal(file.version, 1);
    assert.deepEqual(file.setups, [setupOf(cfg, readFileSync("/proc/self/cgroup", "utf8"))], "by default the cgroups of the process that records");
    assert.deepEqual(Object.keys(setupOf(cfg, "0::/\n")).sort(), ["bridge", "cgroupParent", "clusterCIDR", "daemonCgroup", "firewallBackend", "logDir", "network", "podCIDR", "serviceCIDR", "socket"]);
    assert.equal(setupOf(cfg).network, false);
  });
});

test("the record keeps the daemon's own cgroups; reset takes them, and the same flags from another cgroup are another setup", () => {
  withRoot((root) => {
    const cfg = parseDaemonConfig(daemonArgs(root, 75));
    const shellA = "4:memory:/user.slice/session-a\n1:cpu:/\n0::/\n";
    const shellB = "4:memory:/user.slice/session-b\n1:cpu:/\n0::/\n";
    recordSetup(cfg, shellA);
    recordSetup(cfg, shellA);
    assert.deepEqual(readDaemonRecord(root)!.map((s) => s.daemonCgroup), [shellA], "a repeat from the same cgroups adds nothing");
    recordSetup(cfg, shellB);
    const { targets } = resetTargets(parseDaemonConfig(["--root", root]), readDaemonRecord(root), new Set(["root"]));
    assert.deepEqual(targets.map((t) => [t.cgroupParent, t.daemonCgroup]), [["cg75", shellB], ["cg75", shellA]], "both parents are on the host until a reset removes them");
    // A record written before the daemon's cgroups were kept: reset falls back to its own (undefined here).
    writeFileSync(daemonRecordFile(root), JSON.stringify({ version: 1, setups: [setupOf(cfg)] }));
    assert.equal(resetTargets(cfg, readDaemonRecord(root), new Set()).targets[0].daemonCgroup, undefined);
  });
});
