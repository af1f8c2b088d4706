/**
 * The daemon's kubelet stores its events after the turn that recorded them (events.ts writeLater): nothing is in the
 * store while the recording code runs on (a start's status write comes first), everything is there after the turn,
 * in the order recorded, counted and timestamped as recorded; flush() writes what is queued at once (the agent's stop).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Event, Pod } from "../../../src/api/types.js";
import { FakeClock } from "../../../src/kubelet/clock.js";
import { EventRecorder } from "../../../src/kubelet/events.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", uid: "u1" }, spec: { containers: [] } };

function setup() {
  const store = openStore(":memory:");
  const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
  const rec = new EventRecorder(store, clock, "kubelet", "node1", { qps: 0, burst: 1 }, true);
  const events = () => store.list<Event>("Event").items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  return { store, clock, rec, events };
}

test("events are stored after the recording turn, in order, with the times and counts of when they were recorded", async () => {
  const { clock, rec, events, store } = setup();
  rec.record(pod, "Normal", "Created", "Created container c");
  clock.advance(1000);
  rec.record(pod, "Normal", "Started", "Started container c");
  rec.record(pod, "Warning", "BackOff", "Back-off");
  rec.record(pod, "Warning", "BackOff", "Back-off");
  await Promise.resolve();
  assert.deepEqual(events(), [], "nothing stored within the turn (microtasks included)");
  await new Promise((r) => setImmediate(r));
  const got = events();
  assert.deepEqual(got.map((e) => [e.reason, e.count]), [["Created", 1], ["Started", 1], ["BackOff", 2]]);
  assert.equal(got[0].firstTimestamp, "2026-12-01T10:00:00Z", "the time it was recorded, not written");
  assert.equal(got[1].firstTimestamp, "2026-12-01T10:00:01Z");
  store.close();
});

test("flush writes what is queued at once", () => {
  const { rec, events, store } = setup();
  rec.record(pod, "Normal", "Killing", "Stopping container c");
  rec.flush();
  assert.deepEqual(events().map((e) => e.reason), ["Killing"]);
  store.close();
});
