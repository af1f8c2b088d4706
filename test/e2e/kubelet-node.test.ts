/**
 * The node and its housekeeping with a real daemon (privileged): `get nodes` with capacity, allocatable and
 * conditions; admission keeping a pod that does not fit Pending with OutOfcpu; events expiring after --event-ttl;
 * `logs -f` keeping every line while the monitor rotates the log; dead containers and their logs collected
 * beyond the current and previous instance.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Node } from "../../src/api/types.js";
import { needsRoot } from "../helpers/root.js";
import { NODELET, eventually, suiteDaemon } from "../helpers/daemon.js";

const skip = needsRoot();

describe("node, admission and housekeeping (privileged)", { skip }, () => {
  // 2 cores minus 1500m reserved leave 500m for pods; small logs rotate often; events live 4 s.
  const d = suiteDaemon("node", ["--system-reserved", "cpu=1000m", "--kube-reserved", "cpu=500m", "--container-log-max-size", "4Ki", "--container-log-max-files", "5", "--event-ttl", "4s"]);

  const get = (name: string) => d.pod(name);
  const apply = async (name: string, yaml: string) => {
    const file = join(d.root, `${name}.yaml`);
    writeFileSync(file, yaml);
    const r = await d.cli(["apply", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
  };

  // Three restarts take ~30 s of back-off (10 s, then 20 s): the crash loop starts with the suite and runs while the
  // tests before its own do.
  before(async () => {
    await apply("crashy", `apiVersion: v1\nkind: Pod\nmetadata:\n  name: crashy\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "echo run; exit 1"]\n`);
  });

  test("get nodes shows the node Ready with capacity, allocatable (less reserved) and pressure conditions", async () => {
    const table = await d.cli(["get", "nodes"]);
    assert.match(table.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n\S+\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0-nodelet\n$/);
    const node = (JSON.parse((await d.cli(["get", "nodes", "-o", "json"])).stdout) as { items: Node[] }).items[0];
    const cores = Number(node.status!.capacity!.cpu);
    assert.equal(node.status!.allocatable!.cpu, `${cores * 1000 - 1500}m`);
    assert.deepEqual(node.status!.conditions!.map((c) => c.type), ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]);
    assert.ok(node.status!.allocatable!.memory && node.status!.allocatable!["ephemeral-storage"] && node.status!.allocatable!.pods);
    assert.equal(typeof node.status!.nodeInfo!.swap?.capacity, "number");
    const desc = await d.cli(["describe", "node", node.metadata.name!]);
    assert.match(desc.stdout, /Allocatable:/);
  });

  test("a pod whose requests do not fit stays Pending with OutOfcpu; one that fits runs", async () => {
    const pod = (name: string, cpu: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n    resources:\n      requests:\n        cpu: ${cpu}\n`;
    await apply("big", pod("big", "2"));
    await apply("small", pod("small", "100m"));
    const big = await eventually(async () => {
      const p = await get("big");
      return p?.status?.reason === "OutOfcpu" && p;
    }, 10_000, "big refused");
    assert.equal(big.status!.phase, "Pending");
    assert.match(big.status!.message!, /^Node didn't have enough resource: cpu, requested: 2000, used: \d+, capacity: \d+$/);
    assert.match((await d.cli(["get", "pod", "big"])).stdout, /big\s+0\/1\s+OutOfcpu/);
    await eventually(async () => (await get("small"))?.status?.phase === "Running", 10_000, "small runs");
    await d.cli(["delete", "pod", "big", "small", "--now"]);
  });

  test("logs -f keeps every line while the log rotates, several times between polls", async () => {
    // 16 bursts of 125 lines (~8 KiB: two or three rotations at 4Ki per burst, while 4 rotated files are kept).
    // Each burst waits for a gate file the test creates once the follower has shown everything before it: a
    // follower that falls more than 4 files behind loses the pruned ones (for the kubelet too), and on a loaded
    // machine a free-running writer got that far ahead. "ready" first, so the follower is there before any burst.
    const bursts = 16;
    const per = 125;
    const gate = join(d.root, "chatty-gate");
    mkdirSync(gate);
    const script = `echo ready; b=0; while [ $b -lt ${bursts} ]; do while [ ! -e /gate/$b ]; do sleep 0.02; done; j=0; while [ $j -lt ${per} ]; do echo line-$((b*${per}+j))-padding-padding; j=$((j+1)); done; b=$((b+1)); done`;
    await apply("chatty", `apiVersion: v1\nkind: Pod\nmetadata:\n  name: chatty\nspec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: busybox\n    command: ["sh", "-c", "${script}"]\n    volumeMounts: [{name: gate, mountPath: /gate}]\n  volumes:\n  - name: gate\n    hostPath: {path: ${gate}}\n`);
    await eventually(async () => (await get("chatty"))?.status?.containerStatuses?.[0]?.state.running, 10_000, "chatty running");
    const follower = spawn(process.execPath, [NODELET, "logs", "-f", "chatty"], { env: { ...process.env, NODELET_SOCKET: d.socket }, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      let stderr = "";
      let opened = 0;
      const want = (i: number) => `line-${i}-padding-padding`;
      follower.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
      follower.stdout.setEncoding("utf8").on("data", (t: string) => {
        out += t;
        while (opened < bursts && out.includes(opened === 0 ? "ready\n" : `${want(opened * per - 1)}\n`)) writeFileSync(join(gate, String(opened++)), "");
      });
      // A lost gate line would leave the container waiting: end the follower then, so the test fails with the count.
      const stuck = setTimeout(() => follower.kill(), 120_000);
      const code = await new Promise<number | null>((resolve) => follower.on("close", resolve));
      clearTimeout(stuck);
      const lines = out.split("\n").filter((l) => l && l !== "ready");
      const missing = [...Array(bursts * per).keys()].map(want).filter((l) => !lines.includes(l));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} lines missing (${opened} bursts let go), e.g. ${missing.slice(0, 3).join(", ")}`);
      assert.deepEqual(lines, [...Array(bursts * per).keys()].map(want), "every line once, in order");
      assert.equal(code, 0, `logs -f ended with ${code} after ${opened} bursts let go: ${stderr}`);
    } finally {
      follower.kill();
    }
    const logDir = join(d.root, "log", "pods");
    const rotated = readdirSync(join(logDir, readdirSync(logDir).find((n) => n.startsWith("default_chatty_"))!, "c"));
    assert.ok(rotated.length > 1 && rotated.length <= 5, `rotated at 4Ki into at most 5 files: ${rotated.join(" ")}`);
    await d.cli(["delete", "pod", "chatty", "--now"]);
  });

  test("dead containers and their logs beyond the current and previous instance are collected", async () => {
    const p = await eventually(async () => {
      const x = await get("crashy");
      return (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3 && x;
    }, 60_000, "three restarts");
    const uid = p.metadata.uid!;
    const records = readdirSync(join(d.root, "pods", uid, "containers"));
    assert.ok(records.length <= 2, `at most 2 containers kept, found ${records.length}`);
    const logs = readdirSync(join(d.root, "log", "pods", `default_crashy_${uid}`, "c"));
    assert.ok(logs.length <= 2, `at most 2 logs kept: ${logs.join(" ")}`);
    assert.equal((await d.cli(["logs", "crashy", "--previous"])).stdout, "run\n", "logs --previous still works");
    await d.cli(["delete", "pod", "crashy", "--now"]);
  });

  test("events expire after --event-ttl", async () => {
    await d.cli(["run", "brief", "--image", "busybox", "--restart", "Never", "--", "true"]);
    const mine = () => d.events("brief");
    await eventually(async () => (await mine()).length > 0, 10_000, "events recorded");
    await eventually(async () => (await mine()).length === 0, 15_000, "events expired");
    await d.cli(["delete", "pod", "brief", "--now"]);
  });
});
