/**
 * `nodelet reset`: puts the host back as it was before nodelet ran (kubeadm reset's job for a node): stops and
 * removes every pod the state dir knows (processes, mounts, cgroups, network), removes the network's bridge and
 * rules, our cgroup parent, and the state except the images. Refuses while a daemon answers on the socket.
 */
import { existsSync, promises as fsp } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { LoopbackOnlyNetwork } from "../network/pod-network.js";
import { ImageStore } from "../runtime/images.js";
import { Layout } from "../runtime/layout.js";
import { LinuxPodRuntime } from "../runtime/linux-runtime.js";
import { VolumeManager } from "../storage/volumes.js";
import { detectCgroups } from "../sys/cgroups/detect.js";
import { Runner } from "../sys/runner.js";
import { SHIM_PATH } from "./daemon.js";
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
  await cgroups.remove("").catch((err: unknown) => log(`cgroups: ${String(err)}`));
  for (const f of ["store.db", "store.db-wal", "store.db-shm", "pods", "exits", "node-steps.jsonl"]) {
    await fsp.rm(join(cfg.root, f), { recursive: true, force: true });
  }
  if (cfg.logDir.startsWith(cfg.root)) await fsp.rm(cfg.logDir, { recursive: true, force: true });
  await fsp.rm(cfg.socket, { force: true });
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
