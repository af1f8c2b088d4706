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
import { Runner, type RunOptions, type RunResult } from "../src/sys/runner.js";
import { sh } from "../test/helpers/netns.js";

/** A runner whose commands run in a network namespace. */
class NetnsRunner extends Runner {
  constructor(private readonly ns: string) {
    super();
  }
  override run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    return super.run(["nsenter", `--net=/run/netns/${this.ns}`, ...argv], opts);
  }
}

/** N services of 3 endpoints; `changed` gets its third endpoint replaced (a pod replaced by another). */
export function syntheticState(n: number, changed = -1): ProxyState {
  const services: ServicePortEntry[] = [];
  for (let i = 0; i < n; i++) {
    const endpoints = [0, 1, 2].map((j) => {
      const k = i * 3 + j + (i === changed && j === 2 ? 1_000_000 : 0);
      return { ip: `10.${128 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`, port: 8080 };
    });
    const name = `svc-${i}`;
    const v = i + 1;
    services.push({ name: `default/${name}:http`, namespace: "default", service: name, portName: "http", clusterIP: `10.${96 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`, protocol: "TCP", port: 80, endpoints });
  }
  return { services };
}

export type Backend = "iptables-legacy" | "iptables-nft" | "nftables";

function proxierFor(backend: Backend, runner: Runner): Proxier {
  const c = { bridge: "benchsvc", clusterCIDR: "10.128.0.0/9", serviceCIDR: "10.96.0.0/12", masqueradeMark: 0x4000 };
  if (backend === "nftables") return new NftablesProxier(runner, c);
  return new IptablesProxier(runner, c, backend.replace("iptables-", "") as IptablesVariant);
}

export interface SyncTimes {
  full: number;
  update: number;
}

/** One measurement: a fresh namespace, a full sync of N services, then one endpoint changed. Milliseconds. */
async function measureOnce(backend: Backend, n: number, ns: string): Promise<SyncTimes> {
  await sh(["ip", "netns", "add", ns]);
  try {
    const p = proxierFor(backend, new NetnsRunner(ns));
    const full0 = performance.now();
    await p.sync(syntheticState(n));
    const full = performance.now() - full0;
    const up0 = performance.now();
    await p.sync(syntheticState(n, Math.floor(n / 2)));
    return { full, update: performance.now() - up0 };
  } finally {
    await sh(["ip", "netns", "del", ns]);
  }
}

/** Median of `runs` measurements. */
export async function measureSync(backend: Backend, n: number, runs: number): Promise<SyncTimes> {
  const all: SyncTimes[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureOnce(backend, n, `nlbench${process.pid % 10000}`));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { full: median(all.map((t) => t.full)), update: median(all.map((t) => t.update)) };
}
