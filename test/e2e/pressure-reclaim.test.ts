/**
 * Local storage limits and node-level reclaim on a real daemon (privileged), its --root a 96 MiB tmpfs of its own:
 * - a pod whose writable layer exceeds the sum of its containers' ephemeral-storage limits, and a pod one of whose
 *   containers exceeds its own limit, are evicted with the kubelet's messages (Failed, Evicted, an event), while a
 *   pod within its limit keeps running and the node is under no pressure;
 * - under DiskPressure the dead container holding 20 MiB is removed first, which frees enough: no pod is evicted.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Event, Node, Pod } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { suiteDaemon, eventually } from "../helpers/daemon.js";

const skip = needsRoot();

describe("local storage limits and node-level reclaim (privileged)", { skip }, () => {
  const d = suiteDaemon("reclaim", ["--no-network", "--eviction-hard", "nodefs.available<30Mi", "--eviction-pressure-transition-period", "10s"], { tmpfs: "96m" });

  const apply = async (name: string, yaml: string) => {
    const file = join("/tmp", `nodelet-reclaim-${process.pid}-${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await d.cli(["apply", "-f", file]);
    rmSync(file, { force: true });
    assert.equal(r.code, 0, r.stderr);
  };
  const container = (name: string, command: string, limit?: string) =>
    `  - name: ${name}\n    image: busybox\n    command: ["sh", "-c", "${command}"]\n` + (limit ? `    resources:\n      limits:\n        ephemeral-storage: ${limit}\n` : "");
  const podYaml = (name: string, containers: string, extra = "") =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 0\n${extra}  containers:\n${containers}`;
  const evicted = (name: string) =>
    eventually(async () => {
      const p = await d.pod(name);
      return p?.status?.reason === "Evicted" && p;
    }, 40_000, `${name} evicted`);
  const events = async () => (JSON.parse((await d.cli(["get", "events", "-o", "json"])).stdout) as { items: Event[] }).items;
  const diskPressure = async () => {
    const n = (JSON.parse((await d.cli(["get", "nodes", "-o", "json"])).stdout) as { items: Node[] }).items[0];
    return n.status?.conditions?.find((c) => c.type === "DiskPressure")?.status;
  };

  test("pods over their ephemeral-storage limits are evicted with the kubelet's messages; one within runs on", async () => {
    const write6 = "dd if=/dev/zero of=/fill bs=1M count=6; sleep 3600";
    await apply("over-pod", podYaml("over-pod", container("w", write6, "4Mi")));
    await apply("over-ctr", podYaml("over-ctr", container("w", write6, "4Mi") + container("idle", "sleep 3600", "50Mi")));
    await apply("within", podYaml("within", container("w", "dd if=/dev/zero of=/fill bs=1M count=1; sleep 3600", "50Mi")));

    const pod = await evicted("over-pod");
    assert.equal(pod.status!.phase, "Failed");
    assert.equal(pod.status!.message, "Pod ephemeral local storage usage exceeds the total limit of containers 4Mi. ");
    const ctr = await evicted("over-ctr");
    assert.equal(ctr.status!.phase, "Failed");
    assert.equal(ctr.status!.message, 'Container w exceeded its local ephemeral storage limit "4Mi". ');
    const ev = await events();
    for (const name of ["over-pod", "over-ctr"]) {
      assert.ok(ev.some((e) => e.reason === "Evicted" && e.type === "Warning" && e.involvedObject.name === name), `an Evicted event for ${name}`);
    }
    const within = (await d.pod("within"))!;
    assert.equal(within.status?.phase, "Running", "the pod within its limit runs on");
    assert.equal(await diskPressure(), "False", "no node pressure was involved");
    const del = await d.cli(["delete", "pod", "over-pod", "over-ctr", "within", "--force", "--grace-period=0"]);
    assert.equal(del.code, 0, del.stderr);
    await eventually(async () => (await d.pod("within")) === undefined, 30_000, "the pods gone");
  });

  test("disk pressure: the dead container is removed first, which is enough; no pod is evicted", async () => {
    const from = d.log.length;
    // Attempt 0 writes 20 MiB into its writable layer and fails; attempt 1 (after the back-off) just sleeps.
    const once = "if [ -f /data/once ]; then sleep 3600; fi; touch /data/once; dd if=/dev/zero of=/big bs=1M count=20; exit 1";
    await apply("restarter", podYaml("restarter", container("c", once) + "    volumeMounts:\n    - name: data\n      mountPath: /data\n", "  volumes:\n  - name: data\n    emptyDir: {}\n"));
    await eventually(async () => {
      const s = (await d.pod("restarter"))?.status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state?.running !== undefined;
    }, 60_000, "the restarter's second attempt running");
    // 96 MiB less the store, the 5 MiB reserve and 20 MiB of dead layer: 45 more MiB of emptyDir leave ~24 MiB free,
    // under the 30 MiB line; the dead layer's 20 MiB bring it back over.
    const fill = "dd if=/dev/zero of=/data/fill bs=1M count=45; sleep 3600";
    await apply("filler", podYaml("filler", container("c", fill) + "    volumeMounts:\n    - name: data\n      mountPath: /data\n", "  volumes:\n  - name: data\n    emptyDir: {}\n"));
    await eventually(async () => /node-level reclaim: dead containers freed (\d+) bytes/.exec(d.log)?.[1], 45_000, "the dead container reclaimed").catch((err: Error) => {
      const st = statfsSync(d.root);
      const said = d.log.split("\n").filter((l) => /node conditions|reclaim|evict|disk reserve/.test(l));
      throw new Error(`${err.message}; ${((st.bavail * st.bsize) / 2 ** 20).toFixed(1)} MiB free; the daemon said: ${said.join(" | ")}`);
    });
    const freed = Number(/node-level reclaim: dead containers freed (\d+) bytes/.exec(d.log)![1]);
    assert.ok(freed >= 20 * 2 ** 20, `the dead layer's 20 MiB were freed (${freed})`);
    for (const name of ["restarter", "filler"]) {
      const p = (await d.pod(name)) as Pod;
      assert.equal(p.status?.phase, "Running", `${name} was not evicted`);
    }
    assert.doesNotMatch(d.log.slice(from), /evicting pod/);
    const status = (await d.pod("restarter"))!.status!.containerStatuses![0];
    assert.equal(status.restartCount, 1, "the status still counts the removed attempt");
  });
});
