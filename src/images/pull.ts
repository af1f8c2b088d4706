/**
 * Pulling an image into the store: manifest (an index is resolved to this node's platform) → config blob →
 * layers, several at once, each streamed straight into its unpack (layer-store.ts) and skipped when already here.
 * Nothing is recorded until every blob and layer is verified and in place, so a failed pull (a digest mismatch, an
 * unsafe layer, a full disk, a dropped connection) leaves only the complete layers it finished, never a partial
 * image; a later pull reuses those. Two callers pulling the same reference at once share one pull.
 *
 * Where the bytes come from is an ImageSource: a registry (the distribution client) or an OCI layout directory
 * (archives.ts), behind the same interface.
 */
import { createHash } from "node:crypto";
import type { Image } from "../api/image.js";
import type { ImageStoreAccess } from "./node-images.js";
import { layerCompression, parseImageConfig, parseManifest, type Descriptor, type ImageManifest, type ParsedConfig, type Platform } from "./manifest.js";
import { selectPlatform } from "./platform.js";
import { parseDigest } from "./store/layer-path.js";
import type { LayerDescriptor } from "./store/layer-store.js";

export interface FetchedManifest {
  bytes: Buffer;
  /** The media type it was served as (Content-Type), when the source knows one. */
  mediaType?: string;
  /** "sha256:…", verified against the bytes by the source or here. */
  digest: string;
}

/** Where an image's manifests and blobs come from. */
export interface ImageSource {
  /** The manifest (or index) the reference names, or the one with `digest`. */
  manifest(digest?: string): Promise<FetchedManifest>;
  /** A blob's bytes, from the start; the store verifies digest and size as it consumes them. */
  blob(desc: Pick<Descriptor, "digest" | "size" | "mediaType">): Promise<AsyncIterable<Buffer>>;
}

export type LayerState = "waiting" | "exists" | "downloading" | "done";

export interface PullProgress {
  layer: string;
  state: LayerState;
  bytes: number;
  total: number;
}

export interface PullRequest {
  /** The normalised reference ("docker.io/library/busybox:1.28" or "…@sha256:…"). */
  ref: string;
  /** The repository, for the image's repo digest ("docker.io/library/busybox"); none for an archive. */
  repository?: string;
  /** The tag to record ("…:1.28"), none for a pull by digest. */
  tag?: string;
  source: ImageSource;
  onProgress?: (p: PullProgress) => void;
}

export interface PullResult {
  image: Image;
  /** Bytes downloaded by this pull (layers already present cost none). */
  downloaded: number;
}

export interface PullOptions {
  platform: Platform;
  /** Layers downloaded at once. */
  concurrency?: number;
}

export class Puller {
  private readonly inflight = new Map<string, Promise<PullResult>>();
  /** Layer digests and diffIDs, and configs, of pulls in progress, counted: image GC must not take them for orphans. */
  private readonly active = new Map<string, number>();

  /** What pulls in progress are fetching or have fetched but not yet recorded (layer digests, diffIDs, configs). */
  pullingLayers(): Set<string> {
    return new Set(this.active.keys());
  }

  constructor(
    private readonly store: ImageStoreAccess,
    private readonly opts: PullOptions,
  ) {}

  /** Pulls `req.ref`; a pull of the same reference already running is joined instead. */
  pull(req: PullRequest): Promise<PullResult> {
    const running = this.inflight.get(req.ref);
    if (running) return running;
    const p = this.run(req).finally(() => this.inflight.delete(req.ref));
    this.inflight.set(req.ref, p);
    return p;
  }

  private async run(req: PullRequest): Promise<PullResult> {
    let top = await req.source.manifest();
    verifyManifestDigest(top);
    let parsed = parseManifest(top.bytes, top.mediaType);
    const repoDigest = req.repository ? `${req.repository}@${top.digest}` : undefined;
    if (parsed.kind === "index") {
      const entry = selectPlatform(parsed.index.manifests, this.opts.platform);
      top = await req.source.manifest(entry.digest);
      verifyManifestDigest(top, entry.digest);
      parsed = parseManifest(top.bytes, top.mediaType ?? entry.mediaType);
      if (parsed.kind === "index") throw new Error(`${req.ref}: an index inside an index is not supported`);
    }
    const manifest = parsed.manifest;
    manifest.layers.forEach((l, i) => {
      if (layerCompression(l.mediaType) === undefined) throw new Error(`${req.ref}: manifest layers[${i}].mediaType: unsupported "${l.mediaType}"`);
    });
    const configDigest = parseDigest(manifest.config.digest, "config digest");
    const hadConfig = await this.store.blobs.has(configDigest);
    try {
      return await this.fetchImage(req, top, manifest, repoDigest);
    } catch (err) {
      // The config of an image that never got recorded would be an orphan: a failed pull leaves no blob but layers.
      if (!hadConfig && !this.store.records.get(configDigest.hex)) await this.store.blobs.remove(configDigest).catch(() => undefined);
      throw err;
    }
  }

