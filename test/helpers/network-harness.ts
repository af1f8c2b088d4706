/**
 * A real pod runtime wired to a real BridgeNetwork with its own bridge, subnets and state dir, for privileged
 * network tests. cleanup() removes the pods, then resets the network (bridge, rules, routes, leases) even when the
 * test failed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../src/api/types.js";
import { BridgeNetwork } from "../../src/network/bridge-network.js";
import type { FirewallBackendSetting } from "../../src/network/settings.js";
import { Runner } from "../../src/sys/runner.js";
import { makeRuntime, type RuntimeHarness } from "./runtime-harness.js";

export interface NetworkHarness extends RuntimeHarness {
  network: BridgeNetwork;
  bridge: string;
  /** 10.X.0.0/24 pods, 10.X.0.0/16 cluster, 10.(X+1).0.0/16 services. */
  octet: number;
  stateDir: string;
  /** The pod's IP (its sandbox must be running). */
  podIP(pod: Pod): string;
}

/** A short bridge name unique to this test process: nt<tag><pid mod 10^5>, at most 15 bytes. */
export function testBridgeName(tag: string): string {
  return `nt${tag}${process.pid % 100_000}`.slice(0, 15);
}

export async function makeNetworkHarness(opts: { tag: string; octet: number; firewallBackend?: FirewallBackendSetting }): Promise<NetworkHarness> {
  const bridge = testBridgeName(opts.tag);
  const stateDir = mkdtempSync(join(tmpdir(), "nodelet-net-"));
  const network = new BridgeNetwork({
    bridge,
    clusterCIDR: `10.${opts.octet}.0.0/16`,
    podCIDR: `10.${opts.octet}.0.0/24`,
    serviceCIDR: `10.${opts.octet + 1}.0.0/16`,
    firewallBackend: opts.firewallBackend ?? "auto",
    stateDir,
    runner: new Runner(),
    strayCheckMs: 500,
  });
  await network.reset(); // a previous run that crashed
  const rt = await makeRuntime({ network, name: `net${opts.tag}` });
  try {
    await network.start(new Set());
  } catch (err) {
    await rt.cleanup();
    await network.reset();
    throw err;
  }
  return {
    ...rt,
    network,
    bridge,
    octet: opts.octet,
    stateDir,
    podIP(pod: Pod) {
      const s = rt.runtime.sandbox(pod.metadata.uid!);
      if (!s?.ips[0]) throw new Error(`pod ${pod.metadata.name} has no IP`);
      return s.ips[0];
    },
    async cleanup() {
      try {
        await rt.cleanup();
      } finally {
        await network.reset();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
