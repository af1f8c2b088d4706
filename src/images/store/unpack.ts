/**
 * Writes one layer's tar entries into its own fresh directory, the directory overlayfs later stacks as a lower
 * layer. Whiteouts become overlayfs whiteouts (a 0/0 character device) and opaque markers the
 * `trusted.overlay.opaque=y` attribute, so the kernel merges layers with exactly the OCI semantics (layer.md).
 *
 * Safety (shared reference images.md, every traversal class): every path is resolved component by component inside
 * the layer directory with lstat, the layer directory being "/": `..` is clamped at the root, a symlink met in a
 * parent is followed as the kernel would inside a chroot (absolute targets restart at the layer root), nothing is
 * ever created through a final symlink (files are opened O_CREAT|O_EXCL|O_NOFOLLOW after the old entry is
 * unlinked), and a hardlink's target is resolved the same way, so it can only name a file of this layer. This is
 * race-free without openat2 because the directory is private to the unpacker until it is committed: nothing else
 * writes into it while we resolve (the container root, which containers do write to, is resolved by the shim's
 * openat2 instead — shim/resolve.c).
 *
 * Device nodes, whiteouts and extended attributes have no Node API: they go through the Runner (mknod, setfattr),
 * one exec each; layers carry few of them.
 *
 * Speed: the file system calls are synchronous. A layer of many small files is a dozen metadata calls per entry
 * (lstat, open, write, chown, chmod, utimes, close), each microseconds in the kernel; through libuv's thread pool
 * each cost a round trip of tens of microseconds to milliseconds on a loaded machine, one entry at a time — measured
 * (README, Images): most of the unpack was that waiting. Each call blocks the event loop for one entry's syscall at
 * most (a write is one chunk of the stream, 64 KiB at most from zlib), and the loop runs between chunks. Parent
 * directories already resolved are remembered until an entry removes anything (the only way a resolved path could
 * change: a layer has no duplicate paths, and a new entry never lands on an existing one without removing it).
 *
 * Device nodes: containerd and umoci, unpacking as root, create a layer's character and block devices (and skip them
 * only in a user namespace, as moby does). A nodelet layer is unpacked once and shared by every pod that uses the
 * image, privileged or not, so a device in it would reach unprivileged pods: character and block devices are
 * skipped (counted in the result), as containerd does when it cannot be trusted to create them. The one exception is
 * the 0/0 character device, overlayfs' own whiteout, which opens nothing. FIFOs are kept as every unpacker keeps
 * them: a FIFO grants no access. `devices: "refuse"` (an archive being imported, which has no business with device
 * nodes or FIFOs) makes either an error instead.
 */
import {
  closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync, rmSync, symlinkSync,
  writeSync, chmodSync, type Stats,
} from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../sys/runner.js";
import { resolveInRoot, SymlinkLoopError, type RootEntry } from "../root-path.js";
import { entryComponents, entryMeaning } from "./layer-path.js";
import type { TarEntry, TarHeader } from "./tar-reader.js";

export interface UnpackResult {
  /** Bytes of regular file content written. */
  size: number;
  entries: number;
  /** Character and block devices left out (see above). */
  skippedDevices: number;
}

export interface UnpackOptions {
  /** Most entries the archive may have; more is an error (a layer of millions of empty files exhausts inodes). */
  maxEntries?: number;
  /** "skip" (layers): devices other than 0/0 are left out. "refuse": any device or FIFO is an error. */
  devices?: "skip" | "refuse";
}

/** Default entry bound: a large distribution layer has ~100k entries. */
export const MAX_LAYER_ENTRIES = 1_000_000;

export class LayerLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LayerLimitError";
  }
}

export class UnsafeLayerError extends Error {
  constructor(entry: string, reason: string) {
    super(`layer entry "${entry}": ${reason}`);
    this.name = "UnsafeLayerError";
  }
}

/**
 * Only these extended attributes are taken from an image. `trusted.overlay.*` never is: it would steer overlayfs
 * itself (redirects, metacopy, opaque) — opaque directories come from `.wh..wh..opq` entries only.
 */
export function allowedXattr(name: string): boolean {
  if (name.startsWith("trusted.overlay.")) return false;
  return name.startsWith("user.") || name.startsWith("trusted.") || name === "security.capability" ||
    name === "system.posix_acl_access" || name === "system.posix_acl_default";
}

