/**
 * Volume plugins: each turns one entry of spec.volumes into a directory (or file) on the host that the shim
 * bind-mounts into the containers that ask for it (the study note's `mount --bind /tmp box/data`). Setup happens
 * once per pod, before any container starts; teardown when the pod is removed. A failure is reported as the
 * kubelet's FailedMount, naming the volume and the reason.
 */
import type { Pod, Volume } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { EmptyDirPlugin } from "./empty-dir.js";
import { HostPathPlugin } from "./host-path.js";
import { VolumeError, type PreparedVolume, type VolumePaths, type VolumePlugin } from "./volume-plugin.js";

export class VolumeManager {
  private readonly plugins: VolumePlugin[];

  constructor(layout: VolumePaths, runner: Runner, extra: VolumePlugin[] = []) {
    this.plugins = [new EmptyDirPlugin(layout, runner), new HostPathPlugin(runner), ...extra];
  }

  /** Sets up every volume of the pod; on failure tears down what was set up and throws VolumeError. */
  async setup(pod: Pod): Promise<Map<string, PreparedVolume>> {
    const ready = new Map<string, PreparedVolume>();
    const done: Volume[] = [];
    try {
      for (const v of pod.spec.volumes ?? []) {
        const plugin = this.pluginFor(v);
        ready.set(v.name, await plugin.setup(pod, v));
        done.push(v);
      }
    } catch (err) {
      for (const v of done.reverse()) await this.pluginFor(v).teardown(pod, v).catch(() => undefined);
      throw err;
    }
    return ready;
  }

  /**
   * Brings the content of the pod's set-up volumes that follow API objects (configMap, secret, downwardAPI,
   * projected) up to date; every volume is tried, the first failure is thrown after (VolumeError).
   */
  async refresh(pod: Pod): Promise<void> {
    let first: Error | undefined;
    for (const v of pod.spec.volumes ?? []) {
      const plugin = this.plugins.find((p) => p.handles(v));
      if (plugin?.refresh) await plugin.refresh(pod, v).catch((err: unknown) => (first ??= err instanceof Error ? err : new Error(String(err))));
    }
    if (first) throw first;
  }

  /** Tears down every volume of the pod (idempotent). */
  async teardown(pod: Pod): Promise<void> {
    for (const v of pod.spec.volumes ?? []) {
      const plugin = this.plugins.find((p) => p.handles(v));
      if (plugin) await plugin.teardown(pod, v);
    }
  }

  private pluginFor(v: Volume): VolumePlugin {
    const plugin = this.plugins.find((p) => p.handles(v));
    if (!plugin) {
      const kinds = Object.keys(v).filter((k) => k !== "name");
      throw new VolumeError(v.name, `volume type ${kinds.join(", ") || "(none)"} is not supported on this node`);
    }
    return plugin;
  }
}
