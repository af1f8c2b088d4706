/**
 * A filesystem with a hard size: a sparse ext4 image file attached to a loop device and mounted (the measured
 * commands of shared reference storage.md). Writes past the size get ENOSPC from the kernel, which project quotas
 * would give too but this kernel lacks (no CONFIG_QUOTA). Each image lives in a directory of its own:
 *
 *   DIR/disk.img     the sparse image (its apparent size is the volume's size)
 *   DIR/mount        where it is mounted on the host (pods bind-mount this)
 *   DIR/volume.json  { bytes, fsBytes }: the size asked for and the size the filesystem was made/grown to
 *
 * The loop device comes from `mount -o loop`, which sets autoclear: the device detaches by itself when the last
 * mount of the filesystem goes (host or a container's copy), so the mount is the owner of the device. Online growth
 * is refused by this kernel (it forbids writes to a mounted block device: resize2fs says "Permission denied to resize
 * filesystem"), so growth is offline: grow the file, and resize2fs once the filesystem is mounted nowhere.
 */
import { promises as fsp, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { HostError } from "../sys/host-error.js";
import { readJsonState } from "../sys/json-state.js";
import { isMountPoint, mount, unmount } from "../sys/mounts.js";
import type { Runner } from "../sys/runner.js";

/** mkfs options: no reserved blocks, 4 KiB blocks, one inode per 64 KiB, a 4 MiB journal, no discard pass. */
export const MKFS_ARGV = ["mkfs.ext4", "-F", "-q", "-m", "0", "-b", "4096", "-i", "65536", "-J", "size=4", "-E", "nodiscard"];
const MiB = 1024 * 1024;

/**
 * The image size that leaves at least `bytes` usable: ext4's journal (4 MiB), inode tables and group descriptors
 * take about 2.6% of a volume with the options above (measured: 64 MiB image → 58.4 MiB usable, 1 GiB → 997 MiB).
 */
export function imageBytesFor(bytes: number): number {
  return Math.ceil((bytes + 5 * MiB + bytes * 0.03) / MiB) * MiB;
}

interface ImageState {
  bytes: number;
  fsBytes: number;
  /** volumeMode Block: a raw image attached with losetup (the volume owns the device), no filesystem. */
  block?: boolean;
  /** Kept for an administrator after its PersistentVolume object went (Retain): not an orphan to collect. */
  released?: boolean;
}

export class LoopImage {
  readonly image: string;
  readonly target: string;
  private readonly stateFile: string;

  /** `target` defaults to DIR/mount; an emptyDir mounts its image on the pod's volume directory instead. */
  constructor(
    readonly dir: string,
    private readonly runner: Runner,
    private readonly owner?: string,
    target?: string,
  ) {
    this.image = join(dir, "disk.img");
    this.target = target ?? join(dir, "mount");
    this.stateFile = join(dir, "volume.json");
  }

  /**
   * Whether the image file is there. Fails closed: only "no such file" is false — an image that cannot be checked
   * (EACCES, EIO, EMFILE) is an error, never "absent", since the caller would then make a new filesystem over it.
   */
  exists(): boolean {
    const st = statOrAbsent(this.image);
    return st?.isFile() === true;
  }

  /**
   * The image's record (volume.json): undefined only when there is none. An unreadable one is a HostError and a
   * corrupt one a CorruptStateError, so a volume kept on purpose (released) is never taken for an orphan on a guess.
   */
  state(): ImageState | undefined {
    return readJsonState<ImageState>(this.stateFile, `volume image ${this.dir}`);
  }

  /** Bytes the sparse image may still take from the host disk: its size minus what it already uses. */
  uncommittedBytes(): number {
    const st = statOrAbsent(this.image);
    return st ? Math.max(0, st.size - st.blocks * 512) : 0;
  }

  /** Creates the image (usable size ≥ `bytes`) and an ext4 filesystem on it. */
  async create(bytes: number): Promise<void> {
    const size = imageBytesFor(bytes);
    await this.runner.mkdir(this.dir, this.owner, 0o700);
    await this.runner.mkdir(this.target, this.owner, 0o755);
    await this.runner.run(["truncate", "-s", String(size), this.image], { owner: this.owner });
    await this.runner.run([...MKFS_ARGV, this.image], { owner: this.owner });
    await this.saveState({ bytes, fsBytes: size });
  }

  /** Creates a raw image of exactly `bytes` for a Block volume (no filesystem). */
  async createRaw(bytes: number): Promise<void> {
    await this.runner.mkdir(this.dir, this.owner, 0o700);
    await this.runner.run(["truncate", "-s", String(bytes), this.image], { owner: this.owner });
    await this.saveState({ bytes, fsBytes: 0, block: true });
  }

  /** The loop device of a raw image, attaching it (`losetup --find --show`) when it is not. */
  async attach(): Promise<string> {
    const dev = await this.attachedDevice();
    if (dev) return dev;
    const r = await this.runner.run(["losetup", "--find", "--show", this.image], { owner: this.owner });
    return r.stdout.trim();
  }

  /** Grows a raw image and tells its loop device (`losetup -c`): a block device grows online. */
  async growRaw(bytes: number): Promise<void> {
    const st = this.state()!;
    if (bytes > statSync(this.image).size) await this.runner.run(["truncate", "-s", String(bytes), this.image], { owner: this.owner });
    const dev = await this.attachedDevice();
    if (dev) await this.runner.run(["losetup", "-c", dev], { owner: this.owner });
    await this.saveState({ ...st, bytes: Math.max(bytes, st.bytes) });
  }

  /**
   * Mounts the filesystem at `target` unless it is mounted; reuses a loop device the image is still attached to
   * (`fresh`: the image was just made, none can be).
   */
  async mount(options: string[] = [], fresh = false): Promise<void> {
    if (isMountPoint(this.target)) return;
    await this.runner.mkdir(this.target, this.owner, 0o755);
    // Two loop devices on one image would be two filesystems writing the same blocks: reuse the attached one.
    const dev = fresh ? undefined : await this.attachedDevice();
    const opts = ["nodiscard", ...options];
    if (dev) await mount(this.runner, { source: dev, target: this.target, type: "ext4", options: opts }, this.owner);
    else await mount(this.runner, { source: this.image, target: this.target, type: "ext4", options: ["loop", ...opts] }, this.owner);
  }

  async unmount(): Promise<void> {
    await unmount(this.runner, this.target, this.owner);
  }

  /**
   * Waits (up to `ms`) for the image's loop device to go: the kernel detaches an autoclear device after its last
   * user closes it, not always before umount(2) returns (loop_schedule_rundown). True when none is attached.
   */
  async detached(ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await this.attachedDevice())) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The loop device backed by this image, if any (`losetup -j`). */
  async attachedDevice(): Promise<string | undefined> {
    const r = await this.runner.run(["losetup", "-j", this.image], { owner: this.owner, allowFail: true });
    return /^(\/dev\/loop\d+):/m.exec(r.stdout)?.[1];
  }

  /**
   * Grows the image to hold `bytes` and, when the filesystem is mounted nowhere else, the filesystem too
   * (umount, e2fsck, resize2fs, mount). Returns false when it is still in use elsewhere (a container's mount
   * namespace holds it): the file has grown and the filesystem waits (`resizePending`). Never shrinks.
   */
  async grow(bytes: number): Promise<boolean> {
    await this.growFile(bytes);
    return this.finishResize();
  }

  /** Grows only the file (the filesystem follows at finishResize). */
  async growFile(bytes: number): Promise<void> {
    const st = this.state() ?? { bytes: 0, fsBytes: 0 };
    const size = imageBytesFor(bytes);
    if (size > statSync(this.image).size) await this.runner.run(["truncate", "-s", String(size), this.image], { owner: this.owner });
    await this.saveState({ bytes: Math.max(bytes, st.bytes), fsBytes: st.fsBytes });
  }

  resizePending(): boolean {
    const st = this.state();
    return st !== undefined && !st.block && imageBytesFor(st.bytes) > st.fsBytes;
  }

  /** Completes a pending offline resize if nothing else has the filesystem mounted. True when none is pending. */
  async finishResize(): Promise<boolean> {
    if (!this.resizePending()) return true;
    const wasMounted = isMountPoint(this.target);
    await this.unmount();
    if (!(await this.detached())) {
      if (wasMounted) await this.mount();
      return false;
    }
    await this.runner.run(["e2fsck", "-f", "-p", this.image], { owner: this.owner, allowFail: true }).then((r) => {
      // 0: clean, 1: errors corrected; anything else leaves the filesystem for an administrator.
      if (r.code > 1) throw new Error(`e2fsck ${this.image} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    });
    await this.runner.run(["resize2fs", this.image], { owner: this.owner });
    const st = this.state()!;
    await this.saveState({ bytes: st.bytes, fsBytes: statSync(this.image).size });
    if (wasMounted) await this.mount();
    return true;
  }

  /** Unmounts (which detaches the loop device) and removes the image and its directory. Idempotent. */
  async remove(): Promise<void> {
    const wasMounted = isMountPoint(this.target);
    await this.unmount();
    // Removing is the intent here, so a record that cannot be read does not stop it: the image is then treated as
    // possibly a Block volume's (its loop device, if any, detached) rather than guessed not to be.
    let block: boolean;
    try {
      block = this.state()?.block === true;
    } catch {
      block = true;
    }
    if (block) {
      const dev = await this.attachedDevice();
      if (dev) await this.runner.run(["losetup", "-d", dev], { owner: this.owner });
    }
    // A device still held by a container's mount namespace detaches when that goes; this waits only for the
    // kernel's own deferred detach, so the caller sees the device gone when nothing else holds it.
    if (wasMounted || block) await this.detached();
    // rm -r never crosses into a filesystem still mounted (a failed umount throws above).
    await fsp.rm(this.dir, { recursive: true, force: true });
  }

  /** Records that the image is kept on purpose (Retain) though no volume object names it any more. */
  async markReleased(): Promise<void> {
    const st = this.state();
    if (st) await this.saveState({ ...st, released: true });
  }

  private async saveState(st: ImageState): Promise<void> {
    await this.runner.writeFile(this.stateFile, `${JSON.stringify(st)}\n`, this.owner, 0o600);
  }
}

/** lstat-free stat of a path; undefined only when it does not exist. */
function statOrAbsent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new HostError("stat", path, "", err);
  }
}
