/**
 * A real pod runtime wired to a real BridgeNetwork with its own bridge, subnets and state dir, for privileged
 * network tests. cleanup() removes the pods, then resets the network (bridge, rules, routes, leases) even when the
 * test failed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { ContainerPort, Pod } from "../../src/api/types.js";
import { BridgeNetwork } from "../../src/network/bridge-network.js";
import type { FirewallBackendSetting } from "../../src/network/settings.js";
import { HostRunner } from "../../src/sys/runner.js";
import { Spawner } from "../../src/sys/spawner.js";
import { hostVeths, iptablesLinesWith, linkExists, nftTableExists, routesTo, sh } from "./netns.js";
import { makeRuntime, shimPath, testPod, type RuntimeHarness } from "./runtime-harness.js";

export interface NetworkHarness extends RuntimeHarness {
  network: BridgeNetwork;
  bridge: string;
  /** 10.X.0.0/24 pods, 10.X.0.0/16 cluster, 10.(X+1).0.0/16 services. */
  octet: number;
  stateDir: string;
  /** `nft list tables` before the harness started: reset must leave exactly these. */
  nftTablesBefore: string;
  /** The pod's IP (its sandbox must be running). */
  podIP(pod: Pod): string;
}

/** A Runner whose commands are forked by the shim's spawner, as the daemon's are (it exits with this process). */
function spawnerRunner(): HostRunner {
  const runner = new HostRunner();
  const spawner = new Spawner(shimPath());
  spawner.start();
  runner.useSpawner(spawner);
  return runner;
}

/** A short bridge name unique to this test process: nt<tag><pid mod 10^5>, at most 15 bytes. */
export function testBridgeName(tag: string): string {
  return `nt${tag}${process.pid % 100_000}`.slice(0, 15);
}

export async function makeNetworkHarness(opts: { tag: string; octet: number; firewallBackend?: FirewallBackendSetting; warmSandboxes?: number; /** the pod CIDR's prefix length (24) */ podPrefix?: number; /** what the runtime reports */ report?: (msg: string) => void }): Promise<NetworkHarness> {
  const bridge = testBridgeName(opts.tag);
  const stateDir = mkdtempSync(join(tmpdir(), "nodelet-net-"));
  const nftTablesBefore = (await sh(["nft", "list", "tables"])).stdout;
  const network = new BridgeNetwork({
    bridge,
    clusterCIDR: `10.${opts.octet}.0.0/16`,
    podCIDR: `10.${opts.octet}.0.0/${opts.podPrefix ?? 24}`,
    serviceCIDR: `10.${opts.octet + 1}.0.0/16`,
    firewallBackend: opts.firewallBackend ?? "auto",
    stateDir,
    runner: spawnerRunner(),
    strayCheckMs: 500,
  });
  await network.reset(); // a previous run that crashed
  // The network first, as the daemon starts it: a runtime started before it makes warm sandboxes whose leases
  // network.start() then takes for strays (no pod it was told of), and the pool discards them at the first claim.
  let rt: RuntimeHarness;
  try {
    await network.start(new Set());
    rt = await makeRuntime({ network, name: `net${opts.tag}`, warmSandboxes: opts.warmSandboxes, report: opts.report });
  } catch (err) {
    await network.reset();
    throw err;
  }
  return {
    ...rt,
    network,
    bridge,
    octet: opts.octet,
    stateDir,
    nftTablesBefore,
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

/** A pod serving "hello from NAME\n" with busybox httpd on port 80, with the given ports declared. */
export function httpServerPod(name: string, ports: ContainerPort[] = []): Pod {
  return testPod(
    [{ name: "web", command: ["sh", "-c", `mkdir -p /www && echo "hello from ${name}" > /www/index.html && exec httpd -f -p 80 -h /www`], ports }],
    {},
    `${name}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`.slice(0, 40),
  );
}

/** A pod that only sleeps: a place to exec clients from. */
export function sleeperPod(name: string): Pod {
  return testPod([{ name: "sleep", command: ["sleep", "3600"] }], {}, `${name}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`);
}

/** Runs a command in a running container (the runtime's exec) and collects its output. */
export async function execIn(h: Pick<RuntimeHarness, "runtime">, containerId: string, command: string[], timeoutSeconds = 20): Promise<{ code: number; out: string; err: string }> {
  const s = await h.runtime.exec(containerId, { command, stdin: false, stdout: true, stderr: true, tty: false }, timeoutSeconds);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  s.stdout?.on("data", (d: Buffer) => out.push(d));
  s.stderr?.on("data", (d: Buffer) => err.push(d));
  const code = await s.exit;
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

/** After cleanup: no bridge, no veth of ours, no rules of ours in any backend, no unreachable route of ours. */
export async function assertNothingLeft(h: NetworkHarness): Promise<void> {
  assert.equal(await linkExists(h.bridge), false, `bridge ${h.bridge} is gone`);
  const ours = (await hostVeths()).filter((v) => /^nl[0-9a-f]{13}$/.test(v));
  const stillOurs: string[] = [];
  for (const v of ours) if ((await sh(["ip", "-json", "link", "show", v])).stdout.includes(`"master":"${h.bridge}"`)) stillOurs.push(v);
  assert.deepEqual(stillOurs, [], "no veth left on our bridge");
  assert.equal(await nftTableExists("ip", `nodelet-${h.bridge}`), false, "no nft table left");
  // Other daemons (other tests on this machine) come and go: compare only tables that are not another nodelet's.
  const mineOrShared = (text: string) => text.split("\n").filter((l) => l && (!l.includes("nodelet-") || l.includes(h.bridge))).join("\n");
  assert.equal(mineOrShared((await sh(["nft", "list", "tables"])).stdout), mineOrShared(h.nftTablesBefore), "the nft tables are those from before");
  assert.deepEqual(await iptablesLinesWith(`NODELET-${h.bridge}-`), [], "no iptables chain or jump left");
  assert.deepEqual(await routesTo(`10.${h.octet}.`), [], "no route left");
  assert.deepEqual(await routesTo(`10.${h.octet + 1}.`), [], "no service route left");
}
