/**
 * `make bench`, part 1 — the pod runtime (issue 2), side by side with its peers in one run:
 *   1. pod start latency inside the daemon: API create → the container's process running (status seen through a
 *      watch), p50/p99 over 200 pods one at a time, from a client that keeps its connection (no CLI start-up in it),
 *      with warm sandboxes and with the pool off (the previous path), paired, and the step breakdown of both;
 *   2. the whole `nodelet run --rm --attach busybox -- true` (also from a V8 startup snapshot of the CLI) against
 *      `node -e 0` and the same isolated /bin/true under crun, runc and podman (hyperfine; ratios against podman);
 *   3. 100 `sleep` pods created at once until all are Running, with the pool and without;
 *   4. the daemon's RSS with 100 pods and each monitor's RSS; idle CPU and memory per warm sandbox.
 * Figures are printed, never asserted: the machine is shared and noisy.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Pod } from "../src/api/types.js";
import { resolveResource } from "../src/api/resources.js";
import type { ApiClient } from "../src/client/index.js";
import type { StartTiming } from "../src/sys/start-trace.js";
import { readProcStat } from "../src/sys/proc.js";
import { NODELET, TestDaemon } from "../test/helpers/daemon.js";
import { percentile, printTable, hyperfine, have } from "./lib.js";

const PODS = resolveResource("pods")!;
/** The command users run (bin/nodelet: the bundled CLI), not the compiled modules the tests drive. */
const BIN = fileURLToPath(new URL("../../bin/nodelet", import.meta.url));

async function waitRunning(client: ApiClient, names: Set<string>, resourceVersion?: string): Promise<void> {
  if (names.size === 0) return;
  await new Promise<void>((resolve, reject) => {
    const h = client.watch("/api/v1/namespaces/default/pods", { watch: "true", resourceVersion }, (ev) => {
      const p = ev.object as Pod;
      if (p.status?.containerStatuses?.[0]?.state.running) names.delete(p.metadata.name!);
      if (names.size === 0) {
        h.stop();
        resolve();
      }
    });
    h.done.catch(reject);
  });
}

/** 1. API create → running, one pod at a time; each pod's start trace as the node kept it (explain --timing). */
export async function startLatency(d: TestDaemon, n: number, traces: StartTiming[] = [], first = 0): Promise<number[]> {
  const out: number[] = [];
  for (let i = first; i < first + n; i++) {
    const name = `lat-${i}`;
    const t0 = performance.now();
    const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } };
    const watching = new Promise<void>((resolve) => {
      const h = d.client.watch("/api/v1/namespaces/default/pods", { watch: "true", fieldSelector: `metadata.name=${name}` }, (ev) => {
        if ((ev.object as Pod).status?.containerStatuses?.[0]?.state.running) {
          h.stop();
          resolve();
        }
      });
    });
    await d.client.create(PODS, pod);
    await watching;
    out.push(performance.now() - t0);
    traces.push(await d.client.request<StartTiming>("GET", `/apis/nodelet.io/v1/namespaces/default/pods/${name}/timing`));
  }
  return out;
}

/** For each step of the start traces (host commands left out): the medians of when it began and how long it took. */
function stepMedians(traces: StartTiming[]): Map<string, { level: string; start: number; took: number }> {
  const by = new Map<string, { level: string; starts: number[]; took: number[] }>();
  for (const t of traces) {
    for (const s of t.steps) {
      if (s.level === "host") continue;
      const e = by.get(s.name) ?? { level: s.level, starts: [], took: [] };
      e.starts.push(s.startMs);
      e.took.push(s.durationMs);
      by.set(s.name, e);
    }
  }
  return new Map([...by].map(([name, e]) => [name, { level: e.level, start: percentile(e.starts, 50), took: percentile(e.took, 50) }]));
}

/**
 * Where the time of a pod start goes, for each configuration side by side (the same run, pods interleaved): each
 * phase and step in the order of a start, with the median of when it began and how long it took ("-": the step is
 * not on that configuration's path).
 */