/** Unpacks entries into `root` (an empty directory only this call writes to). Throws on the first unsafe entry. */
export async function unpackLayer(entries: AsyncIterable<TarEntry>, root: string, runner: Runner, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const u = new Unpacker(root, runner, opts.devices ?? "skip");
  const max = opts.maxEntries ?? MAX_LAYER_ENTRIES;
  for await (const e of entries) {
    if (u.count >= max) throw new LayerLimitError(`more than ${max} entries`);
    await u.apply(e);
  }
  await u.finish();
  return { size: u.size, entries: u.count, skippedDevices: u.skippedDevices };
}

class Unpacker {
  size = 0;
  count = 0;
  skippedDevices = 0;
  /** Directory times are set last: writing their children changes them. */
  private readonly dirTimes: { path: string; mtime: number }[] = [];
  /** Parent directories resolved so far (components joined with "/" → host path); emptied whenever an entry is removed. */
  private readonly dirs = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly runner: Runner,
    private readonly devices: "skip" | "refuse",
  ) {}

  async apply({ header: h, body }: TarEntry): Promise<void> {
    this.count++;
    if (h.type === "char" || h.type === "block" || h.type === "fifo") {
      if (this.devices === "refuse") throw new UnsafeLayerError(h.name, `${h.type === "fifo" ? "a FIFO" : "a device node"} has no place in an image archive`);
      if (h.type !== "fifo" && !(h.type === "char" && h.devmajor === 0 && h.devminor === 0)) {
        this.skippedDevices++;
        return;
      }
    }
    const meaning = entryMeaning(entryComponents(h.name));
    if (meaning.kind === "ignore") return;
    if (meaning.kind === "opaque") {
      const dir = await this.resolveDir(meaning.dir, h.name);
      await this.setXattr(dir, "trusted.overlay.opaque", Buffer.from("y"));
      return;
    }
    if (meaning.path.length === 0) {
      // The layer root itself ("./"): only its attributes.
      if (h.type !== "dir") throw new UnsafeLayerError(h.name, "the layer root must be a directory");
      await this.attributes(this.root, h, true);
      return;
    }
    const parent = await this.resolveDir(meaning.path.slice(0, -1), h.name);
    const target = join(parent, meaning.path[meaning.path.length - 1]);
    if (meaning.kind === "whiteout") {
      if (lstatOrUndefined(target)) this.remove(target);
      await this.runner.run(["mknod", "-m", "0", target, "c", "0", "0"]);
      return;
    }
    if (h.type === "file" || h.type === "dir" || h.type === "symlink") return this.create(h, target, body);
    // Hardlinks and nodes: the old entry goes first (a hardlink naming its own path must then find nothing).
    const existing = lstatOrUndefined(target);
    if (existing) this.remove(target);
    await this.createOther(h, target);
  }

  /**
   * Runs `make` (one call that creates `target` and fails with EEXIST on anything already there, a symlink
   * included: O_CREAT|O_EXCL, mkdir, symlink). On EEXIST the old entry is removed and `make` runs again, except a
   * directory met by a directory entry (kept as it is). An entry seldom replaces another, so the
   * common case costs no lstat.
   */
  private place<T>(target: string, dir: false, make: () => T): T;
  private place(target: string, dir: true, make: () => void): void;
  private place<T>(target: string, dir: boolean, make: () => T): T | undefined {
    try {
      return make();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const existing = lstatOrUndefined(target);
    if (dir && existing?.isDirectory()) return undefined;
    if (existing) this.remove(target);
    return make();
  }

  /** Removes an entry a later one replaces; what was resolved or remembered at or below it is forgotten. */
  private remove(path: string): void {
    rmSync(path, { recursive: true, force: true });
    this.dirs.clear();
    const gone = (p: string) => p === path || p.startsWith(`${path}/`);
    for (let i = this.dirTimes.length - 1; i >= 0; i--) if (gone(this.dirTimes[i].path)) this.dirTimes.splice(i, 1);
  }

  /** A directory, regular file or symlink at `target`, replacing what is there (a directory stays, with new attributes). */
  private async create(h: TarHeader, target: string, body: AsyncIterable<Buffer>): Promise<void> {
    switch (h.type) {
      case "dir":
        this.place(target, true, () => mkdirSync(target, { mode: 0o700 }));
        await this.attributes(target, h, true);
        return;
      case "file": {
        const fd = this.place(target, false, () => openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
        try {
          for await (const chunk of body) {
            for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
            this.size += chunk.length;
          }
          // chown before chmod: chown clears the set-id bits.
          fchownSync(fd, h.uid, h.gid);
          fchmodSync(fd, h.mode);
          futimesSync(fd, h.mtime, h.mtime);
        } finally {
          closeSync(fd);
        }
        await this.xattrs(target, h);
        return;
      }
      case "symlink":
        // The target is data, never followed here; it means something only inside the container's root.
        this.place(target, false, () => symlinkSync(h.linkname, target));
        lchownSync(target, h.uid, h.gid);
        lutimesSync(target, h.mtime, h.mtime);
        return;
    }
  }

  /** A hardlink or a node at `target`, where nothing is any more. */
  private async createOther(h: TarHeader, target: string): Promise<void> {
    switch (h.type) {
      case "hardlink": {
        const source = await this.resolveLinkTarget(h);
        linkSync(source, target);
        return;
      }
      case "char":
      case "block":
      case "fifo": {
        const kind = h.type === "char" ? ["c", String(h.devmajor), String(h.devminor)] : h.type === "block" ? ["b", String(h.devmajor), String(h.devminor)] : ["p"];
        await this.runner.run(["mknod", "-m", (h.mode & 0o777).toString(8), target, ...kind]);
        await this.attributes(target, h, false);
        return;
      }
    }
  }

  /** A hardlink names a file of this same layer: resolved inside the root, and never a directory. */
  private async resolveLinkTarget(h: TarHeader): Promise<string> {
    const comps = entryComponents(h.linkname);
    if (comps.length === 0) throw new UnsafeLayerError(h.name, `hardlink to the layer root "${h.linkname}"`);
    const parent = await this.resolveDir(comps.slice(0, -1), h.name, false);
    const source = parent === undefined ? undefined : join(parent, comps[comps.length - 1]);
    const st = source === undefined ? undefined : lstatOrUndefined(source);
    if (!source || !st) throw new UnsafeLayerError(h.name, `hardlink target "${h.linkname}" is not in this layer`);
    if (st.isDirectory()) throw new UnsafeLayerError(h.name, `hardlink target "${h.linkname}" is a directory`);
    return source;
  }

  private async attributes(path: string, h: TarHeader, dir: boolean): Promise<void> {
    lchownSync(path, h.uid, h.gid);
    chmodSync(path, h.mode);
    await this.xattrs(path, h);
    if (dir) this.dirTimes.push({ path, mtime: h.mtime });
    else lutimesSync(path, h.mtime, h.mtime);
  }

  private async xattrs(path: string, h: TarHeader): Promise<void> {
    for (const [name, value] of h.xattrs) {
      if (allowedXattr(name)) await this.setXattr(path, name, value);
    }
  }

  private async setXattr(path: string, name: string, value: Buffer): Promise<void> {
    // -h: never through a symlink. The value in hex, so any bytes pass through argv intact.
    await this.runner.run(["setfattr", "-h", "-n", name, "-v", `0x${value.toString("hex")}`, "--", path]);
  }

  /**
   * The host path of directory `comps` inside the root, following symlinks inside the root and making missing
   * directories (0755, as tar does for implied parents) unless `create` is false (then undefined when missing).
   */
  async resolveDir(comps: string[], entry: string, create?: true): Promise<string>;
  async resolveDir(comps: string[], entry: string, create: false): Promise<string | undefined>;
  async resolveDir(comps: string[], entry: string, create = true): Promise<string | undefined> {
    const key = comps.join("/");
    const known = this.dirs.get(key);
    if (known !== undefined) return known;
    const at = async (c: string[]): Promise<RootEntry | undefined> => {
      const host = join(this.root, ...c);
      const st = lstatOrUndefined(host);
      return st && { host, st };
    };
    const mkdir = async (c: string[]): Promise<RootEntry> => {
      const host = join(this.root, ...c);
      mkdirSync(host, { mode: 0o755 });
      return { host, st: lstatSync(host) };
    };
    let r;
    try {
      r = await resolveInRoot(comps, create ? { entry: at, mkdir } : { entry: at }, async (host) => readlinkSync(host));
    } catch (err) {
      if (err instanceof SymlinkLoopError) throw new UnsafeLayerError(entry, "too many levels of symbolic links");
      throw err;
    }
    if (r.kind === "missing") return undefined;
    if (r.kind === "notdir" || (r.entry && !r.entry.st.isDirectory())) throw new UnsafeLayerError(entry, `"${r.comps.join("/")}" is not a directory`);
    const host = join(this.root, ...r.comps);
    this.dirs.set(key, host);
    return host;
  }

  async finish(): Promise<void> {
    // lutimes: a directory's path never is a link by now (replaced ones were forgotten), and is never followed if it were.
    for (const d of this.dirTimes.reverse()) lutimesSync(d.path, d.mtime, d.mtime);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}
