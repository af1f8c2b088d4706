/**
 * The daemon's images: the puller over the node's store (this node's platform), the image service the kubelet and
 * the node API use (registries: the distribution client, registry-wiring.ts), and image garbage collection — every 5 minutes by disk usage, and as the eviction manager's
 * "imagefs" reclaimer.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { isAbsolute, join } from "node:path";
import { FieldError } from "../api/errors.js";
import { archiveImages, unpackArchive } from "../images/archives.js";
import { ImageGC } from "../images/image-gc.js";
import { NodeImageService, parseRef, type RegistrySources } from "../images/image-service.js";
import { parseManifest } from "../images/manifest.js";
import { nodePlatform } from "../images/platform.js";
import { Puller } from "../images/pull.js";
import type { NodeReclaimers } from "../kubelet/node-reclaim.js";
import { normalizeImageRef, type ImageStore } from "../runtime/images.js";
import { parseDigest } from "../images/store/layer-path.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import { fsStats } from "../sys/node-stats.js";
import type { DaemonConfig } from "./daemon-config.js";

/** Layers fetched at once per pull: containerd's default (max_concurrent_downloads 3). */
const LAYER_CONCURRENCY = 3;
/** The kubelet's ImageGCPeriod. */
const IMAGE_GC_PERIOD_MS = 5 * 60_000;

export interface NodeImages {
  service: NodeImageService;
  puller: Puller;
  gc: ImageGC;
  /** Stops the periodic collection. */
  stop(): void;
}

export function nodeImages(cfg: DaemonConfig, images: ImageStore, runtime: PodRuntime, log: (m: string) => void, registries: RegistrySources): NodeImages {
  const puller = new Puller(images, { platform: nodePlatform(), concurrency: LAYER_CONCURRENCY });
  const service = new NodeImageService(images, puller, registries);
  const gc = new ImageGC({
    policy: { highThresholdPercent: cfg.imageGCHighThresholdPercent, lowThresholdPercent: cfg.imageGCLowThresholdPercent, minAgeMs: cfg.imageMinimumGCAgeSeconds * 1000 },
    now: () => Date.now(),
    fsStats: () => fsStats(images.root),
    inUse: () => imagesInUse(runtime),
    records: () => images.allRecords(),
    deleteImage: (id) => images.deleteUnused(id, (x: string) => imagesInUse(runtime).has(x)),
    removeOrphans: () => images.removeOrphans(puller.pullingLayers()),
    log,
  });
  const timer = setInterval(() => void gc.garbageCollect().catch((err: Error) => log(`image garbage collection failed: ${err.message}`)), IMAGE_GC_PERIOD_MS);
  timer.unref();
  return { service, puller, gc, stop: () => clearInterval(timer) };
}

/** The node API's image verbs beyond list/build/rm: inspect, prune, pull (with per-layer progress). */
export function imageApi(images: ImageStore, set: NodeImages, runtime: PodRuntime) {
  return {
    inspect: async (ref: string) => {
      const r = images.record(ref);
      if (!r) return undefined;
      const tags = images.records.tags();
      return { ...r, tags: Object.keys(tags).filter((t) => tags[t] === r.id).sort(), lowerDirs: images.lowerDirs(r) };
    },
    prune: async (all: boolean) => {
      const used = imagesInUse(runtime);
      const tags = images.records.tags();
      const tagged = new Set(Object.values(tags));
      const before = fsStats(images.root).availableBytes;
      const deleted: string[] = [];
      for (const r of images.allRecords()) {
        if (used.has(r.id) || (!all && tagged.has(r.id))) continue;
        await images.deleteUnused(r.id, (id) => imagesInUse(runtime).has(id));
        deleted.push(r.id);
      }
      await images.removeOrphans(set.puller.pullingLayers());
      return { deleted, reclaimedBytes: Math.max(0, fsStats(images.root).availableBytes - before) };
    },
    import: (path: string) => importArchive(images, set, path),
    save: (ref: string, path: string) => saveImage(images, ref, path),
    pull: async (ref: string, onProgress: (p: object) => void) => {
      const started = Date.now();
      const r = await set.service.pullImage(ref, [], onProgress);
      return { image: r.image, downloaded: r.downloaded, ms: Date.now() - started };
    },
  };
}

