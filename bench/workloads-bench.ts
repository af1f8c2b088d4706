/**
 * `make bench`, workloads (issue 13), the controllers' side: a 100-replica Deployment from create to 100 ready
 * replicas, a full RollingUpdate of it to a new template, and the CPU the API server and the workload controllers
 * use while idle with those 100 replicas. The pods are played by the fake kubelet of the tests (Running and Ready at
 * once), so the figures are the controllers' and the API's, not pod starts (the kubelet bench has those).
 * Printed, never asserted. Run: node dist/bench/workloads-bench.js
 */
import type { Deployment } from "../src/api/apps-types.js";
import { WORKLOAD_CONTROLLERS } from "../src/cmd/workloads-wiring.js";
import { ControllerManager } from "../src/controllers/foundation/controller.js";
import { realClock } from "../src/sys/clock.js";
import { FakeKubelet } from "../test/helpers/fake-kubelet.js";
import { startTestServer } from "../test/unit/apiserver/harness.js";
import { waitFor } from "../test/helpers/wait.js";
import { printTable } from "./lib.js";

const REPLICAS = 100;
const IDLE_MS = 10_000;

const deployment = (image: string): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "bench", namespace: "default" },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: "bench" } },
    template: { metadata: { labels: { app: "bench" } }, spec: { containers: [{ name: "c", image }] } },
  },
});

async function main(): Promise<void> {
  const t = await startTestServer();
  const kubelet = new FakeKubelet(t.store);
  kubelet.start();
  const api = t.server.objectApi();
  const manager = new ControllerManager({ api, clock: realClock, nodeName: "node1", metrics: { podMetrics: (ns, sel) => t.server.podMetrics(ns, sel) } });
  manager.start(WORKLOAD_CONTROLLERS);
  const get = () => t.store.get<Deployment>("Deployment", "default", "bench");
  try {
    let start = performance.now();
    api.create(deployment("busybox:1"));
    await waitFor("100 ready replicas", () => get()?.status?.readyReplicas === REPLICAS, 120_000);
    const ready = performance.now() - start;

    start = performance.now();
    const d = get()!;
    api.update<Deployment>({ ...d, spec: { ...d.spec, template: deployment("busybox:2").spec.template } });
    await waitFor("the rollout", () => {
      const s = get()?.status;
      return s?.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS && (get()?.metadata.generation ?? 0) === s.observedGeneration;
    }, 300_000);
    const rollout = performance.now() - start;

    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const cpu = process.cpuUsage(cpu0);
    const idle = ((cpu.user + cpu.system) / 1000 / IDLE_MS) * 100;
    printTable(
      ["workloads (API + controllers, fake kubelet)", "figure"],
      [
        [`${REPLICAS}-replica Deployment: create → all Ready`, `${(ready / 1000).toFixed(2)} s`],
        [`RollingUpdate of ${REPLICAS} replicas (25% surge/unavailable)`, `${(rollout / 1000).toFixed(2)} s`],
        [`idle with ${REPLICAS} replicas, ${IDLE_MS / 1000} s`, `${idle.toFixed(2)}% of a core`],
      ],
    );
  } finally {
    kubelet.stop();
    await manager.stop();
    await t.close();
  }
}

await main();
