/**
 * Builds the Linux runtime and what it stands on (layout, recording Runner, cgroups, images, volumes) from the
 * node's settings — one place for the daemon, `nodelet reset` and the tests.
 */
import type { PodNetwork } from "../network/pod-network.js";
import { detectCgroups } from "../sys/cgroups/detect.js";
import type { CgroupManager } from "../sys/cgroups/types.js";
import { HostRunner, type Recorder, type Runner } from "../sys/runner.js";
import { teeRecorder, type StartTraces } from "../sys/start-trace.js";
import type { VolumePlugin } from "../storage/volume-plugin.js";
import { VolumeManager } from "../storage/volumes.js";
import type { ConfigObjects } from "../storage/config-objects.js";
import { configVolumePlugins } from "../storage/projected-volume.js";
import { ImageStore } from "./images.js";
import { Layout } from "./layout.js";
import { LinuxPodRuntime } from "./linux-runtime.js";
import type { DnsSettings } from "./pod-files.js";
import type { SeccompSettings } from "./seccomp/seccomp-profiles.js";

export interface NodeRuntimeOptions {
  root: string;
  logDir: string;
  shimPath: string;
  cgroupParent: string;
  /** The /proc/self/cgroup text of the daemon whose cgroups these are, when that is not this process (reset). */
  daemonCgroup?: string;
  /** Made once the Runner exists (the network runs its commands through it). */
  network: (runner: Runner, layout: Layout) => PodNetwork;
  dns: DnsSettings;
  podPidsLimit: number;
  /** --image-max-layer-size (default: the layer store's). */
  imageMaxLayerBytes?: number;
  log: { maxSize: number; maxFiles: number };
  recorder?: (layout: Layout) => Recorder;
  /** Logs every host command (the daemon's -v/--verbose). */
  verboseLog?: (msg: string) => void;
  /** Where the runtime reports what a crash left behind and it removed at start. */
  report?: (msg: string) => void;
  /** --seccomp-profile-root and --seccomp-default; default ROOT/seccomp and on. */
  seccomp?: SeccompSettings;
  /** Volume plugins beyond the built-in ones (the daemon's persistentVolumeClaim plugin). */
  volumePlugins?: (runner: Runner, layout: Layout) => VolumePlugin[];
  /** ConfigMaps, Secrets and tokens for configuration volumes (the daemon's store, once open). */
  configObjects?: () => ConfigObjects | undefined;
  /** Times the steps of pod starts. */
  traces?: StartTraces;
  /** --warm-sandboxes (the daemon's; reset and tests: none). */
  warmSandboxes?: number;
  /** At the runtime's stop: keep the warm sandboxes for the next daemon to adopt, or remove them (the default). */
  warmSandboxesAtStop?: "keep" | "remove";
  /** Start the node's monitor zygote with the runtime (the daemon; reset: no). */
  monitorZygote?: boolean | { restartDelayMs: number };
}

export interface NodeRuntime {
  layout: Layout;
  /** The real runner (its spawner is set by the daemon once the shim's fork server runs). */
  runner: HostRunner;
  cgroups: CgroupManager;
  images: ImageStore;
  network: PodNetwork;
  runtime: LinuxPodRuntime;
}

export function createNodeRuntime(o: NodeRuntimeOptions): NodeRuntime {
  const layout = new Layout(o.root, o.logDir, o.shimPath);
  // Each host step goes to the pod's explain file and, while the pod starts, to its start trace.
  const files = o.recorder?.(layout);
  const runner = new HostRunner(files && o.traces ? teeRecorder(files, o.traces) : files ?? o.traces, o.verboseLog);
  const cgroups = detectCgroups(runner, { parent: o.cgroupParent, procCgroup: o.daemonCgroup });
  const images = new ImageStore(layout.imagesDir, runner, o.imageMaxLayerBytes);
  const network = o.network(runner, layout);
  const runtime = new LinuxPodRuntime({
    layout,
    runner,
    cgroups,
    images,
    volumes: new VolumeManager(layout, runner, [...configVolumePlugins(layout, runner, o.configObjects ?? (() => undefined)), ...(o.volumePlugins?.(runner, layout) ?? [])]),
    network,
    dns: o.dns,
    podPidsLimit: o.podPidsLimit,
    log: o.log,
    report: o.report,
    seccomp: o.seccomp,
    traces: o.traces,
    warmSandboxes: o.warmSandboxes,
    warmSandboxesAtStop: o.warmSandboxesAtStop,
    monitorZygote: o.monitorZygote,
  });
  return { layout, runner, cgroups, images, network, runtime };
}
