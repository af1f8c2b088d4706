/**
 * The daemon's images: the puller over the node's store (this node's platform), the image service the kubelet and
 * the node API use (registries: the distribution client, registry-wiring.ts), and image garbage collection — every 5 minutes by disk usage, and as the eviction manager's
 * "imagefs" reclaimer.
 */
import { ImageGC } from "../images/image-gc.js";
import { NodeImageService, type RegistrySources } from "../images/image-service.js";
import { Puller } from "../images/pull.js";
import type { NodeReclaimers } from "../kubelet/node-reclaim.js";
import { ociArch, type ImageStore } from "../runtime/images.js";
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
  const puller = new Puller(images, { platform: { os: "linux", architecture: ociArch(process.arch) }, concurrency: LAYER_CONCURRENCY });
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
    pull: async (ref: string, onProgress: (p: object) => void) => {
      const started = Date.now();
      const r = await set.service.pullImage(ref, [], onProgress);
      return { image: r.image, downloaded: r.downloaded, ms: Date.now() - started };
    },
  };
}

/** Registers image GC as the node-level reclaimer of the images' filesystem (after dead containers). */
export function registerImageReclaimer(reclaimers: NodeReclaimers, gc: ImageGC): void {
  reclaimers.register("imagefs", { name: "unused images", reclaim: (bytes) => gc.collect(bytes) });
}

/** Ids of the images containers (running or exited) were made from. */
function imagesInUse(runtime: PodRuntime): Set<string> {
  return new Set(runtime.containers().map((c) => c.imageId.replace(/^sha256:/, "")));
}
