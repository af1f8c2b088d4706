/** How big the WAL may stay after a checkpoint (the rest is truncated away). */
const WAL_SIZE_LIMIT = 4 * 1024 * 1024;
/**
 * Sets up a store file for compaction. A new file gets auto_vacuum=INCREMENTAL before its first table; an existing
 * one made without it is rebuilt once with VACUUM (which needs room for a copy: if that fails, on a full disk, the
 * store still works and compact() only truncates the WAL).
 */
export function prepareCompaction(db, log = () => { }) {
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    if (db.pragma("auto_vacuum", { simple: true }) === 2)
        return;
    db.pragma("auto_vacuum = INCREMENTAL");
    const hasTables = db.prepare("SELECT count(*) AS n FROM sqlite_master").get().n > 0;
    if (!hasTables)
        return;
    try {
        db.exec("VACUUM");
    }
    catch (err) {
        log(`store: cannot switch to incremental vacuum (${err.message}); deleted space is reused but not returned`);
    }
}
/** Returns every free page to the filesystem and truncates the WAL. Cheap when there is nothing to free. */
export function compact(db) {
    const pageSize = db.pragma("page_size", { simple: true });
    const free = db.pragma("freelist_count", { simple: true });
    if (free > 0)
        db.pragma("incremental_vacuum");
    // TRUNCATE waits for no reader (there are none but us) and leaves a zero-length WAL.
    db.pragma("wal_checkpoint(TRUNCATE)");
    return { freedPages: free - db.pragma("freelist_count", { simple: true }), pageSize };
}
//# sourceMappingURL=sqlite-space.js.map