/**
 * `make bench`, services (issue 4), printed in one run:
 *   1. for each proxy mode, short HTTP requests (wrk: requests/s, p50/p99) and bulk TCP (iperf3) from a client
 *      pod's network namespace, through a service's cluster IP and straight to the same pod's IP, measured back to
 *      back so each ratio compares like with like; nftables with and without its traffic counting (the per-packet
 *      lookup that gives the web view's Service edges their packets and bytes), alternated, medians of 3 each;
 *   2. the rule sync time with 100, 1,000 and 5,000 services of 3 endpoints each, full and after one endpoint
 *      changes, for iptables-legacy, iptables-nft and nftables (the real proxier code, in a throwaway namespace).
 * Figures are printed, never asserted: the machine is shared and noisy.
 * Run: node dist/bench/service-bench.js [--sync-only | --traffic-only]
 */
import { have, printTable } from "./lib.js";
import { httpServers, iperf, iperfServer, sandboxPid, wrk, type HttpFigures } from "./service-traffic.js";
import { measureSync, type Backend } from "./service-sync.js";
import { nftProxyTable } from "../src/proxy/names.js";
import { eventually } from "../test/helpers/daemon.js";
import { sh } from "../test/helpers/netns.js";
import { ServiceCluster, type Mode } from "../test/helpers/service-cluster.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** A service whose only endpoint is web-0 (HTTP on 80 → 8082, iperf on 5201), so service and pod figures match. */
function oneEndpointService(podIP: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: one}
spec:
  ports: [{name: http, port: 80, targetPort: 8082}, {name: bulk, port: 5201}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: one}
subsets: [{addresses: [{ip: ${podIP}}], ports: [{name: http, port: 8082}, {name: bulk, port: 5201}]}]
`;
}

interface TrafficRow {
  mode: string;
  svc: HttpFigures;
  pod: HttpFigures;
  svcGbps: number;
  podGbps: number;
}

async function traffic(): Promise<TrafficRow[]> {
  const c = new ServiceCluster("iptables", 160);
  const rows: TrafficRow[] = [];
  let server: { stop(): void } | undefined;
  let http: { stop(): void } | undefined;
  try {
    await c.start();
    const podIP = (await c.pod("web-0"))!.status!.podIP!;
    await c.apply(oneEndpointService(podIP));
    const ip = await c.jsonpath("svc", "one", "{.spec.clusterIP}");
    server = await iperfServer(c, "web-0", 5201);
    http = await httpServers(c, "web-0", 8081, 8082);
    const modes = (process.env.BENCH_MODES?.split(",") ?? ["iptables", "nftables", "userspace"]) as Mode[];
    const measure = async (mode: string): Promise<TrafficRow> => {
      const client = await sandboxPid(c, "client");
      const pod = await wrk(client, `http://${podIP}:8081/`, SECONDS);
      const svc = await wrk(client, `http://${ip}/`, SECONDS);
      const podGbps = await iperf(client, podIP, 5201, SECONDS);
      const svcGbps = await iperf(client, ip, 5201, SECONDS);
      const row = { mode, svc, pod, svcGbps, podGbps };
      process.stderr.write(`traffic ${mode}: ${JSON.stringify(row)}\n`);
      return row;
    };
    for (const mode of modes) {
      await c.restart(mode);
      await eventually(async () => (await c.fromHost(ip, 80, 1))[0] === "web-0", 10_000, `service one via ${mode}`);
      if (mode !== "nftables") {
        rows.push(await measure(mode));
        continue;
      }
      // The same rules with and without the per-packet traffic counting (the web view's packets and bytes on Service
      // edges), alternated so the machine's drift falls on both: a `return` put first in its two filter chains.
      const on: TrafficRow[] = [];
      const off: TrafficRow[] = [];
      for (let round = 0; round < COUNTING_ROUNDS; round++) {
        on.push(await measure(mode));
        const handles = await skipTrafficCounting(c.bridge);
        off.push(await measure("nftables, no traffic counters"));
        await countTrafficAgain(c.bridge, handles);
      }
      rows.push(median(on), median(off));
    }
  } finally {
    server?.stop();
    http?.stop();
    await c.cleanup();
  }
  return rows;
}

/** How many times nftables is measured with and without its traffic counting, alternately. */
const COUNTING_ROUNDS = Number(process.env.BENCH_COUNTING_ROUNDS ?? 3);
const TRAFFIC_CHAINS = ["traffic-prerouting", "traffic-output"];

