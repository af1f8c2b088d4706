/**
 * The node's heartbeat Lease on a fake clock (created held by the node, owned by the Node, renewed every 10 s,
 * retried with backoff when the store refuses, stopped for good), Lease validation through admission, and the
 * node's own usage for `kubectl top node` from a fake /proc.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as tick } from "node:timers/promises";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import { microTime, type Lease } from "../../../src/api/lease.js";
import { printerFor, toTable } from "../../../src/api/tables/index.js";
import type { Node } from "../../../src/api/types.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { NodeLease } from "../../../src/kubelet/node-lease.js";
import { NodeUsageReader } from "../../../src/kubelet/node-usage.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { hostUsage } from "../../../src/sys/node-stats.js";

const lease = (s: Store) => s.get<Lease>("Lease", "kube-node-lease", "node1");

describe("node lease", () => {
  it("is created held by the node with a 40 s duration, owned by the Node, and renewed every 10 s", () => {
    const store = openStore(":memory:");
    const clock = new FakeClock(Date.parse("2026-12-07T04:00:00.000Z"));
    const node = store.create<Node>({ apiVersion: "v1", kind: "Node", metadata: { name: "node1" } });
    const l = new NodeLease({ store, nodeName: "node1", clock });
    try {
      l.start();
      const first = lease(store)!;
      assert.equal(first.spec?.holderIdentity, "node1");
      assert.equal(first.spec?.leaseDurationSeconds, 40);
      assert.equal(first.spec?.renewTime, "2026-12-07T04:00:00.000000Z");
      assert.deepEqual(first.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Node", name: "node1", uid: node.metadata.uid }]);
      clock.advance(9_999);
      assert.equal(lease(store)!.spec?.renewTime, "2026-12-07T04:00:00.000000Z");
      clock.advance(1);
      assert.equal(lease(store)!.spec?.renewTime, "2026-12-07T04:00:10.000000Z");
      assert.equal(lease(store)!.metadata.uid, first.metadata.uid, "renewed, not replaced");
      l.stop();
      clock.advance(60_000);
      assert.equal(lease(store)!.spec?.renewTime, "2026-12-07T04:00:10.000000Z");
    } finally {
      l.stop();
      store.close();
    }
  });

  it("a refused renewal is retried after 200 ms, doubling, then the 10 s rhythm resumes", () => {
    const store = openStore(":memory:");
    const clock = new FakeClock(0);
    let failing = 3;
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        if ((prop === "update" || prop === "create") && failing > 0) {
          return () => {
            failing--;
            throw new Error("database is locked");
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const logs: string[] = [];
    const l = new NodeLease({ store: flaky, nodeName: "node1", clock, log: (m) => logs.push(m) });
    try {
      l.start(); // fails (3 left → 2)
      clock.advance(200); // fails (→ 1)
      clock.advance(400); // fails (→ 0)
      assert.equal(lease(store), undefined);
      clock.advance(799);
      assert.equal(lease(store), undefined);
      clock.advance(1);
      assert.equal(lease(store)!.spec?.renewTime, microTime(1400));
      clock.advance(10_000);
      assert.equal(lease(store)!.spec?.renewTime, microTime(11_400));
      assert.equal(logs.length, 3);
      assert.match(logs[0], /failed to update lease kube-node-lease\/node1: database is locked/);
    } finally {
      l.stop();
      store.close();
    }
  });

  it("admission validates the spec as upstream, and the table shows the holder", () => {
    const bad: Lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "x", namespace: "kube-node-lease" }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } };
    assert.throws(
      () => admitCreate(bad, { nodeName: "node1" }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.reason === "Invalid" &&
        /spec\.leaseDurationSeconds: Invalid value: 0: must be greater than 0/.test(e.message) &&
        /spec\.leaseTransitions: Invalid value: -1: must be greater than or equal to 0/.test(e.message),
    );
    const ok = admitCreate({ ...bad, spec: { holderIdentity: "node1", leaseDurationSeconds: 40 } }, { nodeName: "node1" }) as Lease;
    const table = toTable(printerFor("Lease"), [{ ...ok, metadata: { ...ok.metadata, creationTimestamp: new Date(0).toISOString() } }], { version: "v1", includeObject: "None", now: 60_000 });
    assert.deepEqual(table.columnDefinitions?.map((c) => c.name), ["Name", "Holder", "Age"]);
    assert.deepEqual(table.rows[0].cells, ["x", "node1", "60s"]);
  });
});

describe("the node's own usage", () => {
  it("hostUsage: busy CPU ticks of /proc/stat and used memory less inactive file cache", () => {
    const proc = mkdtempSync(join(tmpdir(), "nodelet-proc-"));
    try {
      writeFileSync(join(proc, "stat"), "cpu  100 20 30 1000 50 5 5 0 7 0\ncpu0 1 1 1 1 1 1 1 1 1 1\n");
      writeFileSync(join(proc, "meminfo"), "MemTotal:  1000 kB\nMemFree:  300 kB\nMemAvailable: 600 kB\nInactive(file):  200 kB\n");
      const u = hostUsage(proc);
      assert.equal(u.cpuNanos, (100 + 20 + 30 + 5 + 5) * 1e7);
      assert.equal(u.memoryWorkingSetBytes, (1000 - 300 - 200) * 1024);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it("NodeUsageReader: CPU as a rate over the window, memory in Ki", async () => {
    const clock = new FakeClock(0);
    let cpuNanos = 0;
    const reader = new NodeUsageReader(clock, () => ({ cpuNanos, memoryWorkingSetBytes: 2048 * 1024 }));
    const pending = reader.usage();
    await tick();
    cpuNanos = 250_000_000; // a quarter of a CPU-second in the half-second window: 0.5 cores
    clock.advance(500);
    assert.deepEqual(await pending, { cpu: "500000000n", memory: "2048Ki" });
  });
});
