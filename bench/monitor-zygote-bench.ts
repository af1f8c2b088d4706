/**
 * Monitors forked by the node's monitor zygote against monitors exec'd (--monitor-zygote=false), in one run: two
 * daemons side by side (default settings otherwise, hardening on), pods started one at a time and paired (each pod
 * of one next to one of the other, the order swapped every pod), API create → container running as runtime-bench
 * measures it, and the start traces' step breakdown (`nodelet explain pod NAME --timing`).
 *
 * Run: node dist/bench/monitor-zygote-bench.js [--pods N]   (needs root; figures are printed, never asserted)
 */
import { readFileSync } from "node:fs";
import type { StartTiming } from "../src/sys/start-trace.js";
import { TestDaemon } from "../test/helpers/daemon.js";
import { percentile } from "./lib.js";
import { printBreakdown, startLatency } from "./runtime-bench.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PODS = arg("pods", 100);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const forked = new TestDaemon("bench-zygote");
const execd = new TestDaemon("bench-exec", ["--monitor-zygote=false"]);
await forked.start();
await execd.start();
try {
  const runs = [
    { label: "zygote", d: forked, lat: [] as number[], traces: [] as StartTiming[] },
    { label: "exec", d: execd, lat: [] as number[], traces: [] as StartTiming[] },
  ];
  const load0 = loadavg();
  for (let i = 0; i < PODS; i++) {
    for (const r of i % 2 === 0 ? runs : [...runs].reverse()) r.lat.push(...(await startLatency(r.d, 1, r.traces, i)));
  }
  console.log(`\n## Monitors by fork (issue 17)\n\nload average before / after: ${load0} / ${loadavg()} (2 cores)`);
  for (const r of runs) {
    console.log(`pod start (API create → container running, ${PODS} pods, one at a time, paired), monitor ${r.label}: p50 ${percentile(r.lat, 50).toFixed(1)} ms, p99 ${percentile(r.lat, 99).toFixed(1)} ms`);
  }
  const [z, e] = runs;
  const diffs = z.lat.map((x, i) => e.lat[i] - x);
  console.log(`ratio zygote/exec: p50 ${(percentile(z.lat, 50) / percentile(e.lat, 50)).toFixed(2)}, p99 ${(percentile(z.lat, 99) / percentile(e.lat, 99)).toFixed(2)}; paired difference (exec − zygote) median ${percentile(diffs, 50).toFixed(1)} ms`);
  // The monitor's own share: from the daemon's request to the monitor's first instruction, and to its "ok".
  const share = (t: StartTiming[], names: string[]) => t.map((x) => x.steps.filter((s) => names.includes(s.name)).reduce((a, s) => a + s.durationMs, 0));
  const firstStep = ["shim: request to the monitor zygote", "shim: the zygote forks the monitor", "shim: fork and exec the monitor"];
  for (const r of runs) {
    const s = share(r.traces, firstStep);
    console.log(`monitor ${r.label}: daemon's request → monitor running its first line, p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`);
  }
  printBreakdown(runs.map((r) => ({ label: r.label, traces: r.traces })));
} finally {
  await forked.cleanup();
  await execd.cleanup();
}
