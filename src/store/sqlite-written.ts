/**
 * When each object was last written, as a column beside its JSON: what a time-to-live is counted from. Upstream the
 * API server gives every write of an Event an etcd lease of --event-ttl, so an event lives for the TTL after its last
 * create or update; here the event sweep finds the objects written before a time on an index of (kind, written_at)
 * and reads nothing else, where it used to parse every event in the store once a minute to read its timestamps
 * (50,000 events: ~45 MB of JSON turned into garbage each minute, which was V8's old space growing under churn).
 */
import type Database from "better-sqlite3";
import type { WrittenKey } from "./store.js";

/**
 * Adds the written_at column and its index to a store made before them. Rows already there count as written when
 * this runs (the file does not say when they were), so they live one more TTL at most.
 */
export function prepareWrittenAt(db: Database.Database, now: number): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('objects')").all() as { name: string }[];
  if (!columns.some((c) => c.name === "written_at")) {
    db.transaction(() => {
      db.exec("ALTER TABLE objects ADD COLUMN written_at INTEGER NOT NULL DEFAULT 0");
      db.prepare("UPDATE objects SET written_at = ?").run(now);
    })();
  }
  db.exec("CREATE INDEX IF NOT EXISTS objects_written ON objects (kind, written_at, namespace, name)");
}

/** The statement behind writtenBefore: keyset pages in (written_at, namespace, name) order, on the index alone. */
export function prepareWrittenBefore(db: Database.Database): (kind: string, before: number, limit: number, after?: WrittenKey) => WrittenKey[] {
  const stmt = db.prepare(
    `SELECT namespace, name, uid, written_at AS writtenAt FROM objects INDEXED BY objects_written
     WHERE kind = ? AND written_at < ? AND (written_at, namespace, name) > (?, ?, ?)
     ORDER BY written_at, namespace, name LIMIT ?`,
  );
  return (kind, before, limit, after) =>
    stmt.all(kind, before, after?.writtenAt ?? -1, after?.namespace ?? "", after?.name ?? "", limit) as WrittenKey[];
}
