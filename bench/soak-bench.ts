/**
 * The churn soak of issue 18: a real daemon (needs root) runs CYCLES pod create/delete cycles, BATCH pods at a time
 * (each round creates BATCH pods, waits for all of them to run, deletes them and waits for them to go), and prints
 * the daemon's RSS, its store's size on disk and the number of Events every EVERY cycles. The goal: RSS after the
 * last cycle within 1.3x of RSS after the first 100. A run that misses it (or --heap) writes a heap snapshot of the
 * daemon (--heapsnapshot-signal) and prints the top constructors by retained size. Each row splits the RSS into
 * anonymous and file-backed pages (smaps_rollup) and gives the JS heap and external memory (mem-probe.ts, loaded
 * into the daemon), so growth outside the JS heap shows as such.
 *
 * Run: node dist/bench/soak-bench.js [--cycles 10000] [--batch 10] [--every 1000] [--heap]
 *        [--seed-events N] [--event-ttl DURATION]
 * --seed-events puts N events in the store before the daemon starts and --event-ttl is the daemon's flag: a short
 * run then shows what the full one only reaches after an hour (a store of tens of thousands of events, expiring).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resourceForKind } from "../src/api/resources.js";
import type { KubeList, Pod } from "../src/api/types.js";
import { TestDaemon } from "../test/helpers/daemon.js";
import { seedEvents } from "../test/helpers/seed-events.js";
import { formatHeapSummary, summarizeHeap } from "./heap-summary.js";
import { printTable } from "./lib.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CYCLES = arg("cycles", 10_000);
const BATCH = arg("batch", 10);
const EVERY = arg("every", 1000);
const HEAP = process.argv.includes("--heap");
const SEED_EVENTS = arg("seed-events", 0);
const ttlAt = process.argv.indexOf("--event-ttl");
const DAEMON_ARGS = ttlAt > 0 ? ["--event-ttl", process.argv[ttlAt + 1]] : [];
const GOAL = 1.3;

const PODS = resourceForKind("Pod")!;

function pod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { soak: "1" } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }],
    },
  };
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** The daemon's anonymous (heap, malloc) and file-backed (binary, libraries) resident memory, from smaps_rollup. */
function rssParts(pid: number): { anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) / 1024;
  return { anon: field("Anonymous"), file: field("Rss") - field("Anonymous") };
}

/** What the probe (mem-probe.ts, loaded into the daemon) last wrote: heap used/total, external, in MB. */
interface Probe {
  heapUsed: number;
  heapTotal: number;
  external: number;
  spaces: Record<string, number>;
}
function probe(file: string): Probe | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Probe;
  } catch {
    return undefined;
  }
}

function storeMb(root: string): number {
  let bytes = 0;
  for (const f of ["store.db", "store.db-wal"]) if (existsSync(join(root, f))) bytes += statSync(join(root, f)).size;
  return bytes / 1048576;
}

function daemonPid(d: TestDaemon): number {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("\0daemon\0") && cmd.includes(d.root)) return Number(pid);
    } catch {
      // gone
    }
  }
  throw new Error("daemon process not found");
}

/** Polls the soak pods (one list of at most BATCH objects) until `done` holds. */
async function until(d: TestDaemon, done: (pods: Pod[]) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const list = await d.client.list<Pod>(PODS, { namespace: "default", labelSelector: "soak=1" });
    if (done(list.items)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Events in the store, counted a page at a time (remainingItemCount), never listed whole. */
async function eventCount(d: TestDaemon): Promise<number> {
  const page = await d.client.request<KubeList & { metadata: { remainingItemCount?: number } }>("GET", "/api/v1/events", {
    query: { limit: 1 },
  });
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

async function round(d: TestDaemon, n: number): Promise<void> {
  const names = [...Array(BATCH).keys()].map((i) => `soak-${n}-${i}`);
  await Promise.all(names.map((name) => d.client.create(PODS, pod(name))));
  await until(d, (ps) => ps.length === BATCH && ps.every((p) => p.status?.containerStatuses?.[0]?.state?.running), `round ${n} running`);
  await Promise.all(names.map((name) => d.client.delete(PODS, "default", name, { gracePeriodSeconds: 0 })));
  await until(d, (ps) => ps.length === 0, `round ${n} gone`);
}

async function heapSummary(d: TestDaemon, pid: number, dir: string): Promise<string[]> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 300_000;
  for (;;) {
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
    // The snapshot is complete when the daemon answers again (writing it blocks the event loop).
    if (file && (await d.client.request("GET", "/version").then(() => true, () => false))) {
      return formatHeapSummary(summarizeHeap(join(dir, file)));
    }
    if (Date.now() > deadline) throw new Error("no heap snapshot was written");
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the soak needs root (it runs a real daemon)");
  const d = new TestDaemon("soak", DAEMON_ARGS);
  const heapDir = join(d.root, "heap");
  mkdirSync(heapDir);
  // Only the daemon reads this: it is started after the bench has.
  const probeFile = join(heapDir, "memory.json");
  const probeModule = fileURLToPath(new URL("./mem-probe.js", import.meta.url));
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir} --import=${probeModule}`.trim();
  process.env.NODELET_MEM_PROBE = probeFile;
  const rows: string[][] = [];
  let base = 0;
  let last = 0;
  const t0 = Date.now();
  try {
    if (SEED_EVENTS > 0) seedEvents(join(d.root, "store.db"), SEED_EVENTS);
    await d.start();
    const pid = daemonPid(d);
    const row = async (done: number): Promise<string[]> => {
      const parts = rssParts(pid);
      const p = probe(probeFile);
      const heap = p ? `${p.heapUsed.toFixed(0)}/${p.heapTotal.toFixed(0)}` : "-";
      const spaces = p ? `${p.spaces.new_space.toFixed(0)}/${p.spaces.old_space.toFixed(0)}/${p.spaces.code_space.toFixed(0)}` : "-";
      return [String(done), rssMb(pid).toFixed(1), parts.anon.toFixed(1), parts.file.toFixed(1), heap, spaces, p ? p.external.toFixed(1) : "-", storeMb(d.root).toFixed(1), String(await eventCount(d)), ((Date.now() - t0) / 1000).toFixed(0)];
    };
    rows.push(await row(0));
    for (let done = 0, n = 0; done < CYCLES; n++) {
      await round(d, n);
      done += BATCH;
      if (done === 100 || done % EVERY === 0 || done >= CYCLES) {
        const rss = rssMb(pid);
        if (done === 100) base = rss;
        last = rss;
        rows.push(await row(done));
        console.log(rows.at(-1)!.join("\t"));
      }
    }
    console.log(`\nsoak: ${CYCLES} pod create/delete cycles, ${BATCH} pods at a time${SEED_EVENTS ? `, ${SEED_EVENTS} events seeded` : ""}${DAEMON_ARGS.length ? `, daemon ${DAEMON_ARGS.join(" ")}` : ""}`);
    printTable(["cycles", "daemon RSS MB", "anon MB", "file MB", "JS heap used/total MB", "new/old/code space MB", "external MB", "store MB", "events", "seconds"], rows);
    const ratio = last / base;
    console.log(`RSS after ${CYCLES} cycles / after 100: ${ratio.toFixed(2)} (goal <= ${GOAL})`);
    if (HEAP || ratio > GOAL) for (const line of await heapSummary(d, pid, heapDir)) console.log(line);
  } finally {
    await d.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