/** Puts a `return` first in the proxy table's traffic chains; the rules' handles, to take them out again. */
async function skipTrafficCounting(bridge: string): Promise<string[]> {
  const handles: string[] = [];
  for (const chain of TRAFFIC_CHAINS) {
    const r = await sh(["nft", "--echo", "--handle", "insert", "rule", "ip", nftProxyTable(bridge), chain, "return"]);
    const handle = /# handle (\d+)/.exec(r.stdout)?.[1];
    if (r.code !== 0 || !handle) throw new Error(`nft insert rule ${chain}: ${r.stderr}${r.stdout}`);
    handles.push(handle);
  }
  return handles;
}

async function countTrafficAgain(bridge: string, handles: string[]): Promise<void> {
  for (const [i, chain] of TRAFFIC_CHAINS.entries()) {
    const r = await sh(["nft", "delete", "rule", "ip", nftProxyTable(bridge), chain, "handle", handles[i]]);
    if (r.code !== 0) throw new Error(`nft delete rule ${chain}: ${r.stderr}`);
  }
}

/** Each figure's median over the rows (of one mode). */
function median(rows: TrafficRow[]): TrafficRow {
  const m = (f: (r: TrafficRow) => number) => {
    const xs = rows.map(f).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  };
  const http = (pick: (r: TrafficRow) => HttpFigures): HttpFigures => ({ rps: m((r) => pick(r).rps), p50: m((r) => pick(r).p50), p99: m((r) => pick(r).p99), errors: m((r) => pick(r).errors) });
  return { mode: `${rows[0].mode} (median of ${rows.length})`, svc: http((r) => r.svc), pod: http((r) => r.pod), svcGbps: m((r) => r.svcGbps), podGbps: m((r) => r.podGbps) };
}

const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");

function printTraffic(rows: TrafficRow[]): void {
  console.log(`\nService data path: ${SECONDS} s of wrk (2 threads, 16 connections, one busybox httpd pod) and iperf3, from a client pod's network namespace`);
  printTable(
    ["mode", "req/s via service", "req/s to pod", "ratio", "p50 ms svc / pod", "p99 ms svc / pod", "Gbit/s via service", "Gbit/s to pod", "ratio"],
    rows.map((r) => [r.mode, f1(r.svc.rps), f1(r.pod.rps), pct(r.svc.rps, r.pod.rps), `${f2(r.svc.p50)} / ${f2(r.pod.p50)}`, `${f2(r.svc.p99)} / ${f2(r.pod.p99)}`, f2(r.svcGbps), f2(r.podGbps), pct(r.svcGbps, r.podGbps)]),
  );
}

async function sync(): Promise<void> {
  const rows: string[][] = [];
  for (const backend of ["iptables-legacy", "iptables-nft", "nftables"] as Backend[]) {
    const row: string[] = [backend];
    const floors: number[] = [];
    for (const n of [100, 1000, 5000]) {
      // iptables-nft at 5,000 takes tens of seconds per load: once is enough to show it.
      const t = await measureSync(backend, n, backend === "iptables-nft" && n === 5000 ? 1 : 3);
      row.push(`${Math.round(t.full)} / ${Math.round(t.update)}`);
      floors.push(t.floor);
      process.stderr.write(`sync ${backend} ${n}: full ${t.full.toFixed(1)} ms, one endpoint ${t.update.toFixed(1)} ms, floor ${t.floor.toFixed(1)} ms\n`);
    }
    row.push(`${Math.round(floors.sort((a, b) => a - b)[1])}`);
    rows.push(row);
  }
  console.log("\nRule sync, N services × 3 endpoints: full load / one endpoint changed, ms (median; render + diff + one restore or nft -f)");
  printTable(["backend", "N=100", "N=1,000", "N=5,000", "floor: one change in an empty table"], rows);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the service benchmark needs root (namespaces, rules)");
  for (const tool of ["wrk", "iperf3", "nft", "iptables-legacy-restore", "iptables-nft-restore", "nsenter"]) if (!have(tool)) throw new Error(`${tool} is not installed (make bench-deps)`);
  const args = process.argv.slice(2);
  if (!args.includes("--sync-only")) printTraffic(await traffic());
  if (!args.includes("--traffic-only")) await sync();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
