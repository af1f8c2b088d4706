/**
 * fsGroup as the kubelet applies it to a volume (pkg/volume/volume_linux.go SetVolumeOwnership): every file and
 * directory gets the group, group read (+write unless the volume is read-only), directories also group execute
 * and setgid (so files made later inherit the group); symlinks get the group only (their mode means nothing and
 * chmod would follow them). With `fsGroupChangePolicy: OnRootMismatch` the walk is skipped when the volume's root
 * already has the group, the bits and setgid.
 *
 * Used by emptyDir, configMap, secret, downwardAPI and projected volumes, and by any other plugin that hands a
 * pod a directory (persistent volumes): call setVolumeOwnership(dir, ...) after the content is in place.
 *
 * The walk never follows a link a container may have planted: each directory is opened O_NOFOLLOW and its
 * children are reached through /proc/self/fd/N/NAME (the kernel resolves the open directory itself, as openat(2)
 * would), files are changed through their own descriptor, and special files (devices, fifos, sockets) only get
 * the group, through lchown.
 */
import { constants, promises as fsp } from "node:fs";
const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;
/** The pod's fsGroup settings for a volume, or undefined when the pod sets no fsGroup. */
export function fsGroupOf(sc, readOnly) {
    if (sc?.fsGroup === undefined)
        return undefined;
    return { gid: sc.fsGroup, readOnly, changePolicy: sc.fsGroupChangePolicy };
}
/** The mode a file or directory gets: its own bits plus the mask (requiresPermissionChange's rule, inverted). */
export function ownedMode(mode, isDir, readOnly) {
    let mask = readOnly ? RO_MASK : RW_MASK;
    if (isDir)
        mask |= SETGID | EXEC_MASK;
    return (mode & 0o7777) | mask;
}
/** requiresPermissionChange: the root lacks the group, a bit of the mask, or setgid. */
export function rootNeedsChange(st, p) {
    if (st.gid !== p.gid || !st.isDirectory())
        return true;
    const want = (p.readOnly ? RO_MASK : RW_MASK) | EXEC_MASK;
    return (st.mode & want) !== want || (st.mode & SETGID) === 0;
}
/** Applies fsGroup to `dir` and everything below it. Returns false when OnRootMismatch found nothing to do. */
export async function setVolumeOwnership(dir, p) {
    const root = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
        const st = await root.stat();
        if (p.changePolicy === "OnRootMismatch" && !rootNeedsChange(st, p))
            return false;
        await walk(root, st, p);
        return true;
    }
    finally {
        await root.close();
    }
}
async function walk(dir, st, p) {
    await dir.chown(-1, p.gid);
    await dir.chmod(ownedMode(st.mode, true, p.readOnly));
    const base = `/proc/self/fd/${dir.fd}`;
    for (const name of await fsp.readdir(base)) {
        const path = `${base}/${name}`;
        const lst = await fsp.lstat(path).catch(() => undefined);
        if (!lst)
            continue; // gone meanwhile
        if (lst.isDirectory() || lst.isFile()) {
            const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (lst.isDirectory() ? constants.O_DIRECTORY : 0);
            const fh = await fsp.open(path, flags).catch(() => undefined);
            if (!fh)
                continue; // replaced by a link or removed meanwhile: not ours to follow
            try {
                const fst = await fh.stat();
                if (fst.isDirectory())
                    await walk(fh, fst, p);
                else if (fst.isFile()) {
                    await fh.chown(-1, p.gid);
                    await fh.chmod(ownedMode(fst.mode, false, p.readOnly));
                }
            }
            finally {
                await fh.close();
            }
        }
        else {
            await fsp.lchown(path, -1, p.gid).catch(() => undefined);
        }
    }
}
//# sourceMappingURL=fs-group.js.map