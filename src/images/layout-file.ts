/**
 * Files of an image archive or layout directory (index.json, oci-layout, manifest.json, blobs/<alg>/<hex>, a docker
 * save's layer paths), opened by the path the archive names. The path is resolved inside the archive's root (image-root
 * `lookup`: symlinks followed as inside a chroot, `..` clamped), the file opened O_NOFOLLOW|O_NONBLOCK and checked
 * with fstat on the open descriptor: a regular file, no larger than the caller's bound. So a `blobs` symlink to /etc, an
 * index.json that is /dev/zero or a FIFO, or a file swapped for a symlink after the lookup reads nothing outside the
 * root, never blocks, and never reads without bound.
 */
import { constants, promises as fsp } from "node:fs";
import { Readable } from "node:stream";
import type { FileHandle } from "node:fs/promises";
import { lookup } from "./image-root.js";

const notOpaque = async () => false;

export interface InsideFile {
  fh: FileHandle;
  size: number;
}

/** The regular file `path` names inside `root`, open; throws naming `what` when missing, not a file, or over `max` bytes. */
export async function openInside(root: string, path: string, what: string, max: number): Promise<InsideFile> {
  const found = await lookup([root], path, notOpaque);
  if (!found) throw new Error(`${what}: "${path}" is not in ${root}`);
  if (!found.st.isFile()) throw new Error(`${what}: "${path}" is not a regular file`);
  let fh: FileHandle;
  try {
    fh = await fsp.open(found.host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new Error(`${what}: cannot open "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${what}: "${path}" is not a regular file`);
    if (st.size > max) throw new Error(`${what}: "${path}" is ${st.size} bytes, over the ${max}-byte limit`);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The whole content of a file inside `root` (see openInside), at most `max` bytes even if it grows while read. */
export async function readInside(root: string, path: string, what: string, max: number): Promise<Buffer> {
  const { fh, size } = await openInside(root, path, what, max);
  try {
    const buf = Buffer.alloc(Math.min(size, max) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    if (n > max) throw new Error(`${what}: "${path}" is over the ${max}-byte limit`);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** A stream of the file's first `size` bytes, which it must have exactly (a descriptor's size, checked before use). */
export async function streamInside(root: string, path: string, what: string, size: number): Promise<Readable> {
  const { fh, size: actual } = await openInside(root, path, what, size);
  if (actual !== size) {
    await fh.close();
    throw new Error(`${what}: "${path}" is ${actual} bytes, its descriptor says ${size}`);
  }
  if (size === 0) {
    await fh.close();
    return Readable.from([]);
  }
  // The stream closes the handle when it ends or is destroyed; end is inclusive.
  return fh.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 20 });
}
