/**
 * What the parts of the Linux runtime share (linux-runtime.ts wires them): the node's settings and the host
 * interfaces it stands on, the in-memory records, the clock and the event emitter.
 */
import type { PodNetwork } from "../network/pod-network.js";
import type { CgroupManager } from "../sys/cgroups/types.js";
import type { Clock } from "../sys/clock.js";
import type { Runner } from "../sys/runner.js";
import type { StartTraces } from "../sys/start-trace.js";
import type { VolumeManager } from "../storage/volumes.js";
import type { ImageStore } from "./images.js";
import type { Layout } from "./layout.js";
import type { DnsSettings } from "./pod-files.js";
import type { RuntimeEvent } from "./pod-runtime.js";
import type { RuntimeRecords } from "./records.js";
import type { SeccompSettings } from "./seccomp/seccomp-profiles.js";

export interface LinuxRuntimeOptions {
  layout: Layout;
  runner: Runner;
  cgroups: CgroupManager;
  images: ImageStore;
  volumes: VolumeManager;
  network: PodNetwork;
  dns: DnsSettings;
  /** pids.max for each pod (default 4096). */
  podPidsLimit: number;
  log: { maxSize: number; maxFiles: number };
  /** Size of each pod's /dev/shm tmpfs. */
  shmSize?: number;
  /** Where start() reports what a crash left behind and it removed. */
  report?: (msg: string) => void;
  /** Timestamps of records and the runtime's waits; the real clock by default. */
  clock?: Clock;
  /** Seccomp settings; default: RuntimeDefault for pods that name no profile, Localhost profiles in ROOT/seccomp. */
  seccomp?: SeccompSettings;
  /** Where the steps of pod starts are timed (`nodelet explain pod NAME --timing`); untimed when absent. */
  traces?: StartTraces;
  /** --warm-sandboxes: how many ready sandboxes are kept for the next pods that fit (warm-sandboxes.ts; 0/absent: none). */
  warmSandboxes?: number;
  /**
   * What the runtime's stop does with the warm sandboxes: "keep" them (their records stay; the next daemon adopts the
   * intact ones, as after a crash) or "remove" them (the default: reset, tools, --cleanup-on-exit).
   */
  warmSandboxesAtStop?: "keep" | "remove";
  /** Monitors forked by the node's monitor zygote (shim-zygote.ts) rather than exec'd; default false (reset, tools). */
  monitorZygote?: boolean | { restartDelayMs: number };
}

export interface RuntimeContext {
  readonly o: LinuxRuntimeOptions;
  readonly records: RuntimeRecords;
  readonly clock: Clock;
  emit(ev: RuntimeEvent): void;
}
