/**
 * A cluster at scale on this machine (#15), as kubemark measures one: the real `nodelet control-plane` process (on
 * its SQLite store, then on etcd started here) with hollow nodes (bench/hollow-nodes.ts: the kubelet's own Node
 * heartbeat and Lease, pods reported Running without a runtime), then pods created through the API at a fixed
 * concurrency. Measured from this process, through the API as a user sees it:
 * - scheduling throughput: pods bound per second (scheduler_perf's SchedulingThroughput: per-second samples while
 *   pods wait, their average and percentiles) and over the whole run;
 * - pod startup latency: create (before the POST) → Running as seen by a watch, p50/p90/p99 (the SLO's definition),
 *   split at the watch's first sight of the pod bound; for the saturation's pods and, as clusterloader2's density
 *   test judges the SLO, for latency pods created after it at a steady 5 per second (`--latency-pods`, default
 *   max(500, nodes); `--latency-qps`);
 * - API call latency of single objects: the creates, and GETs of a pod and of a Node sampled every 100 ms; p50/p99;
 * - list latency: every pod in the cluster and the Nodes, every 10 s during the run and once at the end;
 * - watch latency: create (before the POST) → ADDED on a watch of the namespace.
 * Compared with kube-scheduler's scheduler_perf thresholds and the Kubernetes scalability SLOs (README, "Scale").
 * `node dist/bench/cluster-scale-bench.js [--nodes 100] [--pods 3000] [--stores sqlite,etcd] [--pools 10]
 * [--concurrency 20] [--etcd-members 1] [--kubeconfig FILE (a control plane already running)]
 * [--latency-pods N] [--latency-qps 5] [--cpu-prof DIR (the control plane writes a V8 CPU profile there when it stops)]`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ApiError } from "../src/api/errors.js";
import { ApiClient } from "../src/client/client.js";
import { ConnectionError } from "../src/client/connection-error.js";
import { resourceForKind } from "../src/api/resources.js";
import type { KubeList, Node, Pod, WatchEvent } from "../src/api/types.js";
import { readKubeconfigEndpoint } from "../src/store/remote-kubeconfig.js";
import { startEtcd, type TestEtcd } from "../test/helpers/etcd.js";
import { hollowName } from "../test/helpers/hollow-node.js";
import { freePort } from "../test/helpers/ports.js";
import { removeRoot, startTestControlPlane, type TestControlPlane } from "../test/helpers/roles.js";
import { waitFor } from "../test/helpers/wait.js";
import { percentile, printTable } from "./lib.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const NODES = Number(arg("nodes", "100"));
const PODS = Number(arg("pods", "3000"));
const STORES = arg("stores", "sqlite,etcd").split(",");
const POOLS = Math.min(NODES, Number(arg("pools", "10")));
const CONCURRENCY = Number(arg("concurrency", "20"));
const ETCD_MEMBERS = Number(arg("etcd-members", "1"));
/**
 * clusterloader2's density test: after the saturation, max(500, nodes) latency pods created at 5 per second
 * (Uniform5qps), whose startup is the one the SLO judges (the saturation's includes queueing behind 3,000 creates).
 */
const LATENCY_PODS = Number(arg("latency-pods", String(Math.max(500, NODES))));
const LATENCY_QPS = Number(arg("latency-qps", "5"));
/** A control plane already running (its admin kubeconfig): measured as it is, e.g. one started under --cpu-prof. */
const KUBECONFIG = arg("kubeconfig", "");
/** Where the control plane it starts writes its CPU profile (Node's --cpu-prof, which NODE_OPTIONS may not carry). */
const CPU_PROF = arg("cpu-prof", "");
const NS = "default";
const POD_INFO = resourceForKind("Pod")!;
const NODE_INFO = resourceForKind("Node")!;

/** scheduler_perf's pod-default.yaml: one pause container requesting 100m CPU and 500Mi. */
const podOf = (i: number, phase: "saturation" | "latency" = "saturation"): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `${phase === "latency" ? "latency" : "scale"}-${String(i).padStart(5, "0")}`, namespace: NS, labels: { app: "scale", phase } },
  spec: { containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "100m", memory: "500Mi" }, limits: { cpu: "100m", memory: "500Mi" } } }] },
});

