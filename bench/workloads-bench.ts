/**
 * `make bench`, workloads (issue 13), in two parts, printed, never asserted:
 *
 * 1. The controllers' side: a 100-replica Deployment from create to 100 ready replicas, a full RollingUpdate of it
 *    to a new template, and the CPU the API server and the workload controllers use while idle with those 100
 *    replicas. The pods are played by the fake kubelet of the tests (Running and Ready at once), so the figures are
 *    the controllers' and the API's, not pod starts.
 * 2. The same with 100 real pods (needs root; skipped otherwise): a real daemon runs a 100-replica Deployment of a
 *    busybox `sleep` container, measured from create to all 100 Ready, a full RollingUpdate (an env change) to all
 *    100 new pods available and the old ones gone, the whole daemon's CPU while idle with the 100 pods (kubelet,
 *    probes-free pods, API, controllers), and a scale to 0 until no pod is left. The load average is printed with it:
 *    on a shared machine it says what the figures were measured under.
 *
 * Run: node dist/bench/workloads-bench.js [--real-only | --fake-only] [--replicas N] [--idle-seconds N]
 */
import { cpus, loadavg } from "node:os";
import type { Deployment } from "../src/api/apps-types.js";
import type { Pod } from "../src/api/types.js";
import { WORKLOAD_CONTROLLERS } from "../src/cmd/workloads-wiring.js";
import { ControllerManager } from "../src/controllers/foundation/controller.js";
import { realClock } from "../src/sys/clock.js";
import { readProcStat } from "../src/sys/proc.js";
import { TestDaemon } from "../test/helpers/daemon.js";
import { FakeKubelet } from "../test/helpers/fake-kubelet.js";
import { startTestServer } from "../test/unit/apiserver/harness.js";
import { waitFor } from "../test/helpers/wait.js";
import { printTable } from "./lib.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REPLICAS = 100;
const IDLE_MS = 10_000;
const REAL_REPLICAS = arg("replicas", 100);
const REAL_IDLE_S = arg("idle-seconds", 20);

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

async function fakeKubelet(): Promise<void> {
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

/** A Deployment of real pods: busybox sleeping, leaving at once on SIGTERM (grace 2 s as a bound). */
const realDeployment = (replicas: number, version: string): Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "bench", namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "bench" } },
    template: {
      metadata: { labels: { app: "bench" } },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"], env: [{ name: "VERSION", value: version }] }],
      },
    },
  },
});

function cpuSeconds(pid: number): number {
  const st = readProcStat(pid);
  if (!st) throw new Error(`process ${pid} is gone`);
  return (st.utime + st.stime) / 100;
}

const load = () => loadavg()[0].toFixed(1);

async function realPods(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log("\nworkloads with real pods: skipped (needs root: it runs a real daemon)");
    return;
  }
  const d = new TestDaemon("workloads-bench");
  const rows: string[][] = [];
  const path = "/apis/apps/v1/namespaces/default/deployments";
  const get = () => d.client.request<Deployment>("GET", `${path}/bench`);
  const podsLeft = async () => (await d.client.request<{ items: Pod[] }>("GET", "/api/v1/namespaces/default/pods", { query: { labelSelector: "app=bench" } })).items.length;
  const timed = async (what: string, act: () => Promise<unknown>, done: () => Promise<boolean>) => {
    const l0 = load();
    const t0 = performance.now();
    await act();
    await waitFor(what, done, 900_000, 200);
    rows.push([what, `${((performance.now() - t0) / 1000).toFixed(1)} s`, `${l0} → ${load()}`]);
  };
  try {
    await d.start();
    const n = REAL_REPLICAS;
    await timed(`${n}-replica Deployment: create → all ${n} Ready`, () => d.client.request("POST", path, { body: realDeployment(n, "1") }), async () => (await get()).status?.readyReplicas === n);
    await timed(`RollingUpdate (env change, 25% surge/unavailable) → ${n} new available, old gone`, async () => {
      const cur = await get();
      await d.client.request("PUT", `${path}/bench`, { body: { ...cur, spec: { ...cur.spec, template: realDeployment(n, "2").spec.template } } });
    }, async () => {
      const cur = await get();
      const s = cur.status;
      return s?.observedGeneration === cur.metadata.generation && s?.updatedReplicas === n && s.availableReplicas === n && s.replicas === n && (await podsLeft()) === n;
    });
    const pid = d.pid!;
    const l0 = load();
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, REAL_IDLE_S * 1000));
    const wall = (performance.now() - t0) / 1000;
    rows.push([`daemon idle with ${n} running pods, ${REAL_IDLE_S} s (kubelet + API + controllers)`, `${(((cpuSeconds(pid) - c0) / wall) * 100).toFixed(2)}% of a core`, `${l0} → ${load()}`]);
    await timed(`scale to 0 → no pod left`, async () => {
      const cur = await get();
      await d.client.request("PUT", `${path}/bench`, { body: { ...cur, spec: { ...cur.spec, replicas: 0 } } });
    }, async () => ((await get()).status?.replicas ?? 0) === 0 && (await podsLeft()) === 0);
  } finally {
    await d.cleanup();
  }
  console.log(`\nworkloads with real pods: ${cpus().length} cores, node ${process.version}`);
  printTable(["workloads (real daemon, real pods)", "measured", "load average (1 min) before → after"], rows);
}

if (!process.argv.includes("--real-only")) await fakeKubelet();
if (!process.argv.includes("--fake-only")) await realPods();
