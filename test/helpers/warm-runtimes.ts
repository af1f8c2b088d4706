/**
 * The warm-sandbox privileged tests' fixture: more runtimes over a network harness's root, cgroups and network — what
 * a restarted daemon (or `nodelet reset`) builds over the same node — each stopped by stopAll() with its pods.
 */
import { existsSync } from "node:fs";
import type { LinuxPodRuntime } from "../../src/runtime/linux-runtime.js";
import { createNodeRuntime } from "../../src/runtime/node-runtime.js";
import type { SandboxRecord } from "../../src/runtime/pod-runtime.js";
import { isSameProcess } from "../../src/sys/proc.js";
import type { NetworkHarness } from "./network-harness.js";
import { waitFor } from "./wait.js";

export class WarmRuntimes {
  private readonly started: LinuxPodRuntime[] = [];

  /** A started runtime over `h` with a pool of `warmSandboxes`; what it reports (adoptions, removals) goes to `reports`. */
  async start(h: NetworkHarness, warmSandboxes: number, reports?: string[]): Promise<LinuxPodRuntime> {
    const { runtime } = createNodeRuntime({
      root: h.root,
      logDir: `${h.root}/log`,
      shimPath: h.layout.shimPath,
      cgroupParent: h.cgroupParent,
      network: () => h.network,
      dns: { clusterDNS: [], clusterDomain: "cluster.local", hostResolvConf: "nameserver 127.0.0.53\n" },
      podPidsLimit: 4096,
      log: { maxSize: 10 * 1024 * 1024, maxFiles: 5 },
      warmSandboxes,
      report: reports ? (m) => reports.push(m) : undefined,
    });
    this.started.push(runtime);
    await runtime.start();
    return runtime;
  }

  /** Removes the pods of every runtime started here and stops it (for after(): also when a test failed). */
  async stopAll(): Promise<void> {
    for (const rt of this.started.splice(0)) {
      for (const s of rt.sandboxes()) await rt.removeSandbox(s.podUid).catch(() => undefined);
      await rt.stop();
    }
  }
}

/** Waits until `rt`'s pool holds `n` warm sandboxes. */
export function poolFull(rt: LinuxPodRuntime, n: number): Promise<void> {
  return waitFor(`${n} warm sandboxes`, () => rt.warmSandboxes().length === n, 30_000);
}

/** What of warm sandbox `w` is still on the host: its pause process, its directory, its lease (empty: all gone). */
export function warmLeft(h: NetworkHarness, w: SandboxRecord): string[] {
  const left: string[] = [];
  if (isSameProcess(w.pid, w.pidStartTime)) left.push(`pause process ${w.pid}`);
  if (existsSync(h.layout.podDir(w.podUid))) left.push(`directory ${h.layout.podDir(w.podUid)}`);
  if (h.network.activeLeases().some((l) => l.podUid === w.podUid)) left.push(`lease of ${w.podUid}`);
  return left;
}