export function printBreakdown(runs: { label: string; traces: StartTiming[] }[]): void {
  const medians = runs.map((r) => stepMedians(r.traces));
  const names = new Map<string, { level: string; start: number }>();
  for (const m of medians) for (const [name, e] of m) if (!names.has(name) || e.start < names.get(name)!.start) names.set(name, { level: e.level, start: e.start });
  const rows = [...names].sort((a, b) => a[1].start - b[1].start);
  console.log(`\npod start, step by step (medians over ${runs.map((r) => `${r.traces.length} pods ${r.label}`).join(", ")}; \`nodelet explain pod NAME --timing\` shows one):\n`);
  const cell = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(2));
  printTable(
    ["step", ...runs.flatMap((r) => [`${r.label}: starts at (ms)`, `${r.label}: takes (ms)`])],
    rows.map(([name, e]) => [e.level === "step" ? `  ${name}` : name, ...medians.flatMap((m) => [cell(m.get(name)?.start), cell(m.get(name)?.took)])]),
  );
  for (const r of runs) console.log(`total (API request → Running status), ${r.label}: p50 ${percentile(r.traces.map((t) => t.totalMs), 50).toFixed(2)} ms, p99 ${percentile(r.traces.map((t) => t.totalMs), 99).toFixed(2)} ms`);
}

/** The warm sandboxes a daemon holds now (pods/ID/sandbox.json with `warm`). */
function warmCount(d: TestDaemon): number {
  return readdirSync(join(d.root, "pods")).filter((uid) => {
    try {
      return (JSON.parse(readFileSync(join(d.root, "pods", uid, "sandbox.json"), "utf8")) as { warm?: boolean; ips?: string[] }).warm === true;
    } catch {
      return false;
    }
  }).length;
}

/** CPU time (user + system, ms) a process used so far, from /proc/PID/stat. */
function cpuMs(pid: number): number {
  const st = readProcStat(pid);
  if (!st) throw new Error(`process ${pid} is gone`);
  return ((st.utime + st.stime) * 1000) / 100;
}

