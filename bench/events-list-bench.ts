/**
 * `kubectl get events` on a node holding 50,000 events (issue 18): a real daemon (needs root and kubectl) serves
 * them, and each listing kubectl can ask for runs in turn while the daemon's RSS is sampled every 5 ms. Prints, per
 * listing, the RSS before it, the peak rise during it, what is left after it, and how long kubectl took, with the
 * JS heap (used/committed) and external memory the daemon reported (bench/mem-probe.ts, loaded into it) before the
 * listing and at its peak. The goal: every listing within +20 MB of the RSS before it.
 *
 * Run: node dist/bench/events-list-bench.js [--events 50000] [--listings N]
 * (--listings: only the first N listings, e.g. 1 for the first listing on a fresh daemon, the one that rises most)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TestDaemon } from "../test/helpers/daemon.js";
import { freePort } from "../test/helpers/ports.js";
import { seedEvents } from "../test/helpers/seed-events.js";
import { printTable } from "./lib.js";

const i = process.argv.indexOf("--events");
const EVENTS = i > 0 ? Number(process.argv[i + 1]) : 50_000;

const ALL_LISTINGS: { name: string; args: string[] }[] = [
  { name: "get events (Table, pages of 500)", args: ["get", "events"] },
  { name: "get events -o json (pages of 500)", args: ["get", "events", "-o", "json"] },
  { name: "get events --chunk-size=0 (one Table)", args: ["get", "events", "--chunk-size=0"] },
  { name: "get events --chunk-size=0 -o json", args: ["get", "events", "--chunk-size=0", "-o", "json"] },
  { name: "get events (Table, pages of 500), again", args: ["get", "events"] },
];
const n = process.argv.indexOf("--listings");
const LISTINGS = n > 0 ? ALL_LISTINGS.slice(0, Number(process.argv[n + 1])) : ALL_LISTINGS;

/** What the probe in the daemon last wrote (mem-probe.ts): JS heap used/committed and external memory, MB. */
function heap(file: string): string {
  try {
    const p = JSON.parse(readFileSync(file, "utf8")) as { heapUsed: number; heapTotal: number; external: number };
    return `${p.heapUsed.toFixed(0)}/${p.heapTotal.toFixed(0)}, ${p.external.toFixed(0)}`;
  } catch {
    return "-";
  }
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the bench needs root (it runs a real daemon)");
  const d = new TestDaemon("events-bench", ["--listen", `127.0.0.1:${await freePort()}`, "--no-network"]);
  const cache = mkdtempSync(join(tmpdir(), "nodelet-kubectl-cache-"));
  const kubectl = (args: string[]): Promise<number> =>
    new Promise((resolve, reject) => {
      const cmd = ["--kubeconfig", join(d.root, "kubeconfig"), "--cache-dir", cache, ...args];
      execFile("kubectl", cmd, { timeout: 600_000, maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(" ")}: ${stderr.slice(-500)}`));
        else resolve(stdout.length);
      });
    });
  const rows: string[][] = [];
  const probeFile = join(cache, "memory.json");
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import=${fileURLToPath(new URL("./mem-probe.js", import.meta.url))}`.trim();
  process.env.NODELET_MEM_PROBE = probeFile;
  try {
    seedEvents(join(d.root, "store.db"), EVENTS);
    await d.start();
    const pid = d.pid!;
    await kubectl(["get", "namespaces"]); // discovery, TLS: what every later command finds warm
    rows.push(["(started, one small list)", "", "", rssMb(pid).toFixed(1), "", "", heap(probeFile)]);
    for (const l of LISTINGS) {
      const before = rssMb(pid);
      const heapBefore = heap(probeFile);
      let peak = before;
      let heapPeak = heapBefore;
      const sampler = setInterval(() => {
        const now = rssMb(pid);
        if (now > peak) [peak, heapPeak] = [now, heap(probeFile)];
      }, 5);
      const t0 = Date.now();
      try {
        await kubectl(l.args);
      } finally {
        clearInterval(sampler);
      }
      const after = rssMb(pid);
      peak = Math.max(peak, after);
      rows.push([l.name, before.toFixed(1), `+${(peak - before).toFixed(1)}`, after.toFixed(1), ((Date.now() - t0) / 1000).toFixed(1), heapBefore, heapPeak]);
      console.log(rows.at(-1)!.join("\t"));
    }
    console.log(`\nkubectl listing ${EVENTS} events; daemon RSS in MB (goal: peak rise <= +20 MB)`);
    printTable(["listing", "RSS before", "peak rise", "RSS after", "kubectl s", "heap used/total, external before", "at the peak"], rows);
  } finally {
    await d.cleanup();
    rmSync(cache, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
