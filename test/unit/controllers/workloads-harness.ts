/**
 * Controllers over an in-memory store and the API server's in-process API (no listener), a fake clock for the
 * controllers and a fake kubelet: what the workload unit tests run on. close() stops everything.
 */
import type { ObjectApi } from "../../../src/api/object-api.js";
import { createApiServer, type ApiServer } from "../../../src/apiserver/index.js";
import { ControllerManager, type ControllerFactory } from "../../../src/controllers/foundation/controller.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { FakePodIO, type FakePodIOOptions } from "../../helpers/fake-pod-io.js";
import { FakeKubelet, type FakeKubeletOptions } from "../../helpers/fake-kubelet.js";

export interface ControllerHarness {
  store: Store;
  api: ObjectApi;
  /** The (not listening) API server: tests register hooks on it. */
  server: ApiServer;
  clock: FakeClock;
  kubelet: FakeKubelet;
  manager: ControllerManager;
  /** Lets queued work, kubelet updates and their follow-ups run (several event-loop turns). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** `storeOnClock`: creationTimestamps come from the fake clock too (CronJobs count start times from them). */
/** `usage`: each pod's usage as the Metrics API reports it to the autoscaler (timestamps from the fake clock). */
export function startControllers(factories: ControllerFactory[], kubelet: FakeKubeletOptions = {}, opts: { storeOnClock?: boolean; usage?: FakePodIOOptions["usage"] } = {}): ControllerHarness {
  const clock = new FakeClock(Date.parse("2026-12-01T00:00:00Z"));
  const store = openStore(":memory:", opts.storeOnClock ? { now: () => new Date(clock.now()) } : {});
  const server = createApiServer({ nodeName: "node1", socketPath: null, store, podIO: new FakePodIO({ usage: opts.usage, now: () => clock.now() }), now: () => clock.now() });
  const api = server.objectApi();
  const fk = new FakeKubelet(store, { now: () => clock.now(), ...kubelet });
  fk.start();
  const manager = new ControllerManager({ api, clock, nodeName: "node1", metrics: { podMetrics: (ns, sel) => server.podMetrics(ns, sel) } });
  manager.start(factories);
  return {
    store,
    api,
    server,
    clock,
    kubelet: fk,
    manager,
    async settle() {
      for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
    },
    async close() {
      fk.stop();
      await manager.stop();
      store.close();
    },
  };
}
