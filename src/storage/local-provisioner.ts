/**
 * The node's provisioner (`nodelet.io/local`): every volume is a loop-mounted ext4 image (loop-image.ts) under
 * ROOT/volumes/NAME, so a claim's size is a hard limit. It refuses a claim the disk cannot hold, counting the space
 * the other (sparse) images may still take. Used by the PV controller (provision, delete, expand) and by the
 * kubelet's persistentVolumeClaim plugin (mount, including after a daemon restart or a reboot).
 */
import { readdirSync, statfsSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../sys/runner.js";
import { imageBytesFor, LoopImage } from "./loop-image.js";

export const LOCAL_PROVISIONER = "nodelet.io/local";

const MiB = 1024 * 1024;
const mib = (n: number): string => `${Math.ceil(n / MiB)} MiB`;

/**
 * Serves the PV controller's VolumeProvisioner contract (controllers/pv-binder/provisioner.ts): provision, delete,
 * expand (true when the filesystem has grown, false when it waits for its pods to go), release (Retain: unmounted,
 * files kept).
 */
export class LocalProvisioner {
  readonly name = LOCAL_PROVISIONER;

  constructor(
    /** ROOT/volumes */
    readonly dir: string,
    private readonly runner: Runner,
    private readonly freeBytes: () => number = () => diskFree(dir),
  ) {}

  image(name: string): LoopImage {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`invalid volume name ${JSON.stringify(name)}`);
    return new LoopImage(join(this.dir, name), this.runner);
  }

  /** Names of the volumes with a directory here. */
  names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  async provision(name: string, bytes: number, volumeMode: "Filesystem" | "Block"): Promise<{ path: string }> {
    if (volumeMode !== "Filesystem") throw new Error(`volumeMode ${volumeMode} is not supported by ${this.name}`);
    const img = this.image(name);
    // A directory left by a crash between creating the image and creating the PersistentVolume: start over.
    await img.remove();
    const need = imageBytesFor(bytes);
    const promised = this.names().reduce((n, v) => n + this.image(v).uncommittedBytes(), 0);
    const free = this.freeBytes() - promised;
    if (need > free) {
      throw new Error(`insufficient disk space: the claim needs ${mib(need)} (${mib(bytes)} requested plus filesystem overhead) and ${this.dir} has ${mib(Math.max(0, free))} free after the ${mib(promised)} other volumes may still use`);
    }
    try {
      await this.runner.mkdir(this.dir, undefined, 0o700);
      await img.create(bytes);
      await img.mount([], true);
    } catch (err) {
      await img.remove().catch(() => undefined);
      throw err;
    }
    return { path: img.target };
  }

  async delete(name: string): Promise<void> {
    await this.image(name).remove();
  }

  async expand(name: string, bytes: number, inUse: boolean): Promise<boolean> {
    const img = this.image(name);
    if (!img.exists()) throw new Error(`volume ${name} has no image at ${img.image}`);
    const free = this.freeBytes();
    const more = imageBytesFor(bytes) - imageBytesFor(img.state()?.bytes ?? 0);
    if (more > free) throw new Error(`insufficient disk space: growing to ${mib(bytes)} needs ${mib(more)} more and ${this.dir} has ${mib(free)} free`);
    if (inUse) {
      await img.growFile(bytes);
      return false;
    }
    return img.grow(bytes);
  }

  /**
   * The mounted path of volume `name` for a pod, mounting it if needed (after a reboot, or a crash); a pending
   * offline growth is finished first when no other pod holds the filesystem.
   */
  async ensureMounted(name: string): Promise<string> {
    const img = this.image(name);
    if (!img.exists()) throw new Error(`volume ${name} has no image at ${img.image}`);
    if (img.resizePending()) await img.finishResize();
    await img.mount();
    return img.target;
  }

  async release(name: string): Promise<void> {
    const img = this.image(name);
    if (img.exists()) await img.unmount();
  }

  /** Unmounts and removes every volume (nodelet reset). */
  async removeAll(log: (m: string) => void): Promise<void> {
    for (const name of this.names()) {
      log(`removing volume ${name}`);
      await this.image(name).remove();
    }
  }
}

function diskFree(dir: string): number {
  // The volumes directory may not exist yet: its parent (the state root) is on the same filesystem.
  for (const d of [dir, join(dir, "..")]) {
    try {
      const st = statfsSync(d);
      return st.bavail * st.bsize;
    } catch {
      // try the parent
    }
  }
  return 0;
}
