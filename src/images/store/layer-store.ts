/**
 * Unpacked layers, one directory each under DIR/<hex of the diffID>, shared by every image that lists the layer.
 * A layer arrives as its (possibly compressed) blob stream; it is kept as a verified blob (for `image save` and
 * push) and unpacked into a private temporary directory while both digests are computed — the blob's over the
 * compressed bytes, the diffID over the tar — and the directory is renamed into place only when both match, so a
 * wrong, truncated or malicious layer leaves nothing behind. Two pulls of the same layer share one unpack.
 *
 * Directory names are the bare hex (no "sha256/" level) to keep overlay's lowerdir option short: one page holds
 * about 40 layers under /var/lib/nodelet (see shim/rootfs.c for what happens past that).
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../sys/runner.js";
import { DigestMismatchError, type BlobStore } from "./blob-store.js";
import { layerCompression } from "../manifest.js";
import { decompress } from "./decompress.js";
import { digestString, parseDigest } from "./layer-path.js";
import { tarEntries } from "./tar-reader.js";
import { LayerLimitError, MAX_LAYER_ENTRIES, unpackLayer } from "./unpack.js";

export interface LayerDescriptor {
  /** Digest of the blob as the registry serves it (compressed). */
  digest: string;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffID: string;
  size: number;
  mediaType: string;
}

/** Bytes of a layer received so far, for progress bars. */
export type LayerProgress = (bytes: number) => void;


/**
 * Bounds on one layer as unpacked: a gzip or zstd bomb (a few MB that inflate to terabytes) would otherwise fill the
 * disk before any digest could be checked. The daemon's --image-max-layer-size sets maxBytes.
 */
export interface LayerLimits {
  /** Most bytes of uncompressed tar stream per layer. */
  maxBytes: number;
  /** Most tar entries per layer. */
  maxEntries: number;
}

/** 20 GiB: several times the largest layers of common images (CUDA, ML runtimes run to a few GiB). */
export const DEFAULT_MAX_LAYER_BYTES = 20 * 2 ** 30;
export const DEFAULT_LAYER_LIMITS: LayerLimits = { maxBytes: DEFAULT_MAX_LAYER_BYTES, maxEntries: MAX_LAYER_ENTRIES };

