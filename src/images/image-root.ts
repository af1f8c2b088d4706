/**
 * Reads a file of an image as its container would see it — through the merged view of its layers, with symlinks
 * resolved inside the image root — without mounting anything. Used for /etc/passwd and /etc/group when resolving
 * the image's USER: a join of the host path and "etc/passwd" would follow an image's symlink
 * `/etc/passwd → /host/file` out of the image (CVE-2024-9676 in containers/storage).
 *
 * The merge is overlayfs': the topmost layer holding a name wins; a 0/0 character device hides the name below;
 * a directory marked opaque (trusted.overlay.opaque=y) hides everything below it; a non-directory ends the merge.
 * The path is resolved by root-path.ts (the resolver the layer unpacker uses too): symlinks followed inside the image
 * root, `..` clamped at the root, 40 links at most.
 */
import { promises as fsp, type Stats } from "node:fs";
import { join } from "node:path";
import { resolveInRoot, SymlinkLoopError } from "./root-path.js";

/** Whether a layer's directory is opaque (reads the xattr; injected: Node has no getxattr). */
export type OpaqueCheck = (hostDir: string) => Promise<boolean>;

/**
 * The content of `path` in the image whose layer directories are `lowerDirs` (top layer first), or undefined when
 * it does not exist there or is not a regular file. Throws when it is larger than `max` bytes or resolution loops.
 */
export async function readImageFile(lowerDirs: string[], path: string, isOpaque: OpaqueCheck, max = 1 << 20): Promise<string | undefined> {
  const found = await lookup(lowerDirs, path, isOpaque);
  if (!found || !found.st.isFile()) return undefined;
  if (found.st.size > max) throw new Error(`image file ${path}: ${found.st.size} bytes, more than ${max}`);
  // O_NOFOLLOW: the resolved host path is a regular file of a layer, and must still be one when opened.
  const fh = await fsp.open(found.host, fsp.constants.O_RDONLY | fsp.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(Math.min(max + 1, found.st.size + 1));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > max) throw new Error(`image file ${path}: more than ${max} bytes`);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

interface Found {
  host: string;
  st: Stats;
}

/** The host path (in one layer) that `path` names in the merged image, final symlinks followed. */
export async function lookup(lowerDirs: string[], path: string, isOpaque: OpaqueCheck): Promise<Found | undefined> {
  const view = { entry: (comps: string[]) => topmost(lowerDirs, comps, isOpaque) };
  let r;
  try {
    r = await resolveInRoot(path, view, (host) => fsp.readlink(host));
  } catch (err) {
    if (err instanceof SymlinkLoopError) throw new Error(`image path ${path}: too many levels of symbolic links`, { cause: err });
    throw err;
  }
  if (r.kind !== "found" || r.comps.length === 0) return undefined; // missing, ENOTDIR, or the image root itself
  return r.entry ?? (await view.entry(r.comps));
}

/** The topmost layer entry for `comps` (parents already known to be directories in the merge). */
async function topmost(lowerDirs: string[], comps: string[], isOpaque: OpaqueCheck): Promise<Found | undefined> {
  for (let i = 0; i < lowerDirs.length; i++) {
    const layer = lowerDirs[i];
    // Below an opaque parent, or where a parent is not a directory in this layer, lower layers do not show.
    const visible = await parentsVisible(layer, comps.slice(0, -1), isOpaque);
    if (visible === "absent") continue;
    const host = join(layer, ...comps);
    const st = await fsp.lstat(host).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
      throw e;
    });
    if (st) return st.isCharacterDevice() && st.rdev === 0 ? undefined : { host, st };
    if (visible === "last") return undefined;
  }
  return undefined;
}

/**
 * How a layer takes part in the merge of directory `dirComps`: "absent" when it has no such directory (look
 * lower), "last" when the directory or one of its parents is opaque or hidden here (nothing lower shows),
 * else "through".
 */
async function parentsVisible(layer: string, dirComps: string[], isOpaque: OpaqueCheck): Promise<"absent" | "last" | "through"> {
  let result: "through" | "last" = "through";
  for (let n = 1; n <= dirComps.length; n++) {
    const host = join(layer, ...dirComps.slice(0, n));
    // Only a missing name is absence; an unreadable upper layer must not let a lower layer's file show through.
    const st = await fsp.lstat(host).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
      throw e;
    });
    if (!st) return result === "last" ? "last" : "absent";
    if (st.isCharacterDevice() && st.rdev === 0) return "last";
    if (!st.isDirectory()) return "last";
    if (await isOpaque(host)) result = "last";
  }
  return result;
}