/** When the bench saw each step of one pod (performance.now() of this process, ms). */
interface PodTimes {
  /** Before its POST. */
  created: number;
  /** The first watch event with it (ADDED). */
  added?: number;
  /** The first watch event with spec.nodeName set. */
  bound?: number;
  /** The first watch event with phase Running. */
  running?: number;
}

/** Pod startup split at the bench's own timestamps: where the time goes (ms per pod). */
export interface StartupSplit {
  /** create → Running seen by the watch (the SLO's pod startup). */
  total: number[];
  /** create → seen bound: the API write, the scheduling queue, the scheduler's cycle and its binding writes. */
  toBound: number[];
  /** seen bound → seen Running: the hollow node's watch, its status write, and the watch fan-out back. */
  boundToRunning: number[];
}

export interface RunFigures {
  store: string;
  /** Pods bound per second over the run: pods / (last bound − first create). */
  overallRate: number;
  /** Per-second samples of pods bound while some waited (scheduler_perf's SchedulingThroughput). */
  samples: number[];
  startup: StartupSplit;
  /** The latency phase: pods created at a steady rate after the saturation (clusterloader2's latency pods). */
  latency: StartupSplit & { pods: number; qps: number; createLatency: number[] };
  createLatency: number[];
  getLatency: number[];
  listAllPods: number[];
  listNodes: number[];
  finalListAllPods: number;
  watchLatency: number[];
  wallSeconds: number;
  /** CPU time the control plane (and etcd) spent from the first create until every pod ran, ms per pod. */
  cpuPerPod: { controlPlane: number; etcd?: number };
}

/** User + system CPU time of a process so far, ms (/proc/PID/stat utime and stime, in clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const now = () => performance.now();

async function timed<T>(out: number[], f: () => Promise<T>): Promise<T> {
  const t = now();
  const r = await f();
  out.push(now() - t);
  return r;
}

/** A sampled call that failed is counted, not fatal: the run goes on and the table says how many failed. */
let failedCalls = 0;
async function sampled(out: number[], f: () => Promise<unknown>): Promise<void> {
  try {
    await timed(out, f);
  } catch (err) {
    if (failedCalls++ < 5) process.stderr.write(`  sampled call failed: ${String(err)}\n`);
  }
}

/**
 * POST a pod; a connection the server closed as the request went out (its keep-alive timeout after an idle spell,
 * ECONNRESET) is tried again once, and AlreadyExists then means the first attempt did arrive.
 */
async function createOnce(client: ApiClient, pod: Pod): Promise<void> {
  try {
    await client.create(POD_INFO, pod);
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    failedCalls++;
    try {
      await client.create(POD_INFO, pod);
    } catch (again) {
      if (!(again instanceof ApiError && again.reason === "AlreadyExists")) throw again;
    }
  }
}

interface Pools {
  procs: ChildProcess[];
  stop(): Promise<void>;
}

