/**
 * `nodelet reset`: puts the host back as it was before nodelet ran (kubeadm reset's job for a node): stops and
 * removes every pod the state dir knows (processes, mounts, cgroups, network), removes the network's bridge and
 * rules, our cgroup parent, and the state except the images. Refuses while a daemon answers on the socket.
 */
import { existsSync, promises as fsp } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { createBridgeNetwork } from "../network/bridge-network.js";
import { hostKernelFiles } from "../network/kernel-files.js";
import { LoopbackOnlyNetwork } from "../network/pod-network.js";
import { removeAllProxyRules } from "../proxy/proxy-controller.js";
import { ImageStore } from "../runtime/images.js";
import { Layout } from "../runtime/layout.js";
import { LinuxPodRuntime } from "../runtime/linux-runtime.js";
import { VolumeManager } from "../storage/volumes.js";
import { detectCgroups } from "../sys/cgroups/detect.js";
import { formatIPv4 } from "../network/cidr.js";
import { Runner } from "../sys/runner.js";
import { networkSettings, SHIM_PATH } from "./daemon.js";
import type { DaemonConfig } from "./daemon-config.js";

export async function reset(cfg: DaemonConfig, log: (m: string) => void): Promise<void> {
  if (await answers(cfg.socket)) throw new Error(`a daemon is running on ${cfg.socket}: stop it first (or run it with --cleanup-on-exit)`);
  const layout = new Layout(cfg.root, cfg.logDir, SHIM_PATH);
  const runner = new Runner();
  const cgroups = detectCgroups(runner, { parent: cfg.cgroupParent });
  const runtime = new LinuxPodRuntime({
    layout,
    runner,
    cgroups,
    images: new ImageStore(layout.imagesDir, runner),
    volumes: new VolumeManager(layout, runner),
    network: new LoopbackOnlyNetwork(),
    dns: { clusterDNS: [], clusterDomain: cfg.clusterDomain, hostResolvConf: "" },
    podPidsLimit: cfg.podPidsLimit,
    log: { maxSize: cfg.logMaxSize, maxFiles: cfg.logMaxFiles },
  });
  if (existsSync(cfg.root)) {
    await runtime.start();
    for (const s of runtime.sandboxes()) {
      log(`removing pod ${s.namespace}/${s.name}`);
      await runtime.removeSandbox(s.podUid);
    }
    await runtime.stop();
  }
  if (cfg.network) await resetNetwork(cfg, runner, log);
  await cgroups.remove("").catch((err: unknown) => log(`cgroups: ${String(err)}`));
  for (const f of ["store.db", "store.db-wal", "store.db-shm", "pods", "exits", "node-steps.jsonl"]) {
    await fsp.rm(join(cfg.root, f), { recursive: true, force: true });
  }
  if (cfg.logDir.startsWith(cfg.root)) await fsp.rm(cfg.logDir, { recursive: true, force: true });
  await fsp.rm(cfg.socket, { force: true });
}

/** The bridge, veths, pod rules and leases, then every service proxy rule of this bridge and the service route. */
async function resetNetwork(cfg: DaemonConfig, runner: Runner, log: (m: string) => void): Promise<void> {
  const network = createBridgeNetwork({ ...networkSettings(cfg), stateDir: join(cfg.root, "network"), runner });
  await network.reset().catch((err: unknown) => log(`network: ${String(err)}`));
  const s = network.settings;
  await removeAllProxyRules(runner, s.bridge, `${formatIPv4(s.service.base)}/${s.service.prefix}`, hostKernelFiles(runner).legacyIptablesTables()).catch((err: unknown) => log(`service proxy: ${String(err)}`));
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
