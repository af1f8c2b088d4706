/**
 * Node-level reclaim (the kubelet's nodeReclaimFuncs, pkg/kubelet/eviction/helpers.go buildSignalToNodeReclaimFuncs):
 * before it evicts a pod for a disk signal, the eviction manager asks the node's reclaimers — dead containers first,
 * then unused images — to give space back, in the order they were registered, until the wanted amount is free.
 *
 * A reclaimer names the filesystem it frees. In nodelet dead containers' writable layers and logs live under
 * --root (nodefs) and images under ROOT/images (imagefs), so when the two are separate filesystems a nodefs signal
 * asks only the nodefs reclaimers and an imagefs signal only the imagefs ones; on one filesystem every reclaimer
 * serves both. (Upstream's writable layers live on the imagefs, hence its different split.)
 *
 * How the image store registers its garbage collector (the images' owner wires this in src/cmd/eviction-wiring.ts):
 *   reclaimers.register("imagefs", { name: "unused images", reclaim: (bytes) => imageStore.collect(bytes) });
 * where `collect(bytes)` deletes images no container uses, least recently used first, until `bytes` are freed
 * (Infinity: every unused image), and resolves with the bytes it freed.
 */
import type { Observations, Signal, Threshold } from "./node-pressure.js";
import { thresholdAmount } from "./node-pressure.js";

/** Something the node can delete to free disk without evicting a pod. */
export interface Reclaimer {
  /** What it frees, for the log: "dead containers", "unused images". */
  readonly name: string;
  /**
   * Frees about `bytesWanted` (Infinity: all it can; it may free more, it need not stop exactly) and resolves with
   * the bytes it freed. It must not remove anything a running pod needs.
   */
  reclaim(bytesWanted: number): Promise<number>;
}

export type ReclaimFilesystem = "nodefs" | "imagefs";

/** The reclaimers of a node, by the filesystem they free. */
export class NodeReclaimers {
  private readonly list: { fs: ReclaimFilesystem; reclaimer: Reclaimer }[] = [];

  /** Adds a reclaimer; reclaimers run in the order they were registered (register dead containers first). */
  register(fs: ReclaimFilesystem, reclaimer: Reclaimer): void {
    this.list.push({ fs, reclaimer });
  }

  /** The reclaimers that help `signal`; `sharedFs`: nodefs and imagefs are one filesystem. None for memory or pids. */
  forSignal(signal: Signal, sharedFs: boolean): Reclaimer[] {
    const fs: ReclaimFilesystem | undefined = signal.startsWith("nodefs.") ? "nodefs" : signal.startsWith("imagefs.") ? "imagefs" : undefined;
    if (!fs) return [];
    return this.list.filter((r) => sharedFs || r.fs === fs).map((r) => r.reclaimer);
  }
}

/**
 * Bytes to free so that `t` is no longer met with its minimum reclaim: threshold + minimum reclaim - available.
 * For inode signals the reclaimers cannot aim at a count, so they free all they can (Infinity), as upstream's do.
 */
export function bytesToReclaim(t: Threshold, obs: Observations): number {
  if (!t.signal.endsWith(".available")) return Infinity;
  const o = obs[t.signal];
  if (!o) return 0;
  let want = thresholdAmount(t, o.capacity) - o.available;
  if (t.minReclaim) want += thresholdAmount(t.minReclaim, o.capacity);
  return Math.max(0, want);
}

/**
 * Runs `reclaimers` in order, each asked for what is still wanted, until the wanted bytes are freed; a reclaimer
 * that fails is logged and the next one tried (as the kubelet does). Resolves with the bytes freed in all.
 */
export async function runReclaimers(reclaimers: Reclaimer[], bytesWanted: number, log?: (msg: string) => void): Promise<number> {
  let freed = 0;
  for (const r of reclaimers) {
    if (freed >= bytesWanted) break;
    try {
      const got = await r.reclaim(bytesWanted - freed);
      freed += got;
      log?.(`node-level reclaim: ${r.name} freed ${got} bytes`);
    } catch (err) {
      log?.(`node-level reclaim: ${r.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return freed;
}