/**
 * `image import FILE|DIR`: every image of an OCI layout (directory or tar) or a docker save archive, through the
 * puller (verified, layers shared); tagged with the names it carries that are references ("busybox:1.28",
 * "docker.io/library/busybox:1.28"; an OCI layout's bare "v1" is only a tag of the layout, so that image stays
 * untagged). Returns each image's id and tags.
 */
async function importArchive(images: ImageStore, set: NodeImages, path: string): Promise<{ id: string; tags: string[] }[]> {
  if (!isAbsolute(path)) throw new FieldError("path", `"${path}" must be an absolute path`);
  const st = await fsp.stat(path).catch(() => {
    throw new FieldError("path", `"${path}" does not exist on this node`);
  });
  let dir = path;
  let tmp: string | undefined;
  try {
    if (!st.isDirectory()) {
      tmp = join(images.root, "tmp", `import-${randomBytes(6).toString("hex")}`);
      await fsp.mkdir(tmp, { recursive: true, mode: 0o700 });
      await unpackArchive(path, tmp, images.runner);
      dir = tmp;
    }
    const out: { id: string; tags: string[] }[] = [];
    for (const img of await archiveImages(dir)) {
      const tags = img.names.filter((n) => n.includes("/") || n.includes(":")).map((n) => parseRef(n).ref);
      const r = await set.puller.pull({ ref: `import:${path}:${tags[0] ?? out.length}`, tag: tags[0], source: img.source });
      if (tags.length > 1) await images.commit(images.record(r.image.id)!, tags.slice(1));
      out.push({ id: r.image.id, tags });
    }
    return out;
  } finally {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * `image save REF -o FILE`: the image as an OCI layout tar (image-layout.md): its manifest, config and layer blobs as
 * stored (so digests are the registry's), index.json naming it by the reference given. Written to a temporary file
 * beside FILE and renamed, so FILE is never half written.
 */
async function saveImage(images: ImageStore, ref: string, path: string): Promise<{ id: string; path: string }> {
  if (!isAbsolute(path)) throw new FieldError("output", `"${path}" must be an absolute path`);
  const r = images.record(ref);
  if (!r) throw new FieldError("image", `image "${ref}" is not on this node`);
  const dir = join(images.root, "tmp", `save-${randomBytes(6).toString("hex")}`);
  const partial = `${path}.partial-${randomBytes(4).toString("hex")}`;
  try {
    await fsp.mkdir(join(dir, "blobs", "sha256"), { recursive: true, mode: 0o700 });
    const manifest = await images.blobs.read(parseDigest(r.manifestDigest, "manifest digest"));
    for (const d of [r.manifestDigest, `sha256:${r.id}`, ...r.layers.map((l) => l.digest)]) {
      const digest = parseDigest(d, "blob digest");
      await fsp.copyFile(images.blobs.path(digest), join(dir, "blobs", "sha256", digest.hex));
    }
    const name = normalizeImageRef(ref);
    const index = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{
      mediaType: manifestType(manifest),
      digest: r.manifestDigest, size: manifest.length,
      annotations: { "org.opencontainers.image.ref.name": name },
    }] };
    await fsp.writeFile(join(dir, "index.json"), JSON.stringify(index));
    await fsp.writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await images.runner.run(["tar", "--sort=name", "--numeric-owner", "--owner=0", "--group=0", "-C", dir, "-cf", partial, "."]);
    await fsp.rename(partial, path);
    return { id: r.id, path };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rm(partial, { force: true });
  }
}

/** The media type of a stored image manifest, read by the one manifest parser. */
function manifestType(bytes: Buffer): string {
  const m = parseManifest(bytes, undefined);
  return m.kind === "manifest" ? m.manifest.mediaType : m.index.mediaType;
}

/** Registers image GC as the node-level reclaimer of the images' filesystem (after dead containers). */
export function registerImageReclaimer(reclaimers: NodeReclaimers, gc: ImageGC): void {
  reclaimers.register("imagefs", { name: "unused images", reclaim: (bytes) => gc.collect(bytes) });
}

/** Ids of the images containers (running or exited) were made from. */
function imagesInUse(runtime: PodRuntime): Set<string> {
  return new Set(runtime.containers().map((c) => c.imageId.replace(/^sha256:/, "")));
}
