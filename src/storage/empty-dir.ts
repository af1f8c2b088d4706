/**
 * emptyDir: a directory that lives as long as the pod, shared by its containers. On disk by default; with
 * `medium: Memory` a tmpfs mounted on the host (size = sizeLimit), as the kubelet's empty_dir plugin does; on disk
 * with a sizeLimit, a loop-mounted image of that size (loop-image.ts).
 * Mode 0777 like the kubelet, so any container user can write; with the pod's fsGroup, its group and setgid
 * (fs-group.ts).
 */
import { promises as fsp } from "node:fs";
import type { Pod, Volume } from "../api/types.js";
import { isMountPoint, mount, unmount } from "../sys/mounts.js";
import type { Runner } from "../sys/runner.js";
import { memoryBytes } from "../api/quantity.js";
import { LoopImage } from "./loop-image.js";
import type { VolumePaths, VolumePlugin } from "./volume-plugin.js";
import { fsGroupOf, setVolumeOwnership } from "./fs-group.js";

/** Where the images of size-limited emptyDirs live: ROOT/pods/UID/volumes/nodelet~empty-dir-image/NAME. */
const IMAGES_DIR = "nodelet~empty-dir-image";

export class EmptyDirPlugin implements VolumePlugin {
  readonly name = "kubernetes.io~empty-dir";

  constructor(
    private readonly layout: VolumePaths,
    private readonly runner: Runner,
  ) {}

  handles(v: Volume): boolean {
    return v.emptyDir !== undefined;
  }

  private dir(pod: Pod, v: Volume): string {
    return this.layout.volumeDir(pod.metadata.uid!, this.name, v.name);
  }

  async setup(pod: Pod, v: Volume) {
    const dir = this.dir(pod, v);
    const owner = pod.metadata.uid;
    await this.runner.mkdir(dir, owner);
    if (v.emptyDir?.medium === "Memory") {
      const size = memoryBytes(v.emptyDir.sizeLimit);
      const options = ["mode=0777", "nosuid", "nodev"];
      if (size) options.push(`size=${size}`);
      // Setup runs again after a daemon restart: keep a tmpfs that is already there (and its data).
      if (!isMountPoint(dir)) await mount(this.runner, { source: "tmpfs", target: dir, type: "tmpfs", options }, owner);
    } else if (v.emptyDir?.sizeLimit !== undefined) {
      await this.setupLimited(pod, v, dir, memoryBytes(v.emptyDir.sizeLimit)!);
    } else {
      await fsp.chmod(dir, 0o777);
    }
    const fsGroup = fsGroupOf(pod.spec.securityContext, false);
    if (fsGroup) await setVolumeOwnership(dir, fsGroup);
    return { hostPath: dir, readOnly: false };
  }

  /**
   * sizeLimit on disk: a loop-mounted ext4 image of that size, so writing past the limit is ENOSPC. Stricter than
   * the kubelet, which lets the volume grow and evicts the pod after its next usage scan.
   */
  private async setupLimited(pod: Pod, v: Volume, dir: string, bytes: number): Promise<void> {
    const img = this.image(pod, v, dir);
    // Setup runs again after a daemon restart: an image that is there keeps its data.
    if (!img.exists()) await img.create(bytes);
    await img.mount();
    await fsp.chmod(dir, 0o777);
  }

  private image(pod: Pod, v: Volume, dir: string): LoopImage {
    return new LoopImage(this.layout.volumeDir(pod.metadata.uid!, IMAGES_DIR, v.name), this.runner, pod.metadata.uid, dir);
  }

  async teardown(pod: Pod, v: Volume): Promise<void> {
    const dir = this.dir(pod, v);
    await unmount(this.runner, dir, pod.metadata.uid);
    await this.image(pod, v, dir).remove();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
