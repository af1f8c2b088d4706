/**
 * `nodelet reset`: puts the host back as it was before nodelet ran (kubeadm reset's job for a node): stops and
 * removes every pod the state dir knows (processes, mounts, cgroups, network), removes the network's bridge and
 * rules, our cgroup parent, and the state except the images. What to remove is read from the root's record of its
 * daemon's settings (daemon-record.ts), not from the flags, which may differ; a root without a record (no daemon
 * of this version started there) is reset by the flags. Refuses while a daemon answers on the socket; waits (30 s at
 * most, then refuses naming it) for a daemon that stopped answering but has not exited yet.
 */
import { existsSync, promises as fsp } from "node:fs";
import { join } from "node:path";
import { createNodeRuntime, type NodeRuntime } from "../runtime/node-runtime.js";
import { podNetwork, SHIM_PATH } from "./daemon.js";
import { answers } from "../apiserver/listen.js";
import { BridgeNetwork } from "../network/bridge-network.js";
import { formatIPv4 } from "../api/cidr.js";
import { hostKernelFiles } from "../sys/kernel-files.js";
import { removeAllProxyRules } from "../proxy/proxy-controller.js";
import type { DaemonConfig } from "./daemon-config.js";
import { daemonRecordFile, readDaemonRecord, resetTargets, type ResetTarget } from "./daemon-record.js";
import { keepAliveClock, runningDaemon, waitUntilGone } from "./daemon-stop.js";
import type { Clock } from "../sys/clock.js";
import { LocalProvisioner } from "../storage/local-provisioner.js";
import { volumesDir } from "./storage-wiring.js";
import { resetCrossNodeRoutes } from "./cross-node-wiring.js";

/** Resets `cfg.root`; `given` names the flags the user set (long names), to say where the record overrides one. */
export async function reset(cfg: DaemonConfig, log: (m: string) => void, given: ReadonlySet<string> = new Set()): Promise<void> {
  const { targets, notes } = resetTargets(cfg, readDaemonRecord(cfg.root), given);
  for (const n of notes) log(n);
  for (const t of targets) {
    if (await answers(t.socket)) throw new Error(`a daemon is running on ${t.socket}: stop it first (or run it with --cleanup-on-exit)`);
  }
  await waitForStoppingDaemon(cfg.root, log);
  // The pods, with the newest setup (their network attachments are its); then each setup's host objects.
  const [newest] = targets;
  const node = nodeRuntime(newest);
  if (existsSync(cfg.root)) {
    const { runtime } = node;
    await runtime.start();
    for (const what of await runtime.removeHeldPods()) log(`removed a held pod's ${what}`);
    for (const s of runtime.sandboxes()) {
      log(`removing pod ${s.namespace}/${s.name}`);
      await runtime.removeSandbox(s.podUid);
    }
    await runtime.stop();
    await new LocalProvisioner(volumesDir(cfg.root), node.runner).removeAll(log);
  }
  for (const t of targets) await removeHostObjects(t === newest ? node : nodeRuntime(t), log);
  for (const f of ["store.db", "store.db-wal", "store.db-shm", "pods", "exits", "network", "volumes", "node-steps.jsonl", "pki", "token", "kubeconfig", "daemon.pid"]) {
    await fsp.rm(join(cfg.root, f), { recursive: true, force: true });
  }
  for (const t of targets) {
    if (t.logDir.startsWith(cfg.root)) await fsp.rm(t.logDir, { recursive: true, force: true });
    await fsp.rm(t.socket, { force: true });
  }
  await fsp.rm(daemonRecordFile(cfg.root), { force: true });
}

/** How long reset waits for a daemon that stopped answering to exit. */
export const DAEMON_EXIT_WAIT_MS = 30_000;

/**
 * A daemon sent SIGTERM closes its socket first and exits after its own (bounded) stop; resetting meanwhile would
 * race it over the same pods. Waits for it, then refuses, naming the process, if it has not gone.
 */
async function waitForStoppingDaemon(root: string, log: (m: string) => void, clock: Clock = keepAliveClock): Promise<void> {
  const d = runningDaemon(root);
  if (!d) return;
  log(`waiting for the daemon of ${root} (pid ${d.pid}) to exit`);
  if (await waitUntilGone(() => runningDaemon(root)?.pid === d.pid, clock, DAEMON_EXIT_WAIT_MS)) return;
  throw new Error(
    `the daemon of ${root} (pid ${d.pid}) no longer answers but has not exited ${DAEMON_EXIT_WAIT_MS / 1000} s later: ` +
      `kill it (kill -9 ${d.pid}; its pods keep running) and run reset again`,
  );
}

function nodeRuntime(cfg: ResetTarget): NodeRuntime {
  return createNodeRuntime({
    root: cfg.root,
    logDir: cfg.logDir,
    shimPath: SHIM_PATH,
    cgroupParent: cfg.cgroupParent,
    // The daemon's cgroups, not ours: its relative cgroup parent is under them.
    daemonCgroup: cfg.daemonCgroup,
    network: (runner, layout) => podNetwork(cfg, runner, layout.root),
    dns: { clusterDNS: [], clusterDomain: cfg.clusterDomain, hostResolvConf: "" },
    podPidsLimit: cfg.podPidsLimit,
    log: { maxSize: cfg.logMaxSize, maxFiles: cfg.logMaxFiles },
    seccomp: { profileRoot: cfg.seccompProfileRoot, defaultToRuntime: cfg.seccompDefault },
  });
}

/** The cgroup parent, the bridge network (bridge, veths, routes, rules) and every service proxy rule of one setup. */
async function removeHostObjects({ cgroups, network, runner }: NodeRuntime, log: (m: string) => void): Promise<void> {
  await cgroups.remove("").catch((err: unknown) => log(`cgroups: ${String(err)}`));
  await network.reset?.().catch((err: unknown) => log(`network: ${String(err)}`));
  // Every service proxy rule of this bridge (whatever --proxy-mode made them) and the service route.
  if (network instanceof BridgeNetwork) {
    const s = network.settings;
    const cidr = `${formatIPv4(s.service.base)}/${s.service.prefix}`;
    await resetCrossNodeRoutes(s, runner).catch((err: unknown) => log(`cross-node routes: ${String(err)}`));
    await removeAllProxyRules(runner, s.bridge, cidr, hostKernelFiles(runner).legacyIptablesTables()).catch((err: unknown) => log(`service proxy: ${String(err)}`));
  }
}
