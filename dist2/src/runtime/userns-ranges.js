/**
 * The host IDs of pods that run in their own user namespace (spec.hostUsers: false), as the kubelet's userns
 * manager hands them out: 65,536 IDs a pod, in blocks aligned on 65,536 from the host's 65,536 on (the first block,
 * the host's own users, is never given), each block held by at most one pod of the node. Pure: the runtime keeps
 * the ranges in its sandbox records (so a restarted daemon re-learns them) and passes them in.
 */
/** IDs a pod gets (the kubelet's userNsLength). */
export const USERNS_SIZE = 65536;
/** Blocks 1..LAST: the highest ends at 2^32 - 1, the largest ID a map can name. */
const LAST_BLOCK = 65535;
/**
 * The range of podUid: the one it holds already, else the lowest free block. Throws when every block is held.
 * `held` is every pod's current range (records and allocations in flight).
 */
export function allocateUsernsRange(podUid, held) {
    const mine = held.get(podUid);
    if (mine)
        return mine;
    const taken = new Set();
    for (const r of held.values())
        taken.add(Math.floor(r.hostId / USERNS_SIZE));
    for (let block = 1; block <= LAST_BLOCK; block++) {
        if (!taken.has(block))
            return { hostId: block * USERNS_SIZE, size: USERNS_SIZE };
    }
    throw new Error(`no user namespace range is free: all ${LAST_BLOCK} ranges of ${USERNS_SIZE} IDs are in use`);
}
//# sourceMappingURL=userns-ranges.js.map