/**
 * Rule sync cost of the proxiers at scale: N services × 3 endpoints written by the real proxier code (render, diff,
 * one iptables-restore / nft -f), full and after one endpoint changes, in a throwaway network namespace so the
 * host's rules are never touched. Commands run through `nsenter --net` (cheap), not `ip netns exec` (which remounts
 * /sys and costs ~100 ms itself).
 */
import type { IptablesVariant } from "../src/network/firewall/backend.js";
import { IptablesProxier } from "../src/proxy/iptables-proxier.js";
import type { ProxyState, ServicePortEntry } from "../src/proxy/model.js";
import { NftablesProxier } from "../src/proxy/nft-proxier.js";
import type { Proxier } from "../src/proxy/proxier.js";
import type { Runner } from "../src/sys/runner.js";
import { NetnsRunner, sh } from "../test/helpers/netns.js";

/** N services of 3 endpoints; `changed` gets its third endpoint replaced (a pod replaced by another). Sorted by name. */
export function syntheticState(n: number, changed = -1): ProxyState {
  const services: ServicePortEntry[] = [];
  for (let i = 0; i < n; i++) {
    const endpoints = [0, 1, 2].map((j) => {
      const k = i * 3 + j + (i === changed && j === 2 ? 1_000_000 : 0);
      return { ip: `10.${128 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`, port: 8080 };
    });
    const name = `svc-${String(i).padStart(5, "0")}`;
    const v = i + 1;
    services.push({ name: `default/${name}:http`, namespace: "default", service: name, portName: "http", clusterIP: `10.${96 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`, protocol: "TCP", port: 80, endpoints });
  }
  return { services };
}

export type Backend = "iptables-legacy" | "iptables-nft" | "nftables";

function proxierFor(backend: Backend, runner: Runner): Proxier {
  // The synthetic endpoints stand for pods on other nodes (5,000 × 3 pods do not fit one node's /24).
  const c = { bridge: "benchsvc", clusterCIDR: "10.128.0.0/9", podCIDR: "10.128.0.0/24", serviceCIDR: "10.96.0.0/12", masqueradeMark: 0x4000 };
  if (backend === "nftables") return new NftablesProxier(runner, c);
  return new IptablesProxier(runner, c, backend.replace("iptables-", "") as IptablesVariant);
}

export interface SyncTimes {
  full: number;
  update: number;
  /** The tool replacing one element or chain in an empty table: what any change costs (see floorRun). */
  floor: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The floor of any change: the backend's tool replacing one element (nft: delete and add one set element, whose
 * commit waits in the kernel for the deletion to be safe) or one chain (iptables) in an otherwise empty table.
 */
async function floorRun(backend: Backend, runner: Runner): Promise<number> {
  const run = async (argv: string[], input: string) => {
    const t0 = performance.now();
    await runner.run(argv, { input });
    return performance.now() - t0;
  };
  if (backend === "nftables") {
    await runner.run(["nft", "-f", "-"], { input: "add table ip nlfloor\nadd set ip nlfloor s { type ipv4_addr; }\nadd element ip nlfloor s { 192.0.2.1 }\n" });
    return run(["nft", "-f", "-"], "delete element ip nlfloor s { 192.0.2.1 }\nadd element ip nlfloor s { 192.0.2.1 }\n");
  }
  return run([`${backend}-restore`, "-w", "--noflush"], "*filter\n:NLFLOOR - [0:0]\n-A NLFLOOR -j RETURN\nCOMMIT\n");
}

/**
 * One measurement in a fresh namespace: a full sync of N services, then `updates` syncs each changing one endpoint
 * of another service (unchanged services keep their entry objects, as with the change tracker). Milliseconds.
 */
async function measureOnce(backend: Backend, n: number, ns: string, updates: number): Promise<SyncTimes> {
  await sh(["ip", "netns", "add", ns]);
  try {
    const runner = new NetnsRunner(ns);
    const p = proxierFor(backend, runner);
    let state = syntheticState(n);
    const full0 = performance.now();
    await p.sync(state);
    const full = performance.now() - full0;
    const times: number[] = [];
    const floors: number[] = [];
    for (let k = 0; k < updates; k++) {
      const at = Math.floor(n / 2) + k;
      const changed = syntheticState(n, at).services[at];
      state = { services: state.services.map((s, i) => (i === at ? changed : s)) };
      const t0 = performance.now();
      await p.sync(state);
      times.push(performance.now() - t0);
      floors.push(await floorRun(backend, runner));
    }
    return { full, update: median(times), floor: median(floors) };
  } finally {
    await sh(["ip", "netns", "del", ns]);
  }
}

/** Medians over `runs` fresh namespaces (each with 5 one-endpoint updates). */
export async function measureSync(backend: Backend, n: number, runs: number): Promise<SyncTimes> {
  const all: SyncTimes[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureOnce(backend, n, `nlbench${process.pid % 10000}`, 5));
  return { full: median(all.map((t) => t.full)), update: median(all.map((t) => t.update)), floor: median(all.map((t) => t.floor)) };
}
