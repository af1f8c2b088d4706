/**
 * The daemon's images: the puller over the node's store (this node's platform), the image service the kubelet and
 * the node API use, and image garbage collection — every 5 minutes by disk usage, and as the eviction manager's
 * "imagefs" reclaimer. Registry access comes from the distribution client (src/images/registry/).
 */
import { ImageGC } from "../images/image-gc.js";
import { NodeImageService } from "../images/image-service.js";
import { Puller } from "../images/pull.js";
import { ociArch } from "../runtime/images.js";
import { fsStats } from "../sys/node-stats.js";
/** Layers fetched at once per pull: containerd's default (max_concurrent_downloads 3). */
const LAYER_CONCURRENCY = 3;
/** The kubelet's ImageGCPeriod. */
const IMAGE_GC_PERIOD_MS = 5 * 60_000;
export function nodeImages(cfg, images, runtime, log, registries = noRegistryClient) {
    const puller = new Puller(images, { platform: { os: "linux", architecture: ociArch(process.arch) }, concurrency: LAYER_CONCURRENCY });
    const service = new NodeImageService(images, puller, registries);
    const gc = new ImageGC({
        policy: { highThresholdPercent: cfg.imageGCHighThresholdPercent, lowThresholdPercent: cfg.imageGCLowThresholdPercent, minAgeMs: cfg.imageMinimumGCAgeSeconds * 1000 },
        now: () => Date.now(),
        fsStats: () => fsStats(images.root),
        inUse: () => imagesInUse(runtime),
        records: () => images.allRecords(),
        deleteImage: (id) => images.deleteUnused(id, (x) => imagesInUse(runtime).has(x)),
        removeOrphans: () => images.removeOrphans(puller.pullingLayers()),
        log,
    });
    const timer = setInterval(() => void gc.garbageCollect().catch((err) => log(`image garbage collection failed: ${err.message}`)), IMAGE_GC_PERIOD_MS);
    timer.unref();
    return { service, puller, gc, stop: () => clearInterval(timer) };
}
/** Registers image GC as the node-level reclaimer of the images' filesystem (after dead containers). */
export function registerImageReclaimer(reclaimers, gc) {
    reclaimers.register("imagefs", { name: "unused images", reclaim: (bytes) => gc.collect(bytes) });
}
/** Ids of the images containers (running or exited) were made from. */
function imagesInUse(runtime) {
    return new Set(runtime.containers().map((c) => c.imageId.replace(/^sha256:/, "")));
}
/** Until the distribution client is wired in, a pull from a registry fails with this reason (ErrImagePull). */
const noRegistryClient = async (ref) => {
    throw new Error(`cannot reach registry ${ref.registry}: this node has no registry client configured`);
};
//# sourceMappingURL=image-wiring.js.map