/**
 * Giving deleted rows' space back. SQLite keeps the pages of deleted rows on a free list inside the file (new rows
 * reuse them, but the file never shrinks), and a WAL file grows to the largest burst of writes between checkpoints.
 * A node that made 50 000 events and expired them would keep a file the size of its busiest hour, so the store runs
 * with auto_vacuum=INCREMENTAL (https://www.sqlite.org/pragma.html#pragma_auto_vacuum) and compact() hands the free
 * pages back and truncates the WAL.
 */
import type Database from "better-sqlite3";

/** How big the WAL may stay after a checkpoint (the rest is truncated away). */
const WAL_SIZE_LIMIT = 4 * 1024 * 1024;

/**
 * Sets up a store file for compaction. A new file gets auto_vacuum=INCREMENTAL before its first table; an existing
 * one made without it is rebuilt once with VACUUM (which needs room for a copy: if that fails, on a full disk, the
 * store still works and compact() only truncates the WAL).
 */
export function prepareCompaction(db: Database.Database, log: (msg: string) => void = () => {}): void {
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  if (db.pragma("auto_vacuum", { simple: true }) === 2) return;
  db.pragma("auto_vacuum = INCREMENTAL");
  const hasTables = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n > 0;
  if (!hasTables) return;
  try {
    db.exec("VACUUM");
  } catch (err) {
    log(`store: cannot switch to incremental vacuum (${(err as Error).message}); deleted space is reused but not returned`);
  }
}

export interface CompactResult {
  /** Pages handed back to the filesystem. */
  freedPages: number;
  pageSize: number;
}

/** Returns every free page to the filesystem and truncates the WAL. Cheap when there is nothing to free. */
export function compact(db: Database.Database): CompactResult {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const free = db.pragma("freelist_count", { simple: true }) as number;
  if (free > 0) db.pragma("incremental_vacuum");
  // TRUNCATE waits for no reader (there are none but us) and leaves a zero-length WAL.
  db.pragma("wal_checkpoint(TRUNCATE)");
  return { freedPages: free - (db.pragma("freelist_count", { simple: true }) as number), pageSize };
}
