/**
 * The node's provisioner (`nodelet.io/local`): every volume is a loop-mounted ext4 image (loop-image.ts) under
 * ROOT/volumes/NAME, so a claim's size is a hard limit. It refuses a claim the disk cannot hold, counting the space
 * the other (sparse) images may still take. Used by the PV controller (provision, delete, expand) and by the
 * kubelet's persistentVolumeClaim plugin (mount, including after a daemon restart or a reboot).
 */
import { readdirSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ResourceExhaustedError } from "../api/resource-exhausted.js";
import type { Runner } from "../sys/runner.js";
import { imageBytesFor, LoopImage } from "./loop-image.js";

/** The names provisioned volumes get (pvc-<uid>), and what a volume directory may be called. */
const VOLUME_NAME = /^[a-z0-9][a-z0-9.-]*$/;

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
  /**
   * Bytes promised to volumes being made right now, by name: the PV controller provisions claims concurrently, and
   * each must count what the others were granted before their images exist on disk.
   */
  private readonly reserved = new Map<string, number>();

  constructor(
    /** ROOT/volumes */
    readonly dir: string,
    private readonly runner: Runner,
    private readonly freeBytes: () => number = () => diskFree(dir),
  ) {}

  image(name: string): LoopImage {
    if (!VOLUME_NAME.test(name)) throw new Error(`invalid volume name ${JSON.stringify(name)}`);
    return new LoopImage(join(this.dir, name), this.runner);
  }

  /**
   * Names of the volumes with a directory here. Entries no volume could have made (a stray file a user left) are
   * skipped, so one of them cannot make every provisioning fail; a directory that cannot be read is an error.
   */
  names(): string[] {
    try {
      return readdirSync(this.dir).filter((n) => VOLUME_NAME.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async provision(name: string, bytes: number, volumeMode: "Filesystem" | "Block"): Promise<{ path: string }> {
    const img = this.image(name);
    // A directory left by a crash between creating the image and creating the PersistentVolume: start over.
    await img.remove();
    const need = volumeMode === "Block" ? bytes : imageBytesFor(bytes);
    // From the check to the reservation nothing awaits: two provisionings cannot both take the same free space.
    const made = this.names().filter((v) => !this.reserved.has(v));
    const promised = made.reduce((n, v) => n + this.image(v).uncommittedBytes(), 0) + [...this.reserved.values()].reduce((a, b) => a + b, 0);
    const free = this.freeBytes() - promised;
    if (need > free) {
      throw new ResourceExhaustedError(`insufficient disk space: the claim needs ${mib(need)} (${mib(bytes)} requested plus filesystem overhead) and ${this.dir} has ${mib(Math.max(0, free))} free after the ${mib(promised)} other volumes may still use`);
    }
    this.reserved.set(name, need);
    try {
      await this.runner.mkdir(this.dir, undefined, 0o700);
      if (volumeMode === "Block") {
        await img.createRaw(bytes);
        await img.attach();
        return { path: img.image };
      }
      await img.create(bytes);
      await img.mount([], true);
    } catch (err) {
      await img.remove().catch(() => undefined);
      throw err;
    } finally {
      this.reserved.delete(name);
    }
    return { path: img.target };
  }

  /** The loop device of a Block volume for a pod (attached again after a reboot), with its numbers. */
  async ensureAttached(name: string): Promise<{ path: string; major: number; minor: number }> {
    const img = this.image(name);
    if (!img.exists()) throw new Error(`volume ${name} has no image at ${img.image}`);
    const path = await img.attach();
    const rdev = statSync(path).rdev;
    // Linux dev_t: major in bits 8-19, minor in bits 0-7 and 20-31 (new_decode_dev).
    return { path, major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
  }

  async delete(name: string): Promise<void> {
    await this.image(name).remove();
  }

  async expand(name: string, bytes: number, inUse: boolean): Promise<boolean> {
    const img = this.image(name);
    if (!img.exists()) throw new Error(`volume ${name} has no image at ${img.image}`);
    const free = this.freeBytes();
    const st = img.state();
    const size = (n: number) => (st?.block ? n : imageBytesFor(n));
    const more = size(bytes) - size(st?.bytes ?? 0);
    if (more > free) throw new Error(`insufficient disk space: growing to ${mib(bytes)} needs ${mib(more)} more and ${this.dir} has ${mib(free)} free`);
    if (st?.block) {
      await img.growRaw(bytes);
      return true;
    }
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
    if (!img.exists()) return;
    await img.unmount();
    await img.markReleased();
  }

  /**
   * Removes volumes no PersistentVolume names (`known`) and nobody kept on purpose: what a crash between making a
   * volume's storage and its object, or during a reclaim, left behind. Returns their names.
   */
  async collectOrphans(known: ReadonlySet<string>, report: (msg: string) => void = () => undefined): Promise<string[]> {
    const gone: string[] = [];
    for (const name of this.names()) {
      if (known.has(name)) continue;
      const img = this.image(name);
      let released: boolean;
      try {
        released = img.state()?.released === true;
      } catch (err) {
        // Fails closed: a record that cannot be read may be a Retain volume's; it is kept and reported, not removed.
        report(`volume ${name} kept: its record cannot be read (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      if (released) continue;
      await img.remove();
      gone.push(name);
    }
    return gone;
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
