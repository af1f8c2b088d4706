/**
 * A full disk survived (privileged): a daemon whose --root is a 48 MiB tmpfs, filled to 100% by a pod's emptyDir.
 * The store's writes find the disk full and the daemon's reserve is given back, so DiskPressure (and its taint) is
 * written; the filling pod is evicted as the kubelet evicts (Failed, Evicted, its message, an event) and its
 * emptyDir released; a new pod is refused with the kubelet's admission message while the pressure holds; the
 * node recovers (condition, taint, a pod runs) once the space is back; the store passes integrity_check.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Event, Node } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { suiteDaemon, eventually } from "../helpers/daemon.js";

const skip = needsRoot();

describe("a full disk (privileged)", { skip }, () => {
  const d = suiteDaemon("disk", ["--no-network", "--eviction-pressure-transition-period", "15s"], { tmpfs: "48m" });

  const node = async () => {
    const r = await d.cli(["get", "nodes", "-o", "json"]);
    // A failed call says why (and what the daemon last logged) instead of a bare JSON parse error.
    if (r.code !== 0) throw new Error(`get nodes: exit ${r.code}: ${r.stderr.trim()}; daemon log: ${d.log.slice(-1500)}`);
    return (JSON.parse(r.stdout) as { items: Node[] }).items[0];
  };
  const condition = (n: Node, type: string) => n.status?.conditions?.find((c) => c.type === type)?.status;
  const apply = async (name: string, yaml: string) => {
    const file = join("/tmp", `nodelet-disk-${process.pid}-${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await d.cli(["apply", "-f", file]);
    rmSync(file, { force: true });
    assert.equal(r.code, 0, r.stderr);
  };
  const busybox = (name: string, command: string, volumes = "") =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "${command}"]\n${volumes}`;

  test("DiskPressure at 100%, the filler evicted, new pods refused, recovery, the store intact", async () => {
    assert.equal(condition(await node(), "DiskPressure"), "False");
    const capacity = (await node()).status!.capacity!["ephemeral-storage"];
    assert.equal(capacity, `${Math.floor((statfsSync(d.root).blocks * statfsSync(d.root).bsize) / 1024)}Ki`, "ephemeral-storage is the --root filesystem's");

    // The filler waits a second before writing, so the disk fills after its start has been recorded (a start that
    // itself meets the full disk is another case, not this test's).
    await apply("filler", busybox("filler", "sleep 1; dd if=/dev/zero of=/data/fill bs=1M; sleep 3600", "    volumeMounts:\n    - name: data\n      mountPath: /data\n  volumes:\n  - name: data\n    emptyDir: {}\n"));
    const filled = Date.now();
    const pressured = await eventually(async () => {
      const n = await node();
      return condition(n, "DiskPressure") === "True" && n;
    }, 20_000, "DiskPressure within 20 s of the disk filling");
    assert.ok(Date.now() - filled < 20_000);
    assert.deepEqual(pressured.spec?.taints?.map((t) => `${(t as { key: string }).key}:${(t as { effect: string }).effect}`), ["node.kubernetes.io/disk-pressure:NoSchedule"]);

    // Refused while the pressure holds, with the kubelet's admission message, for good.
    await apply("late", busybox("late", "sleep 3600"));
    const late = await eventually(async () => {
      const p = await d.pod("late");
      return p?.status?.phase === "Failed" && p;
    }, 15_000, "the late pod refused");
    assert.equal(late.status!.reason, "Evicted");
    assert.equal(late.status!.message, "The node had condition: [DiskPressure]. ");

    const filler = await eventually(async () => {
      const p = await d.pod("filler");
      return p?.status?.reason === "Evicted" && p;
    }, 20_000, "the filler evicted");
    assert.equal(filler.status!.phase, "Failed");
    assert.match(filler.status!.message!, /^The node was low on resource: ephemeral-storage\. Threshold quantity: \d+(Ki|Mi)?, available: \d+(Ki|Mi)?\. /);
    assert.equal(filler.status!.conditions!.find((c) => c.type === "DisruptionTarget")?.reason, "TerminationByKubelet");
    const events = (JSON.parse((await d.cli(["get", "events", "-o", "json"])).stdout) as { items: Event[] }).items;
    assert.ok(events.some((e) => e.reason === "Evicted" && e.involvedObject.name === "filler" && e.type === "Warning"), "an Evicted event for the filler");
    assert.match(d.log, /disk reserve of \d+ bytes released/, "the store's writes needed the reserve");

    // The emptyDir went with the eviction: the space is back, the pressure clears, the taint goes, pods run again.
    await eventually(async () => statfsSync(d.root).bavail * statfsSync(d.root).bsize > 20 * 2 ** 20, 30_000, "the filler's emptyDir released");
    const calm = await eventually(async () => {
      const n = await node();
      return condition(n, "DiskPressure") === "False" && n;
    }, 45_000, "DiskPressure False again");
    assert.equal(calm.spec?.taints, undefined);
    await apply("after", busybox("after", "sleep 3600"));
    await eventually(async () => (await d.pod("after"))?.status?.phase === "Running", 20_000, "a new pod runs");
    assert.match(d.log, /disk reserve of \d+ bytes taken/, "the reserve was taken back");
    const forced = await d.cli(["delete", "pod", "filler", "late", "after", "--force", "--grace-period=0"]);
    assert.equal(forced.code, 0, forced.stderr);

    await d.terminate();
    const db = new Database(join(d.root, "store.db"), { readonly: true });
    try {
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    } finally {
      db.close();
    }
  });
});
