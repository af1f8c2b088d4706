/**
 * Data-path cost of each proxy mode: short HTTP requests (wrk) and bulk TCP (iperf3) from a client network
 * namespace (a second host routed to the node), through the service's cluster IP and straight to a pod IP, on the
 * same pods, so the difference is the proxy's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../src/api/types.js";
import type { SandboxRecord } from "../src/runtime/pod-runtime.js";
import { background, inPid, type PeerNamespace } from "../test/helpers/netns.js";
import type { ServiceCluster } from "../test/helpers/service-cluster.js";

export interface HttpFigures {
  rps: number;
  p50: number;
  p99: number;
}

function ms(v: string, unit: string): number {
  const n = Number(v);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

/** wrk with latency percentiles; requests/s and p50/p99 in ms. */
export async function wrk(peer: PeerNamespace, url: string, seconds = 5): Promise<HttpFigures> {
  const r = await peer.run(["wrk", "-t2", "-c16", `-d${seconds}s`, "--latency", url], undefined, (seconds + 30) * 1000);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(r.stdout);
    return m ? ms(m[1], m[2]) : NaN;
  };
  return { rps, p50: pct("50"), p99: pct("99") };
}

/** iperf3 from the peer to host:port for `seconds`; Gbit/s received. */
export async function iperf(peer: PeerNamespace, host: string, port: number, seconds = 5): Promise<number> {
  const r = await peer.run(["iperf3", "-c", host, "-p", String(port), "-t", String(seconds), "-J"], undefined, (seconds + 30) * 1000);
  try {
    const j = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
    return j.end.sum_received.bits_per_second / 1e9;
  } catch {
    return NaN;
  }
}

/** The pid of a pod's sandbox (its network namespace), from the daemon's state dir. */
export async function sandboxPid(c: ServiceCluster, pod: string): Promise<number> {
  const p = (await c.pod(pod)) as Pod;
  const rec = JSON.parse(readFileSync(join(c.d.root, "pods", p.metadata.uid!, "sandbox.json"), "utf8")) as SandboxRecord;
  return rec.pid;
}

/** An iperf3 server inside the pod's network namespace (the host's binary), until stop(). */
export async function iperfServer(c: ServiceCluster, pod: string, port: number): Promise<{ stop(): void }> {
  const server = background(inPid(await sandboxPid(c, pod), ["iperf3", "-s", "-p", String(port)]));
  await new Promise((r) => setTimeout(r, 300));
  return server;
}
