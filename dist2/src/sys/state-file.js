/**
 * Replacing a small state file so that a crash of the daemon leaves the old or the new content, never half of it —
 * without renaming over the old file.
 *
 * Why not the usual temporary file + rename(2) over the target: on ext4 (auto_da_alloc, the default) a rename that
 * replaces an existing file forces the new file's delayed blocks to be allocated there and then, and that waits
 * on the journal. Measured on the pod start path (the IP lease file, rewritten for every pod): usually 0.4 ms, but
 * one call in six took 18-260 ms. A rename onto a name that does not exist never waited longer than 1 ms.
 *
 * So the old file is first moved aside (a rename to a free name), the new one renamed into place, and the old one
 * removed in the background. Between the two renames the target is missing; read() then takes the new file, which is complete by
 * then, or else the old one. One writer per path (the daemon's calls are synchronous, so none interleave).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, unlink, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
const sibling = (path, suffix) => join(dirname(path), `.${basename(path)}.${suffix}`);
let noSpace;
/**
 * What to do when a state write finds the disk full (ENOSPC): the daemon gives its disk reserve back (true: space
 * was freed) and the write is tried once more, as the store's writes are. Without it, or when nothing was freed,
 * the write fails with the ENOSPC error; the caller's operation fails and is retried later.
 */
export function onStateWriteNoSpace(handler) {
    noSpace = handler;
}
/** Writes the new file whole or not at all: a write cut short by a full disk leaves no partial file behind. */
function writeWhole(file, data, mode) {
    try {
        writeFileSync(file, data, { mode });
    }
    catch (err) {
        rmSync(file, { force: true });
        throw err;
    }
}
/** Writes `data` as the new content of `path` (see above); the parent directory is made if missing. */
export function replaceFile(path, data, mode = 0o644) {
    const next = sibling(path, "new");
    const prev = sibling(path, "old");
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
        writeWhole(next, data, mode);
    }
    catch (err) {
        if (err.code !== "ENOSPC" || !noSpace?.())
            throw err;
        writeWhole(next, data, mode);
    }
    try {
        renameSync(path, prev);
    }
    catch (err) {
        if (err.code !== "ENOENT")
            throw err;
    }
    renameSync(next, path);
    // Freeing the old file's blocks waits on the journal too (0.5 ms on average, measured): the thread pool does it.
    // If it runs after a later replacement has moved a newer old file aside, it removes that one: harmless, the
    // new file is complete before anything is moved.
    unlink(prev, () => undefined);
}
/** The content of `path`, or of the replacement that a crash left beside it; undefined when there is none. */
export function readStateFile(path) {
    for (const candidate of [path, sibling(path, "new"), sibling(path, "old")]) {
        try {
            return readFileSync(candidate, "utf8");
        }
        catch (err) {
            if (err.code !== "ENOENT")
                throw err;
        }
    }
    return undefined;
}
/** Removes `path` and anything a crash left beside it. */
export function removeStateFile(path) {
    for (const p of [path, sibling(path, "new"), sibling(path, "old")])
        rmSync(p, { force: true });
}
//# sourceMappingURL=state-file.js.map