async function startPools(kubeconfig: string): Promise<Pools> {
  const script = fileURLToPath(new URL("./hollow-nodes.js", import.meta.url));
  const procs: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  let stopping = false;
  const per = Math.ceil(NODES / POOLS);
  for (let first = 0; first < NODES; first += per) {
    const count = Math.min(per, NODES - first);
    const p = spawn(process.execPath, [script, "--kubeconfig", kubeconfig, "--first", String(first), "--count", String(count)], { stdio: ["ignore", "pipe", "pipe"] });
    procs.push(p);
    let err = "";
    p.stderr?.on("data", (d: Buffer) => {
      if (err.length < 4096) err += d.toString();
    });
    ready.push(
      new Promise((resolve, reject) => {
        p.stdout?.on("data", (d: Buffer) => d.toString().includes("hollow nodes ready") && resolve());
        p.once("exit", (code) => {
          const e = new Error(`hollow node pool ${first}+${count} exited (${code}): ${err}`);
          reject(e);
          // After it was ready and before the stop: its nodes' pods will not run, so say why.
          if (!stopping) process.stderr.write(`  ${e.message}\n`);
        });
      }),
    );
  }
  const stop = async () => {
    stopping = true;
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once("exit", () => resolve());
            p.kill("SIGTERM");
            setTimeout(() => p.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
  };
  try {
    await Promise.all(ready);
  } catch (err) {
    await stop();
    throw err;
  }
  return { procs, stop };
}

const readyNode = (n: Node) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

interface Measured {
  /** The control plane's pid (and etcd's members'), for their CPU time; undefined for a given control plane. */
  cpPid?: number;
  etcdPids?: number[];
  exited?: () => boolean;
}

/** The three splits of pod startup over `pods` (all of them Running). */
function splitOf(pods: PodTimes[]): StartupSplit {
  return {
    total: pods.map((p) => p.running! - p.created),
    toBound: pods.map((p) => p.bound! - p.created),
    boundToRunning: pods.map((p) => p.running! - p.bound!),
  };
}

async function run(store: string, kubeconfig: string, m: Measured = {}): Promise<RunFigures> {
  const exited = m.exited ?? (() => false);
  const etcdCpu = () => (m.etcdPids ?? []).reduce((a, pid) => a + cpuMs(pid), 0);
  const ep = readKubeconfigEndpoint(kubeconfig);
  const client = new ApiClient({ server: ep.server, token: ep.token, ca: ep.ca });
  const pools = await startPools(kubeconfig);
  try {
    await waitFor(
      `${NODES} hollow nodes Ready`,
      async () => (await client.list<Node>(NODE_INFO)).items.filter((n) => n.metadata.name?.startsWith("hollow-") && readyNode(n)).length === NODES,
      600_000,
      1000,
    );
    process.stderr.write(`  ${store}: ${NODES} hollow nodes Ready; creating ${PODS} pods\n`);
    const times = new Map<string, PodTimes>();
    const saturation: PodTimes[] = [];
    const latency: PodTimes[] = [];
    /** Pods whose create answered, for the sampled GETs. */
    const stored: string[] = [];
    let boundCount = 0;
    let runningCount = 0;
    let t0 = now();
    const list = await client.list<Pod>(POD_INFO, { namespace: NS });
    const watch = client.watch(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: list.metadata?.resourceVersion, labelSelector: "app=scale" }, (ev: WatchEvent) => {
      const p = ev.object as Pod;
      const pt = times.get(p.metadata.name ?? "");
      if (!pt) return;
      const t = now();
      if (ev.type === "ADDED" && pt.added === undefined) pt.added = t;
      if (p.spec?.nodeName && pt.bound === undefined) {
        pt.bound = t;
        if (++boundCount === PODS) process.stderr.write(`  ${store}: all ${PODS} pods bound ${((t - t0) / 1000).toFixed(1)} s after the first create\n`);
      }
      if (p.status?.phase === "Running" && pt.running === undefined) {
        pt.running = t;
        runningCount++;
      }
    });
    watch.done.catch((err: unknown) => process.stderr.write(`  watch ended: ${String(err)}\n`));
    const f: RunFigures = {
      store,
      overallRate: 0,
      samples: [],
      startup: splitOf([]),
      latency: { ...splitOf([]), pods: LATENCY_PODS, qps: LATENCY_QPS, createLatency: [] },
      createLatency: [],
      getLatency: [],
      listAllPods: [],
      listNodes: [],
      finalListAllPods: 0,
      watchLatency: [],
      wallSeconds: 0,
      cpuPerPod: { controlPlane: NaN },
    };
    let sampling = true;
    const getter = (async () => {
      for (let i = 0; sampling; i++) {
        if (stored.length) await sampled(f.getLatency, () => client.get<Pod>(POD_INFO, NS, stored[i % stored.length]));
        await sampled(f.getLatency, () => client.get<Node>(NODE_INFO, undefined, hollowName(i % NODES)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const lister = (async () => {
      while (sampling) {
        await sampled(f.listAllPods, () => client.request<KubeList<Pod>>("GET", "/api/v1/pods"));
        await sampled(f.listNodes, () => client.list<Node>(NODE_INFO));
        await new Promise((r) => setTimeout(r, 10_000));
      }
    })();
    // Per-second samples of pods bound while any created pod waits for a node.
    let lastBound = 0;
    const sampler = setInterval(() => {
      if (saturation.length > boundCount || boundCount > lastBound) f.samples.push(boundCount - lastBound);
      lastBound = boundCount;
    }, 1000);
    const create = async (pod: Pod, into: PodTimes[], latencies: number[]) => {
      const pt: PodTimes = { created: now() };
      times.set(pod.metadata.name!, pt);
      into.push(pt);
      await timed(latencies, () => createOnce(client, pod));
      stored.push(pod.metadata.name!);
    };
    const allRunning = (what: string, count: () => number) =>
      waitFor(
        what,
        () => {
          if (exited()) throw new Error("the control plane exited");
          return count() >= times.size;
        },
        1_800_000,
        100,
      );
    t0 = now();
    const cpu0 = { cp: cpuMs(m.cpPid), etcd: etcdCpu() };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < PODS; i = next++) await create(podOf(i), saturation, f.createLatency);
      }),
    );
    await allRunning(`${PODS} pods Running`, () => runningCount);
    f.wallSeconds = (now() - t0) / 1000;
    f.cpuPerPod = { controlPlane: (cpuMs(m.cpPid) - cpu0.cp) / PODS, ...(m.etcdPids?.length ? { etcd: (etcdCpu() - cpu0.etcd) / PODS } : {}) };
    clearInterval(sampler);
    if (boundCount > lastBound) f.samples.push(boundCount - lastBound);
    // The latency phase: one pod every 1/qps s whatever the answers (a create does not wait for the one before).
    if (LATENCY_PODS > 0) {
      process.stderr.write(`  ${store}: latency phase, ${LATENCY_PODS} pods at ${LATENCY_QPS}/s\n`);
      const start = now();
      const creates: Promise<void>[] = [];
      for (let i = 0; i < LATENCY_PODS; i++) {
        const due = start + (i * 1000) / LATENCY_QPS;
        if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
        creates.push(create(podOf(i, "latency"), latency, f.latency.createLatency));
      }
      await Promise.all(creates);
      await allRunning(`${LATENCY_PODS} latency pods Running`, () => runningCount);
    }
    sampling = false;
    await Promise.all([getter, lister]);
    await sampled(f.listAllPods, () => client.request<KubeList<Pod>>("GET", "/api/v1/pods"));
    f.finalListAllPods = f.listAllPods[f.listAllPods.length - 1];
    watch.stop();
    const firstCreate = Math.min(...saturation.map((p) => p.created));
    const lastBind = Math.max(...saturation.map((p) => p.bound!));
    f.overallRate = saturation.length / ((lastBind - firstCreate) / 1000);
    f.startup = splitOf(saturation);
    f.watchLatency = saturation.map((p) => p.added! - p.created);
    f.latency = { ...f.latency, ...splitOf(latency) };
    return f;
  } finally {
    await pools.stop();
    client.close();
  }
}

async function withControlPlane(store: string): Promise<RunFigures> {
  let etcd: TestEtcd | undefined;
  let cp: TestControlPlane | undefined;
  try {
    // Every hollow node watches its pods from this host's one address (kubemark's run from many): room for all.
    const args = ["--leader-elect", "false", "--max-watches-per-client", String(NODES + 50)];
    if (store === "etcd") {
      etcd = await startEtcd({ members: ETCD_MEMBERS });
      args.push("--etcd-servers", etcd.endpoints.join(","));
    }
    cp = await startTestControlPlane(await freePort(), args, undefined, CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", CPU_PROF] : []);
    const c = cp;
    return await run(store === "etcd" ? `etcd ${ETCD_MEMBERS}-member` : "SQLite", c.kubeconfig, { cpPid: c.proc.pid, etcdPids: etcd?.pids, exited: () => c.exited() });
  } catch (err) {
    if (cp?.exited()) process.stderr.write(`control plane exited; its last output:\n${cp.output().slice(-4000)}\n`);
    throw err;
  } finally {
    await cp?.stop();
    if (cp) removeRoot(cp.root);
    await etcd?.stop();
  }
}

const f1 = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const pp = (xs: number[]) => `${f1(percentile(xs, 50))} / ${f1(percentile(xs, 99))}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const results: RunFigures[] = [];
  if (KUBECONFIG) results.push(await run(`given (${KUBECONFIG})`, KUBECONFIG));
  else for (const s of STORES) results.push(await withControlPlane(s));
  console.log(`\nCluster scale: ${NODES} hollow nodes, ${PODS} pods created ${CONCURRENCY} at a time (ms unless stated)`);
  printTable(
    ["control plane store", "bound pods/s (run)", "pods/s per-second avg / p50 / p90", "pod startup p50/p99", "create p50/p99", "GET pod|node p50/p99", "LIST all pods p50/p99 (final)", "LIST nodes p50/p99", "create → watch ADDED p50/p99", "wall s", "CPU ms/pod: control plane (+ etcd)"],
    results.map((r) => [
      r.store,
      r.overallRate.toFixed(0),
      `${mean(r.samples).toFixed(0)} / ${percentile(r.samples, 50)} / ${percentile(r.samples, 90)}`,
      pp(r.startup.total),
      pp(r.createLatency),
      pp(r.getLatency),
      `${pp(r.listAllPods)} (${f1(r.finalListAllPods)})`,
      pp(r.listNodes),
      pp(r.watchLatency),
      r.wallSeconds.toFixed(1),
      `${f1(r.cpuPerPod.controlPlane)}${r.cpuPerPod.etcd === undefined ? "" : ` (+ ${f1(r.cpuPerPod.etcd)})`}`,
    ]),
  );
  const ppp = (xs: number[]) => `${f1(percentile(xs, 50))} / ${f1(percentile(xs, 90))} / ${f1(percentile(xs, 99))}`;
  console.log(`\nPod startup, create → Running seen by a watch, split at the bench's timestamps (ms, p50 / p90 / p99)`);
  printTable(
    ["control plane store", "phase", "pods", "create → bound", "bound → Running", "create → Running (pod startup)", "create call p50/p99"],
    results.flatMap((r) => [
      [r.store, `saturation (${CONCURRENCY} creates in flight)`, String(r.startup.total.length), ppp(r.startup.toBound), ppp(r.startup.boundToRunning), ppp(r.startup.total), pp(r.createLatency)],
      [r.store, `latency (${r.latency.qps} pods/s after it)`, String(r.latency.total.length), ppp(r.latency.toBound), ppp(r.latency.boundToRunning), ppp(r.latency.total), pp(r.latency.createLatency)],
    ]),
  );
  const worst = (k: (r: RunFigures) => number) => Math.max(...results.map(k));
  const singleObject = (r: RunFigures) => Math.max(percentile(r.createLatency, 99), percentile(r.latency.createLatency, 99), percentile(r.getLatency, 99));
  console.log(`\nAgainst the SLOs (worst of the runs): single-object API call p99 ${f1(worst(singleObject))} ms (SLO ≤ 1000 ms); ` +
    `cluster-scope LIST p99 ${f1(worst((r) => percentile(r.listAllPods, 99)))} ms (SLO ≤ 30000 ms); ` +
    `pod startup p99 ${f1(worst((r) => percentile(r.latency.total, 99)))} ms for the latency pods, ${f1(worst((r) => percentile(r.startup.total, 99)))} ms in the saturation (SLO ≤ 5000 ms, judged on the latency pods as clusterloader2 does).`);
  if (failedCalls) console.log(`${failedCalls} sampled GET/LIST calls failed (not in the figures) or creates were sent again after a reset connection.`);
  console.log(`scheduler_perf publishes no threshold below 5000 nodes; its SchedulingBasic/5000Nodes_10000Pods threshold is 680 pods/s (README, "Scale").`);
}

// A stopped bench still takes its control plane, etcd and hollow nodes with it (the helpers' exit handlers).
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(1));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
