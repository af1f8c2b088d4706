import { thresholdAmount } from "./node-pressure.js";
/** The reclaimers of a node, by the filesystem they free. */
export class NodeReclaimers {
    list = [];
    /** Adds a reclaimer; reclaimers run in the order they were registered (register dead containers first). */
    register(fs, reclaimer) {
        this.list.push({ fs, reclaimer });
    }
    /** The reclaimers that help `signal`; `sharedFs`: nodefs and imagefs are one filesystem. None for memory or pids. */
    forSignal(signal, sharedFs) {
        const fs = signal.startsWith("nodefs.") ? "nodefs" : signal.startsWith("imagefs.") ? "imagefs" : undefined;
        if (!fs)
            return [];
        return this.list.filter((r) => sharedFs || r.fs === fs).map((r) => r.reclaimer);
    }
}
/**
 * Bytes to free so that `t` is no longer met with its minimum reclaim: threshold + minimum reclaim - available.
 * For inode signals the reclaimers cannot aim at a count, so they free all they can (Infinity), as upstream's do.
 */
export function bytesToReclaim(t, obs) {
    if (!t.signal.endsWith(".available"))
        return Infinity;
    const o = obs[t.signal];
    if (!o)
        return 0;
    let want = thresholdAmount(t, o.capacity) - o.available;
    if (t.minReclaim)
        want += thresholdAmount(t.minReclaim, o.capacity);
    return Math.max(0, want);
}
/**
 * Runs `reclaimers` in order, each asked for what is still wanted, until the wanted bytes are freed; a reclaimer
 * that fails is logged and the next one tried (as the kubelet does). Resolves with the bytes freed in all.
 */
export async function runReclaimers(reclaimers, bytesWanted, log) {
    let freed = 0;
    for (const r of reclaimers) {
        if (freed >= bytesWanted)
            break;
        try {
            const got = await r.reclaim(bytesWanted - freed);
            freed += got;
            log?.(`node-level reclaim: ${r.name} freed ${got} bytes`);
        }
        catch (err) {
            log?.(`node-level reclaim: ${r.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
    }
    return freed;
}
//# sourceMappingURL=node-reclaim.js.map