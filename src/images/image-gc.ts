/**
 * Image garbage collection by disk usage, as the kubelet's realImageGCManager (pkg/kubelet/images/image_gc_manager.go):
 * every 5 minutes, when the images' filesystem is used above --image-gc-high-threshold percent, images no container
 * uses are deleted, least recently used first, until usage is back under --image-gc-low-threshold; an image first
 * seen less than --image-minimum-gc-age ago is kept. The eviction manager also calls collect() as its "imagefs"
 * node-level reclaimer before it evicts a pod.
 *
 * Never deleted: an image any container (running or exited: its record still names it) was made from, and images
 * built on this node (busybox, --from-host), which no registry could give back. Layers left by a failed pull (no
 * image names them) go too, except those of a pull in progress.
 */
import type { ImageRecord } from "./store/image-records.js";

export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
}

export interface ImageGCDeps {
  policy: ImageGCPolicy;
  now: () => number;
  /** The images' filesystem: capacity and available bytes. */
  fsStats: () => { capacityBytes: number; availableBytes: number };
  /** Image ids ("sha256:…"-less hex) containers were made from. */
  inUse: () => Set<string>;
  records: () => ImageRecord[];
  /** Deletes an image: every tag, its record, and the layers and blobs no other image has. */
  deleteImage: (id: string) => Promise<void>;
  /** Removes layers and blobs no image names, except those of pulls in progress. */
  removeOrphans: () => Promise<void>;
  log?: (msg: string) => void;
}

interface Seen {
  firstDetected: number;
  lastUsed: number;
}

export class ImageGC {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly d: ImageGCDeps) {}

  /** Notes which images exist and which are used now (the kubelet's detectImages). */
  private detect(): { records: ImageRecord[]; used: Set<string> } {
    const now = this.d.now();
    const records = this.d.records();
    const used = this.d.inUse();
    for (const r of records) {
      const s = this.seen.get(r.id) ?? { firstDetected: now, lastUsed: 0 };
      if (used.has(r.id)) s.lastUsed = now;
      this.seen.set(r.id, s);
    }
    const ids = new Set(records.map((r) => r.id));
    for (const id of this.seen.keys()) if (!ids.has(id)) this.seen.delete(id);
    return { records, used };
  }

  /** The periodic check: frees down to the low threshold when usage is at or above the high one. */
  async garbageCollect(): Promise<number> {
    const { capacityBytes, availableBytes } = this.d.fsStats();
    if (capacityBytes <= 0) return 0;
    const usagePercent = 100 - Math.floor((availableBytes * 100) / capacityBytes);
    if (usagePercent < this.d.policy.highThresholdPercent) {
      this.detect();
      return 0;
    }
    const toFree = Math.floor((capacityBytes * (100 - this.d.policy.lowThresholdPercent)) / 100) - availableBytes;
    this.d.log?.(`image garbage collection: disk usage ${usagePercent}% is at or above the high threshold ${this.d.policy.highThresholdPercent}%, freeing ${toFree} bytes`);
    const freed = await this.collect(toFree);
    if (freed < toFree) this.d.log?.(`image garbage collection: wanted to free ${toFree} bytes, but freed ${freed} bytes`);
    return freed;
  }

  /**
   * Deletes unused images, least recently used first (then oldest first seen), until `bytesWanted` are freed
   * (Infinity: all of them); resolves with the bytes freed (measured on the filesystem).
   */
  async collect(bytesWanted: number): Promise<number> {
    const { records, used } = this.detect();
    const now = this.d.now();
    const before = this.d.fsStats().availableBytes;
    const freed = () => Math.max(0, this.d.fsStats().availableBytes - before);
    const candidates = records
      .filter((r) => !used.has(r.id) && !r.local && now - (this.seen.get(r.id)?.firstDetected ?? now) >= this.d.policy.minAgeMs)
      .sort((a, b) => this.seen.get(a.id)!.lastUsed - this.seen.get(b.id)!.lastUsed || this.seen.get(a.id)!.firstDetected - this.seen.get(b.id)!.firstDetected);
    await this.d.removeOrphans();
    for (const r of candidates) {
      if (freed() >= bytesWanted) break;
      this.d.log?.(`image garbage collection: removing image ${r.id.slice(0, 12)} (${r.size} bytes)`);
      await this.d.deleteImage(r.id);
      this.seen.delete(r.id);
    }
    return freed();
  }
}
