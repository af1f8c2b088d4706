/**
 * Content-addressed blobs (manifests, configs, layer archives) under DIR/<algorithm>/<hex>. A blob is written to a
 * temporary file beside its final place, fsynced, and renamed into place only after its digest matched, so the
 * store never holds a blob whose name lies about its content, and a failed or interrupted write leaves only a
 * temporary file that the next start removes.
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream, promises as fsp, writeSync, type ReadStream } from "node:fs";
import { join } from "node:path";
import { digestString, parseDigest, type Digest } from "./layer-path.js";

export class DigestMismatchError extends Error {
  constructor(what: string, want: string, got: string) {
    super(`${what}: digest mismatch: expected ${want}, got ${got}`);
    this.name = "DigestMismatchError";
  }
}

export class BlobStore {
  constructor(readonly dir: string) {}

  path(d: Digest): string {
    return join(this.dir, d.algorithm, d.hex);
  }

  async has(d: Digest): Promise<boolean> {
    return fsp.access(this.path(d)).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    });
  }

  /** The blob's bytes (small blobs: manifests and configs), re-verified against their name. */
  async read(d: Digest, max = 4 << 20): Promise<Buffer> {
    const fh = await fsp.open(this.path(d), "r");
    try {
      const st = await fh.stat();
      if (st.size > max) throw new Error(`blob ${digestString(d)}: ${st.size} bytes, more than ${max}`);
      const data = await fh.readFile();
      const got = createHash(d.algorithm).update(data).digest("hex");
      if (got !== d.hex) throw new DigestMismatchError(`blob ${this.path(d)}`, digestString(d), `${d.algorithm}:${got}`);
      return data;
    } finally {
      await fh.close();
    }
  }

  open(d: Digest): ReadStream {
    return createReadStream(this.path(d));
  }

  /** Writes a small blob whose bytes are at hand; verifies them first. */
  async put(d: Digest, data: Buffer): Promise<void> {
    const w = await this.writer(d, "blob");
    try {
      await w.write(data);
      await w.commit();
    } finally {
      await w.abort();
    }
  }

  /** A writer for a blob that arrives in chunks; commit() verifies and renames, abort() removes the temporary. */
  async writer(d: Digest, what: string): Promise<BlobWriter> {
    await fsp.mkdir(join(this.dir, d.algorithm), { recursive: true });
    const tmp = join(this.dir, d.algorithm, `.tmp-${d.hex.slice(0, 16)}-${randomBytes(6).toString("hex")}`);
    return new BlobWriter(d, what, tmp, this.path(d), await fsp.open(tmp, "wx", 0o644));
  }

  /** Removes temporaries left by an interrupted write (at start, before any pull runs). */
  async removeTemporaries(): Promise<void> {
    for (const alg of ["sha256", "sha512"]) {
      const names = await readdirOrNone(join(this.dir, alg));
      for (const n of names) if (n.startsWith(".tmp-")) await fsp.rm(join(this.dir, alg, n), { force: true });
    }
  }

  /** Every committed blob's digest. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const alg of ["sha256", "sha512"] as const) {
      const names = await readdirOrNone(join(this.dir, alg));
      for (const n of names) if (/^[a-f0-9]+$/.test(n)) out.push(`${alg}:${n}`);
    }
    return out;
  }

  async remove(d: Digest): Promise<void> {
    await fsp.rm(this.path(d), { force: true });
  }
}

export class BlobWriter {
  private readonly hash: Hash;
  private done = false;
  bytes = 0;

  constructor(
    private readonly d: Digest,
    private readonly what: string,
    private readonly tmp: string,
    private readonly final: string,
    private readonly fh: fsp.FileHandle,
  ) {
    this.hash = createHash(d.algorithm);
  }

  async write(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    // Synchronous, as the unpacker's calls are (unpack.ts): a chunk into the page cache takes microseconds, a thread
    // pool round trip per chunk held up the download → gunzip → unpack pipeline behind it.
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fh.fd, chunk, off);
  }

  /** fsync, check the digest, rename into place. Throws DigestMismatchError (and removes the temporary). */
  async commit(): Promise<void> {
    const got = this.hash.digest("hex");
    await this.fh.sync();
    await this.fh.close();
    this.done = true;
    if (got !== this.d.hex) {
      await fsp.rm(this.tmp, { force: true });
      throw new DigestMismatchError(this.what, digestString(this.d), `${this.d.algorithm}:${got}`);
    }
    await fsp.rename(this.tmp, this.final);
  }

  async abort(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.fh.close().catch(() => undefined);
    }
    await fsp.rm(this.tmp, { force: true });
  }
}

/** Parses and checks a digest string (re-exported for the store's callers). */
export { parseDigest };

/** A directory's names; [] only when it does not exist (an unreadable one is an error, not "no blobs"). */
async function readdirOrNone(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [] as string[];
    throw e;
  });
}
