/**
 * What the daemon's --optimize-for-size (src/cmd/daemon-heap.ts) costs in CPU and latency, paired in one run: two
 * daemons of the same build side by side, one with the daemon's V8 settings and one with
 * NODELET_DAEMON_V8_FLAGS="--semi-space-growth-factor=1" (the same young generation, V8's own old-generation
 * sizing), the work interleaved pod by pod and request by request so that the machine's load falls on both alike:
 *
 * - pod start latency: API create → the container running (a watch), p50/p99;
 * - the daemon's CPU per pod: user + system time of the daemon process over create, start and delete, per pod;
 * - the API latency of a list: one page of 500 events (kubectl's chunk) from a store of N seeded events, p50/p99;
 * - the daemon's RSS at the end.
 *
 * Run: node dist/bench/heap-flag-bench.js [--pods 100] [--lists 100] [--events 5000]   (root; no pod network)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../src/api/types.js";
import { resolveResource } from "../src/api/resources.js";
import { processRss, readProcStat } from "../src/sys/proc.js";
import { eventually, TestDaemon } from "../test/helpers/daemon.js";
import { seedEvents } from "../test/helpers/seed-events.js";
import { percentile, printTable } from "./lib.js";
import { startLatency } from "./runtime-bench.js";

const PODS = resolveResource("pods")!;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N_PODS = arg("pods", 100);
const N_LISTS = arg("lists", 100);
const N_EVENTS = arg("events", 5000);

interface Side {
  label: string;
  flags: string | undefined;
  d: TestDaemon;
  starts: number[];
  cpuTicks: number;
  lists: number[];
}

const cpuTicks = (pid: number) => {
  const st = readProcStat(pid);
  return st ? st.utime + st.stime : 0;
};

/** One pod created, waited for until running, deleted and waited for until gone; the daemon's CPU ticks for it. */
async function podCycle(s: Side, i: number): Promise<void> {
  const pid = s.d.pid!;
  const c0 = cpuTicks(pid);
  s.starts.push(...(await startLatency(s.d, 1, [], i)));
  await s.d.client.delete(PODS, "default", `lat-${i}`, { gracePeriodSeconds: 0 });
  await eventually(async () => {
    const list = await s.d.client.request<{ items: Pod[] }>("GET", "/api/v1/namespaces/default/pods");
    return list.items.length === 0;
  }, 60_000, `lat-${i} gone`);
  s.cpuTicks += cpuTicks(pid) - c0;
}

async function listPage(s: Side): Promise<void> {
  const t0 = performance.now();
  const page = await s.d.client.request<{ items: unknown[] }>("GET", "/api/v1/namespaces/default/events", { query: { limit: "500" } });
  s.lists.push(performance.now() - t0);
  if (page.items.length !== Math.min(500, N_EVENTS)) throw new Error(`a page of ${page.items.length} events`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the bench needs root (it runs real daemons)");
  const sides: Side[] = [
    { label: "--optimize-for-size (the daemon's settings)", flags: undefined },
    { label: "V8's old-generation sizing", flags: "--semi-space-growth-factor=1" },
  ].map((x, i) => ({ ...x, d: new TestDaemon(`heapflag${i}`, ["--no-network"]), starts: [], cpuTicks: 0, lists: [] }));
  try {
    for (const s of sides) {
      seedEvents(join(s.d.root, "store.db"), N_EVENTS);
      if (s.flags === undefined) delete process.env.NODELET_DAEMON_V8_FLAGS;
      else process.env.NODELET_DAEMON_V8_FLAGS = s.flags;
      await s.d.start();
    }
    delete process.env.NODELET_DAEMON_V8_FLAGS;
    // One pod each first: images unpacked, code paths compiled, before anything is counted.
    for (const s of sides) await podCycle({ ...s, starts: [], cpuTicks: 0 }, 1_000_000);
    for (let i = 0; i < N_PODS; i++) for (const s of i % 2 ? [...sides].reverse() : sides) await podCycle(s, i);
    for (let i = 0; i < N_LISTS; i++) for (const s of i % 2 ? [...sides].reverse() : sides) await listPage(s);
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(`\n--optimize-for-size, paired: ${N_PODS} pods and ${N_LISTS} pages of 500 events (store of ${N_EVENTS}) per daemon, interleaved; load average ${load}\n`);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    printTable(
      ["daemon", "pod start p50", "pod start p99", "daemon CPU per pod", "list of 500 events p50", "p99", "RSS at the end"],
      sides.map((s) => [
        s.label,
        ms(percentile(s.starts, 50)),
        ms(percentile(s.starts, 99)),
        ms((s.cpuTicks * 10) / N_PODS),
        ms(percentile(s.lists, 50)),
        ms(percentile(s.lists, 99)),
        `${(processRss(s.d.pid!) / 1048576).toFixed(1)} MB`,
      ]),
    );
  } finally {
    for (const s of sides) await s.d.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