function loadavg(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

async function deleteAll(d: TestDaemon): Promise<void> {
  await d.client.request("DELETE", "/api/v1/namespaces/default/pods", { body: { gracePeriodSeconds: 0 } });
  for (let i = 0; i < 600; i++) {
    if (readdirSync(join(d.root, "pods")).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** 3. 100 sleep pods in one apply, until all are Running. */
async function applyMany(d: TestDaemon, n: number): Promise<number> {
  const file = join(d.root, "many.yaml");
  await deleteAll(d);
  writeFileSync(file, Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many-${i}\nspec:\n  terminationGracePeriodSeconds: 0\n  containers:\n  - name: c\n    image: busybox\n    command: ["sleep", "3600"]\n`).join("---\n"));
  const names = new Set(Array.from({ length: n }, (_, i) => `many-${i}`));
  const rv = (await d.client.request<{ metadata: { resourceVersion: string } }>("GET", "/api/v1/namespaces/default/pods")).metadata.resourceVersion;
  const t0 = performance.now();
  const running = waitRunning(d.client, names, rv);
  const r = spawnSync(process.execPath, [NODELET, "apply", "-f", file], { env: { ...process.env, NODELET_SOCKET: d.socket } });
  if (r.status !== 0) throw new Error(`apply failed: ${r.stderr.toString()}`);
  await running;
  return performance.now() - t0;
}

/** RSS (KiB) of the daemon's warm sandboxes' pause processes. */
function pauseRss(d: TestDaemon): number[] {
  const out: number[] = [];
  for (const uid of readdirSync(join(d.root, "pods"))) {
    try {
      const r = JSON.parse(readFileSync(join(d.root, "pods", uid, "sandbox.json"), "utf8")) as { warm?: boolean; pid: number };
      if (r.warm) out.push(rssKiB(r.pid));
    } catch {
      // being claimed or made
    }
  }
  return out;
}

/**
 * Each warm pause process's proportional and private memory (KiB, /proc/PID/smaps_rollup): what one more warm
 * sandbox costs in user memory (RSS counts busybox pages shared with every pause process and container). A warm
 * cgroup has no memory controller to read (only pids).
 */
function pausePss(d: TestDaemon): { pss: number; priv: number }[] {
  const out: { pss: number; priv: number }[] = [];
  for (const uid of readdirSync(join(d.root, "pods"))) {
    try {
      const r = JSON.parse(readFileSync(join(d.root, "pods", uid, "sandbox.json"), "utf8")) as { warm?: boolean; pid: number };
      if (!r.warm) continue;
      const roll = readFileSync(`/proc/${r.pid}/smaps_rollup`, "utf8");
      const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(roll)?.[1] ?? 0);
      out.push({ pss: kib("Pss"), priv: kib("Private_Dirty") + kib("Private_Clean") });
    } catch {
      // being claimed or made
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** 4. RSS of the daemon and of each monitor while n pods run. */
function memory(d: TestDaemon): { daemon: number; monitors: number[] } {
  const monitors: number[] = [];
  let daemon = 0;
  // A monitor's argv names only its container (`--id ID`; the rest of its spec is piped): this daemon's ids.
  const ids = new Set(readdirSync(join(d.root, "pods")).flatMap((uid) => {
    try {
      return readdirSync(join(d.root, "pods", uid, "containers"));
    } catch {
      return [];
    }
  }));
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const id = /\0monitor\0--id\0([^\0]+)/.exec(cmd)?.[1];
    if (id !== undefined && ids.has(id)) monitors.push(rssKiB(Number(pid)));
    else if (cmd.includes("\0daemon\0") && cmd.includes(d.root)) daemon = rssKiB(Number(pid));
  }
  return { daemon, monitors };
}

/** An OCI bundle running /bin/true from the busybox image, for crun and runc. */
function ociBundle(image: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-bench-oci-"));
  cpSync(image, join(dir, "rootfs"), { recursive: true, verbatimSymlinks: true });
  execFileSync("runc", ["spec", "--bundle", dir]);
  const spec = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { process: { args: string[]; terminal: boolean }; root: { readonly: boolean } };
  spec.process.args = ["/bin/true"];
  spec.process.terminal = false;
  spec.root.readonly = true;
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec));
  return dir;
}

/** podman needs the image imported and, on this host, ulimits it can set (root lacks CAP_SYS_RESOURCE). */
function podmanSetup(image: string): { conf: string } | undefined {
  if (!have("podman")) return undefined;
  const conf = join(tmpdir(), "nodelet-bench-containers.conf");
  // runc, since crun 1.8 refuses this hybrid cgroup host; ulimits it may set (root lacks CAP_SYS_RESOURCE here).
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n');
  const tar = join(tmpdir(), "nodelet-bench-busybox.tar");
  execFileSync("tar", ["-C", image, "-cf", tar, "."]);
  execFileSync("podman", ["import", tar, "localhost/nodelet-bench-busybox"], { env: { ...process.env, CONTAINERS_CONF: conf }, stdio: "ignore" });
  return { conf };
}

/**
 * A V8 startup snapshot of the CLI's run verb (`node --snapshot-blob B --build-snapshot`): dist/cli/run.cjs bundled
 * with an entry that runs it when the snapshot is deserialized. Undefined when it cannot be built. Tried because
 * Node's start-up is most of `nodelet run`; kept out of bin/nodelet because it measured slower (README).
 */
async function cliSnapshot(): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-bench-snapshot-"));
  const entry = join(dir, "entry.cjs");
  const run = fileURLToPath(new URL("../cli/run.cjs", import.meta.url));
  writeFileSync(entry, `const v8 = require("node:v8");\nconst run = require(${JSON.stringify(run)});\nv8.startupSnapshot.setDeserializeMainFunction(() => { run.main(process.argv.slice(2)).then((c) => { process.exitCode = c; }); });\n`);
  try {
    const { build } = await import("esbuild");
    await build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile: join(dir, "bundle.cjs"), logLevel: "warning" });
    execFileSync(process.execPath, ["--snapshot-blob", join(dir, "snap.blob"), "--build-snapshot", join(dir, "bundle.cjs")], { cwd: dir, stdio: "ignore" });
    return join(dir, "snap.blob");
  } catch (err) {
    console.log(`(no CLI startup snapshot: ${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

export async function runtimeBench(): Promise<void> {
  // The default (--warm-sandboxes 2) and the previous path (pool off), side by side: pods alternate between them.
  const d = new TestDaemon("bench");
  const cold = new TestDaemon("bench-cold", ["--warm-sandboxes", "0"]);
  await d.start();
  await cold.start();
  try {
    console.log("\n## Pod runtime (issue 2)\n");
    for (let i = 0; i < 600 && warmCount(d) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    // Two windows: the first 10 s after the pool filled hold V8's post-start collections (its memory reducer's two
    // full GCs, ~100 ms once, about 8 s after the start), which a single 10 s window took for the idle cost; the
    // 30 s after them are the daemon idling.
    const idleCpu = async (ms: number) => {
      const cpu0 = [cpuMs(d.pid!), cpuMs(cold.pid!)];
      await new Promise((r) => setTimeout(r, ms));
      return [cpuMs(d.pid!) - cpu0[0], cpuMs(cold.pid!) - cpu0[1]].map((used) => ((used / ms) * 100).toFixed(2));
    };
    const afterStart = await idleCpu(10_000);
    const idle = await idleCpu(30_000);
    console.log(`daemon CPU while idle (no pods): ${idle[0]}% of a core with 2 warm sandboxes, ${idle[1]}% with the pool off over 30 s; in the 10 s before (just after the start) ${afterStart[0]}% and ${afterStart[1]}%`);
    const pauses = pauseRss(d);
    console.log(`warm sandboxes' pause processes: RSS ${pauses.map((k) => `${(k / 1024).toFixed(2)} MiB`).join(", ")}; PSS ${pausePss(d).map((m) => `${m.pss} KiB (private ${m.priv} KiB)`).join(", ")}`);
    const traces: StartTiming[] = [];
    const coldTraces: StartTiming[] = [];
    const lat: number[] = [];
    const coldLat: number[] = [];
    const load0 = loadavg();
    const N = 200;
    for (let i = 0; i < N; i++) {
      // Paired: each pod of one configuration next to one of the other, the order swapped every pod.
      const pair = i % 2 === 0 ? [[d, lat, traces], [cold, coldLat, coldTraces]] as const : [[cold, coldLat, coldTraces], [d, lat, traces]] as const;
      for (const [daemon, l, t] of pair) l.push(...(await startLatency(daemon, 1, t, i)));
      // The pods are removed 50 at a time (untimed), so a node never holds more than 50 of them.
      if (i % 50 === 49) {
        await deleteAll(d);
        await deleteAll(cold);
        for (let k = 0; k < 600 && warmCount(d) < 2; k++) await new Promise((r) => setTimeout(r, 100));
      }
    }
    const warmStarts = traces.filter((t) => t.steps.some((s) => s.name.startsWith("network: the warm sandbox's address"))).length;
    console.log(`load average before / after the starts: ${load0} / ${loadavg()} (2 cores)`);
    await deleteAll(d);
    await deleteAll(cold);
    console.log(`pod start (API create → container running, ${N} pods each, one at a time, paired): p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms with warm sandboxes (${warmStarts} of ${N} took one); p50 ${percentile(coldLat, 50).toFixed(1)} ms, p99 ${percentile(coldLat, 99).toFixed(1)} ms with the pool off`);
    const diffs = lat.map((x, i) => coldLat[i] - x);
    console.log(`paired difference (pool off − warm), per pod: median ${percentile(diffs, 50).toFixed(1)} ms`);
    printBreakdown([{ label: "warm", traces }, { label: "pool off", traces: coldTraces }]);

    const manyCold = await applyMany(cold, 100);
    await deleteAll(cold);
    for (let k = 0; k < 600 && warmCount(d) < 2; k++) await new Promise((r) => setTimeout(r, 100));
    const many = await applyMany(d, 100);
    console.log(`100 sleep pods at once (one apply), until all are Running: ${(many / 1000).toFixed(2)} s with warm sandboxes, ${(manyCold / 1000).toFixed(2)} s with the pool off (goal < 1 s); load ${loadavg()}`);
    const mem = memory(d);
    const mon = mem.monitors.sort((a, b) => a - b);
    console.log(`RSS with ${mon.length} pods: daemon ${(mem.daemon / 1024).toFixed(1)} MiB; monitor median ${(percentile(mon, 50) / 1024).toFixed(2)} MiB, max ${(mon.at(-1)! / 1024).toFixed(2)} MiB`);
    await deleteAll(d);

    // The busybox image is one layer, unpacked as a whole root (images/layers/<diffID>).
    const layers = join(d.root, "images", "layers");
    const image = join(layers, readdirSync(layers)[0]);
    const snapshot = await cliSnapshot();
    const cmds: { name: string; cmd: string }[] = [
      { name: "nodelet run --rm --attach busybox -- true", cmd: `env NODELET_SOCKET=${d.socket} ${process.execPath} ${BIN} run b --image busybox --restart Never --rm --attach -q -- true` },
      { name: "node -e 0 (Node.js start-up alone)", cmd: `${process.execPath} -e 0` },
      // Start-up and loading alone: --dry-run client prints the pod and sends no request.
      { name: "nodelet run --dry-run client (start-up and loading only)", cmd: `${process.execPath} ${BIN} run b --image busybox --dry-run client -o json` },
    ];
    if (snapshot) {
      cmds.push({ name: "nodelet run --rm --attach … true, from a V8 startup snapshot", cmd: `env NODELET_SOCKET=${d.socket} ${process.execPath} --snapshot-blob ${snapshot} run b --image busybox --restart Never --rm --attach -q -- true` });
      cmds.push({ name: "nodelet run --dry-run client, from a V8 startup snapshot", cmd: `${process.execPath} --snapshot-blob ${snapshot} run b --image busybox --dry-run client -o json` });
    }
    const bundle = have("runc") ? ociBundle(image) : undefined;
    if (bundle && have("crun")) {
      // crun 1.8 refuses this host's hybrid cgroup layout unless the empty cgroup2 mount is out of its view.
      cmds.push({ name: "crun run (/bin/true)", cmd: `unshare -m --propagation private sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle ${bundle} bench-crun"` });
    }
    if (bundle) cmds.push({ name: "runc run (/bin/true)", cmd: `runc run --bundle ${bundle} bench-runc` });
    const pm = podmanSetup(image);
    if (pm) cmds.push({ name: "podman run --rm --network none", cmd: `env CONTAINERS_CONF=${pm.conf} podman run --rm --network none localhost/nodelet-bench-busybox /bin/true` });
    const results = hyperfine(cmds, 20);
    console.log(`(load average during the commands: ${loadavg()})`);
    const podman = results.find((r) => r.name.startsWith("podman"));
    printTable(
      ["command", "median wall", "min", "CPU (user + sys, mean)", "vs podman"],
      results.map((r) => [r.name, `${r.median.toFixed(1)} ms`, `${r.min.toFixed(1)} ms`, `${r.cpu.toFixed(1)} ms`, podman ? (r.median / podman.median).toFixed(2) : "-"]),
    );
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  } finally {
    await d.cleanup();
    await cold.cleanup();
  }
}

if (process.argv[1]?.endsWith("runtime-bench.js")) {
  if (!existsSync("/proc/self")) throw new Error("Linux only");
  mkdirSync(tmpdir(), { recursive: true });
  await runtimeBench();
}