export class LayerStore {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    readonly dir: string,
    private readonly tmpDir: string,
    private readonly blobs: BlobStore,
    private readonly runner: Runner,
    private readonly limits: LayerLimits = DEFAULT_LAYER_LIMITS,
  ) {}

  /** The directory of an unpacked layer (whether or not it exists). The diffID is validated first. */
  path(diffID: string): string {
    return join(this.dir, parseDigest(diffID, "diffID").hex);
  }

  async has(l: Pick<LayerDescriptor, "diffID">): Promise<boolean> {
    return fsp.access(this.path(l.diffID)).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    });
  }

  /** Whether the layer is unpacked and its blob kept: a pull can skip it. */
  async complete(l: LayerDescriptor): Promise<boolean> {
    return (await this.has(l)) && (await this.blobs.has(parseDigest(l.digest, "layer digest")));
  }

  /**
   * Unpacks the layer that `open()` streams, unless it is already here. Concurrent calls for one diffID share the
   * work. Throws (leaving nothing) on a digest or size mismatch, an unknown media type or an unsafe entry.
   */
  async ensure(l: LayerDescriptor, open: (offset: number) => Promise<AsyncIterable<Buffer>>, progress?: LayerProgress): Promise<void> {
    const key = parseDigest(l.diffID, "diffID").hex;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = (async () => {
      if (await this.complete(l)) return;
      await this.unpack(l, await open(0), progress);
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async unpack(l: LayerDescriptor, src: AsyncIterable<Buffer>, progress?: LayerProgress): Promise<void> {
    if (layerCompression(l.mediaType) === undefined) throw new Error(`layer ${l.digest}: unsupported media type "${l.mediaType}"`);
    const blobDigest = parseDigest(l.digest, "layer digest");
    const diff = parseDigest(l.diffID, "diffID");
    if (!Number.isSafeInteger(l.size) || l.size < 0) throw new Error(`layer ${l.digest}: invalid size ${l.size}`);
    await fsp.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(this.tmpDir, `layer-${diff.hex.slice(0, 12)}-${randomBytes(6).toString("hex")}`);
    await fsp.mkdir(tmp, { mode: 0o755 });
    const blob = await this.blobs.writer(blobDigest, `layer ${l.digest}`);
    const diffHash = createHash(diff.algorithm);
    let tar: AsyncGenerator<Buffer> | undefined;
    try {
      const compressed = tee(src, async (chunk) => {
        if (blob.bytes + chunk.length > l.size) throw new Error(`layer ${l.digest}: more than the ${l.size} bytes its descriptor gives`);
        await blob.write(chunk);
        progress?.(blob.bytes);
      });
      let unpacked = 0;
      tar = tee(decompress(compressed, this.runner), async (chunk) => {
        unpacked += chunk.length;
        if (unpacked > this.limits.maxBytes) throw new LayerLimitError(`more than ${this.limits.maxBytes} bytes uncompressed (--image-max-layer-size)`);
        diffHash.update(chunk);
      });
      await unpackLayer(tarEntries(tar), tmp, this.runner, { maxEntries: this.limits.maxEntries }).catch((err: unknown) => {
        if (err instanceof LayerLimitError) throw new LayerLimitError(`layer ${l.digest}: ${err.message}: over this node's limit, refused`);
        throw err;
      });
      for await (const _ of tar); // the end-of-archive blocks and padding are part of the diffID
      if (blob.bytes !== l.size) throw new Error(`layer ${l.digest}: ${blob.bytes} bytes received, its descriptor gives ${l.size}`);
      const gotDiff = diffHash.digest("hex");
      if (gotDiff !== diff.hex) throw new DigestMismatchError(`layer ${l.digest} (uncompressed)`, digestString(diff), `${diff.algorithm}:${gotDiff}`);
      await blob.commit();
      await fsp.mkdir(this.dir, { recursive: true });
      await fsp.rename(tmp, this.path(l.diffID)).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e; // another process committed it first
      });
    } finally {
      await tar?.return(undefined); // on a failure, ends the decompressor (a zstd process) and the source stream
      await blob.abort();
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Takes a directory this node built (busybox, --from-host) as a layer: `tar` archives it (uncompressed,
   * reproducible) into the blob store, and the directory itself is moved into place — its content is ours, so it is
   * not unpacked again. Returns the layer's descriptor.
   */
  async adoptDirectory(dir: string): Promise<LayerDescriptor> {
    await fsp.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tarFile = join(this.tmpDir, `build-${randomBytes(6).toString("hex")}.tar`);
    try {
      await this.runner.run(["tar", "--sort=name", "--numeric-owner", "--mtime=@0", "--xattrs", "--xattrs-include=*", "-C", dir, "-cf", tarFile, "."]);
      const hash = createHash("sha256");
      const fh = await fsp.open(tarFile, "r");
      let size = 0;
      try {
        for await (const chunk of fh.createReadStream({ autoClose: false })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest("hex")}`;
      const d = parseDigest(digest);
      if (!(await this.blobs.has(d))) {
        await fsp.mkdir(join(this.blobs.dir, "sha256"), { recursive: true });
        await fsp.rename(tarFile, this.blobs.path(d));
      }
      const layer = { digest, diffID: digest, size, mediaType: "application/vnd.oci.image.layer.v1.tar" };
      await fsp.mkdir(this.dir, { recursive: true });
      await fsp.rename(dir, this.path(digest)).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
        await fsp.rm(dir, { recursive: true, force: true }); // the same content is already a layer
      });
      return layer;
    } finally {
      await fsp.rm(tarFile, { force: true });
    }
  }

  /** Every unpacked layer's diffID. */
  async list(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return [] as string[];
      throw e;
    });
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Removes a layer's directory and blob (the caller checked no image and no container uses it). */
  async remove(l: Pick<LayerDescriptor, "diffID" | "digest">): Promise<void> {
    await this.removeDirectory(l.diffID);
    await this.blobs.remove(parseDigest(l.digest, "layer digest"));
  }

  /** Removes a layer's unpacked directory only. */
  async removeDirectory(diffID: string): Promise<void> {
    const path = this.path(diffID);
    // Renamed aside first, so a half-removed layer is never taken for a present one.
    const aside = join(this.tmpDir, `gone-${randomBytes(6).toString("hex")}`);
    await fsp.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await fsp.rename(path, aside).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
    await fsp.rm(aside, { recursive: true, force: true });
  }
}

/** Passes chunks through, handing each to `sink` first (hashing, writing); an error of the sink ends the stream. */
async function* tee(src: AsyncIterable<Buffer>, sink: (chunk: Buffer) => Promise<void>): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    await sink(chunk);
    yield chunk;
  }
}
