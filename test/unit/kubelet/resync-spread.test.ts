/**
 * The periodic resync is spread over its period: each step wakes one slice of the pods, every pod still syncs once
 * a period, and the runtime is rescanned once a period.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../../src/api/types.js";
import { admitCreate } from "../../../src/api/admission.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { Kubelet, RESYNC_SLICES, sliceOf } from "../../../src/kubelet/kubelet.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakeRuntime } from "../../helpers/fake-runtime.js";

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test("sliceOf spreads uids over every step, the same way each time", () => {
  const counts = new Array<number>(RESYNC_SLICES).fill(0);
  for (let i = 0; i < 1000; i++) counts[sliceOf(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)]++;
  for (const c of counts) assert.ok(c > 50 && c < 150, `slices ${counts.join(",")}`);
  assert.equal(sliceOf("abc"), sliceOf("abc"));
});

test("every pod syncs once a resync period, a slice at a time, and the runtime is rescanned once", async () => {
  const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
  const store = openStore(":memory:", { now: () => new Date(clock.now()) });
  const runtime = new FakeRuntime(clock);
  let rescans = 0;
  const counted = Object.assign(runtime, { resync: () => { rescans++; return Promise.resolve(); } });
  const syncs = new Map<string, number>();
  const kubelet = new Kubelet({
    nodeName: "node1", store, runtime: counted, clock, resyncMs: 10_000,
    syncer: {
      syncPod: (pod: Pod) => {
        syncs.set(pod.metadata.uid!, (syncs.get(pod.metadata.uid!) ?? 0) + 1);
        return Promise.resolve(undefined);
      },
      terminatePod: () => Promise.resolve(),
    },
  });
  try {
    for (let i = 0; i < 40; i++) {
      store.create(admitCreate({ apiVersion: "v1", kind: "Pod", metadata: { name: `p${i}`, namespace: "default" }, spec: { containers: [{ name: "c", image: "busybox" }] } }, { nodeName: "node1" }));
    }
    await kubelet.start();
    await settle();
    assert.equal(syncs.size, 40, "each pod synced on start");
    syncs.clear();
    let most = 0;
    for (let step = 0; step < RESYNC_SLICES; step++) {
      const before = [...syncs.values()].reduce((a, b) => a + b, 0);
      clock.advance(10_000 / RESYNC_SLICES);
      await settle();
      most = Math.max(most, [...syncs.values()].reduce((a, b) => a + b, 0) - before);
    }
    assert.equal(syncs.size, 40, "every pod synced in the period");
    assert.ok([...syncs.values()].every((n) => n === 1), "once each");
    assert.ok(most < 40, `a step woke ${most} of 40 pods`);
    assert.equal(rescans, 1);
  } finally {
    await kubelet.stop();
    store.close();
  }
});