  private async fetchImage(req: PullRequest, top: FetchedManifest, manifest: ImageManifest, repoDigest: string | undefined): Promise<PullResult> {
    const configBytes = await this.configBlob(req.source, manifest.config);
    const parsed = parseImageConfig(configBytes);
    if (parsed.diffIDs.length !== manifest.layers.length) {
      throw new Error(`${req.ref}: the config lists ${parsed.diffIDs.length} layers, the manifest ${manifest.layers.length}`);
    }
    const layers = manifest.layers.map((l, i) => ({ digest: l.digest, diffID: parsed.diffIDs[i], size: l.size, mediaType: l.mediaType }));
    const held = [manifest.config.digest, top.digest, ...layers.flatMap((l) => [l.digest, l.diffID])];
    for (const k of held) this.active.set(k, (this.active.get(k) ?? 0) + 1);
    try {
      return await this.fetchLayers(req, top, manifest, repoDigest, configBytes, parsed, layers);
    } finally {
      for (const k of held) {
        const n = (this.active.get(k) ?? 1) - 1;
        if (n > 0) this.active.set(k, n);
        else this.active.delete(k);
      }
    }
  }

  private async fetchLayers(req: PullRequest, top: FetchedManifest, manifest: ImageManifest, repoDigest: string | undefined, configBytes: Buffer, parsed: ParsedConfig, layers: LayerDescriptor[]): Promise<PullResult> {
    let downloaded = 0;
    await forEachLimit(layers, this.opts.concurrency ?? 3, async (l) => {
      const report = (state: LayerState, bytes: number) => req.onProgress?.({ layer: l.digest, state, bytes, total: l.size });
      if (await this.store.layers.complete(l)) return report("exists", l.size);
      report("waiting", 0);
      let got = 0;
      await this.store.layers.ensure(l, () => req.source.blob(l), (bytes) => {
        downloaded += bytes - got;
        got = bytes;
        report("downloading", bytes);
      });
      report("done", l.size);
    });
    // Content-addressed: a manifest already kept (a re-pull of a present image) is not written and synced again.
    const manifestDigest = parseDigest(top.digest, "manifest digest");
    if (!(await this.store.blobs.has(manifestDigest))) await this.store.blobs.put(manifestDigest, top.bytes);
    const id = parseDigest(manifest.config.digest, "config digest").hex;
    const image = await this.store.commit({
      id,
      manifestDigest: top.digest,
      repoDigests: repoDigest ? [repoDigest] : [],
      layers,
      config: parsed.config,
      created: parsed.created ?? new Date().toISOString(),
      size: top.bytes.length + configBytes.length + layers.reduce((n, l) => n + l.size, 0),
    }, req.tag ? [req.tag] : []);
    return { image, downloaded };
  }

  private async configBlob(source: ImageSource, d: Descriptor): Promise<Buffer> {
    const digest = parseDigest(d.digest, "config digest");
    if (await this.store.blobs.has(digest)) return this.store.blobs.read(digest);
    if (d.size > 8 << 20) throw new Error(`image config ${d.digest}: ${d.size} bytes, more than 8 MiB`);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of await source.blob(d)) {
      n += c.length;
      if (n > d.size) throw new Error(`image config ${d.digest}: more than the ${d.size} bytes its descriptor gives`);
      chunks.push(c);
    }
    const bytes = Buffer.concat(chunks);
    await this.store.blobs.put(digest, bytes); // verifies the digest
    return bytes;
  }
}

/** A manifest's digest is that of its bytes: checked here whatever the source claims. */
function verifyManifestDigest(m: FetchedManifest, want = m.digest): void {
  const d = parseDigest(want, "manifest digest");
  const got = createHash(d.algorithm).update(m.bytes).digest("hex");
  if (got !== d.hex) throw new Error(`manifest: digest mismatch: expected ${want}, got ${d.algorithm}:${got}`);
  if (m.digest !== want) throw new Error(`manifest: digest mismatch: expected ${want}, got ${m.digest}`);
}

/** Runs fn over items, at most `limit` at a time; the first failure rejects (the others finish first). */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++];
      await fn(item).catch((e) => void errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
