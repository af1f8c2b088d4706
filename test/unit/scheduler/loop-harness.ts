/**
 * The scheduler's loop over an in-memory store, the API server's in-process API (preemption deletes through it,
 * gracefully) and a fake clock; events collected. Pods are created straight in the store, as a test's fixture.
 */
import { createApiServer } from "../../../src/apiserver/index.js";
import type { KubeObject, Pod } from "../../../src/api/types.js";
import { Scheduler } from "../../../src/scheduler/scheduler.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { FakePodIO } from "../../helpers/fake-pod-io.js";

export interface RecordedEvent {
  name: string;
  type: string;
  reason: string;
  message: string;
}

export function schedulerHarness(o: { bindTimeoutMs?: number } = {}) {
  const clock = new FakeClock(Date.parse("2026-12-01T00:00:00Z"));
  const store = openStore(":memory:", { now: () => new Date(clock.now()) });
  // No node name: pods are not bound at admission; the scheduler binds them.
  const server = createApiServer({ nodeName: "", socketPath: null, store, podIO: new FakePodIO({ now: () => clock.now() }), now: () => clock.now() });
  const events: RecordedEvent[] = [];
  const scheduler = new Scheduler({
    store,
    api: server.objectApi(),
    clock,
    events: { event: (o: KubeObject, type, reason, message) => events.push({ name: o.metadata.name ?? "", type, reason, message }) },
    random: () => 0.99,
    bindTimeoutMs: o.bindTimeoutMs,
  });
  const create = (p: Pod) => {
    const { uid: _uid, ...metadata } = p.metadata;
    return store.create<Pod>({ ...p, metadata });
  };
  const get = (name: string) => store.get<Pod>("Pod", "default", name)!;
  const close = async () => {
    scheduler.stop();
    await server.close();
    store.close();
  };
  return { clock, store, events, scheduler, create, get, close };
}
