/**
 * The Store on embedded SQLite (better-sqlite3, WAL). One table of objects keyed by (kind, namespace, name), stored
 * as JSON, and one counter: the global resourceVersion shared by all kinds, as etcd's revision is. Every write bumps
 * the counter and writes the object in one transaction, so a crash (or an exception) mid-write leaves the previous
 * object and counter intact. Watchers are told after the commit, synchronously, through the WatchHub.
 */
import Database from "better-sqlite3";
import { ApiError, FieldError } from "../api/errors.js";
import type { KubeObject, WatchEvent } from "../api/types.js";
import { objectFilter, type ObjectFilter } from "./filter.js";
import { cloneObject, newUid, rfc3339 } from "./metadata.js";
import { compareKeys, continueExpired, decodeContinue, encodeContinue, mergeByKey, takePage, type Candidate, type Key } from "./paging.js";
import type { DeleteOptions, ListOptions, ListResult, Store, UpdateOptions, WatchOptions, WrittenKey } from "./store.js";
import { compact, prepareCompaction, type CompactResult } from "./sqlite-space.js";
import { prepareWrittenAt, prepareWrittenBefore } from "./sqlite-written.js";
import { WatchHub, type PriorState, type StoredEvent } from "./watch-hub.js";
import type { ValueTransformer } from "./encryption.js";
import { checkPreconditions, freeGeneratedName, group, plural, storageKey, updatedObject } from "./write-rules.js";

export interface StoreOptions {
  /** Clock for creationTimestamp (tests pass a fixed one). */
  now?: () => Date;
  /** Changes kept in memory for resuming watches and paged lists; older resourceVersions are Expired. Default 10 000. */
  historySize?: number;
  /** Bytes of JSON the change history holds at most (whichever bound is hit first). Default 8 MiB. */
  historyBytes?: number;
  /**
   * Test hook: called inside every write transaction after all its statements, before the commit. Throwing (or
   * exiting the process) here proves that a write is all or nothing.
   */
  beforeCommit?: (op: "create" | "update" | "delete", obj: KubeObject) => void;
  /**
   * A write failed because the disk is full (SQLITE_FULL, ENOSPC): free some space now (the daemon's disk
   * reserve) and answer true to have the write tried once more. The failed attempt was rolled back whole.
   */
  onFull?: () => boolean;
  /** Where the store reports what it could not set up (default: nowhere). */
  log?: (msg: string) => void;
  /** Encryption at rest (encryption.ts): what each object's JSON becomes in the database file, and back. */
  transformer?: ValueTransformer;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('resourceVersion', 0);
-- The keys alone (a few dozen bytes a row, where the table's rows carry the JSON): remainingItemCount counts the
-- rest of a list on it, reading a fiftieth of the pages the table would take for 50,000 events.
CREATE INDEX IF NOT EXISTS objects_keys ON objects (kind, namespace, name);
`;

/** SQLite's page cache for the store, in KiB (PRAGMA cache_size takes a negative number as KiB). */
const PAGE_CACHE_KIB = 2048;

/** Opens (creating if needed) a store at `path`, or an in-memory one for ":memory:". */
export function openStore(path: string, opts: StoreOptions = {}): SqliteStore {
  return new SqliteStore(path, opts);
}

/** The json column: plain JSON text, or an encrypted value (a blob starting k8s:enc:). */
type Stored = string | Buffer;
type Row = { json: Stored };
type KeyRow = { namespace: string; name: string; json: Stored };

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private rv: number;
  private readonly hub: WatchHub;
  private readonly now: () => Date;
  private readonly beforeCommit: StoreOptions["beforeCommit"];
  private readonly onFull: StoreOptions["onFull"];
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly keysWrittenBefore: ReturnType<typeof prepareWrittenBefore>;
  private readonly transformer?: ValueTransformer;

  constructor(path: string, opts: StoreOptions = {}) {
    this.db = new Database(path);
    this.inTransaction = this.db.transaction((body: () => void) => body());
    // Before the schema: a new file must be made with auto_vacuum for compact() to shrink it.
    prepareCompaction(this.db, opts.log);
    if (path !== ":memory:") this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a crash can lose the last commits on power loss, never corrupt or half-write one.
    this.db.pragma("synchronous = NORMAL");
    // SQLite's own page cache, in the daemon's anonymous memory. The build's default (16 MiB) fills up once the file
    // outgrows it (tens of thousands of events) and was most of the daemon's RSS growth outside the JS heap under
    // churn; the kernel's page cache holds the file anyway, so a small one costs reads nothing measurable.
    this.db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    this.db.exec(SCHEMA);
    this.now = opts.now ?? (() => new Date());
    prepareWrittenAt(this.db, this.now().getTime());
    this.stmts = prepare(this.db);
    this.keysWrittenBefore = prepareWrittenBefore(this.db);
    this.rv = (this.stmts.getCounter.get() as { value: number }).value;
    this.hub = new WatchHub({ count: opts.historySize ?? 10_000, bytes: opts.historyBytes ?? 8 * 1024 * 1024 }, this.rv);
    this.beforeCommit = opts.beforeCommit;
    this.onFull = opts.onFull;
    this.transformer = opts.transformer;
  }

  /** The object's JSON as the database stores it (encrypted for the kinds the encryption config names). */
  private encode(kind: string, namespace: string, name: string, json: string): Stored {
    return this.transformer ? this.transformer.toStorage(storageKey(kind, namespace, name), json) : json;
  }

  /** The JSON text of a stored value; a value that cannot be decrypted is an InternalError naming the object. */
  private decode(kind: string, namespace: string, name: string, stored: Stored): string {
    if (!this.transformer) return typeof stored === "string" ? stored : stored.toString("utf8");
    try {
      return this.transformer.fromStorage(storageKey(kind, namespace, name), stored);
    } catch (err) {
      throw new ApiError("InternalError", (err as Error).message, { name, kind: plural(kind) });
    }
  }

  get watcherCount(): number {
    return this.hub.watcherCount;
  }

  create<T extends KubeObject>(input: T, opts: { uid?: string } = {}): T {
    const obj = cloneObject(input);
    const meta = obj.metadata ?? (obj.metadata = {});
    const ns = meta.namespace ?? "";
    if (!meta.name && meta.generateName) meta.name = this.freeName(obj.kind, ns, meta.generateName);
    if (!meta.name) {
      throw ApiError.invalid(obj.kind, "", [new FieldError("metadata.name", "name or generateName is required", "FieldValueRequired")]);
    }
    if (this.get(obj.kind, ns, meta.name)) throw ApiError.alreadyExists(plural(obj.kind), meta.name, group(obj.kind));
    meta.uid = opts.uid || newUid();
    meta.creationTimestamp = rfc3339(this.now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    return this.write("create", obj, undefined) as T;
  }

  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    const row = this.stmts.get.get(kind, namespace, name) as Row | undefined;
    return row ? (JSON.parse(this.decode(kind, namespace, name, row.json)) as T) : undefined;
  }

  list<T extends KubeObject>(kind: string, opts: ListOptions = {}): ListResult<T> {
    const filter = objectFilter(opts);
    if (!opts.limit && !opts.continue) {
      const rows = (opts.namespace ? this.stmts.listNs.all(kind, opts.namespace) : this.stmts.listAll.all(kind)) as KeyRow[];
      const items = rows.map((r) => JSON.parse(this.decode(kind, r.namespace, r.name, r.json)) as T).filter(filter);
      return { items, resourceVersion: String(this.rv) };
    }
    return this.page<T>(kind, opts, filter);
  }

  /**
   * One page of a list (paging.ts): current rows after the token's key, with the keys changed since the token's
   * resourceVersion put back as they were, so every page of a list shows the same version of the store.
   */
  private page<T extends KubeObject>(kind: string, opts: ListOptions, filter: ObjectFilter): ListResult<T> {
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const rv = token && token.rv > 0 ? token.rv : this.rv;
    const after = token?.after;
    if (!this.hub.reaches(rv)) throw continueExpired(after!);
    const inNs = (k: Key) => !opts.namespace || k.namespace === opts.namespace;
    const afterStart = (k: Key) => !after || compareKeys(k, after) > 0;
    const changed = rv < this.rv ? this.hub.priorStates(kind, rv) : new Map<string, PriorState>();
    const prior: Candidate[] = [];
    for (const p of changed.values()) {
      if (!inNs(p) || !afterStart(p)) continue;
      const obj = p.before();
      if (obj) prior.push({ namespace: p.namespace, name: p.name, load: () => obj });
    }
    prior.sort(compareKeys);
    const current = this.rowsAfter(kind, opts.namespace, after, changed);
    const { items, continueAfter } = takePage<T>(mergeByKey(current, prior), opts.limit ?? 0, filter);
    const result: ListResult<T> = { items, resourceVersion: String(rv) };
    if (continueAfter) {
      result.continue = encodeContinue({ rv, after: continueAfter });
      // Upstream counts what is left only for lists without selectors (an estimate would mislead otherwise).
      if (!opts.labelSelector && !opts.fieldSelector && opts.countRemaining !== false) result.remainingItemCount = this.countAfter(kind, opts.namespace, continueAfter, changed, prior);
    }
    return result;
  }

  /** Current rows of `kind` after `after` in key order, skipping keys in `changed`; parsed only when taken. */
  private *rowsAfter(kind: string, namespace: string | undefined, after: Key | undefined, changed: Map<string, PriorState>): Generator<Candidate> {
    const a = after ?? { namespace: "", name: "" };
    const rows = namespace
      ? this.stmts.pageNs.iterate(kind, namespace, a.namespace, a.name)
      : this.stmts.pageAll.iterate(kind, a.namespace, a.name);
    for (const r of rows as IterableIterator<KeyRow>) {
      if (changed.has(`${r.namespace}\0${r.name}`)) continue;
      yield { namespace: r.namespace, name: r.name, load: () => JSON.parse(this.decode(kind, r.namespace, r.name, r.json)) as KubeObject };
    }
  }

  /** How many objects follow `after` in the list's version: current rows, less changed keys, plus their old states. */
  private countAfter(kind: string, namespace: string | undefined, after: Key, changed: Map<string, PriorState>, prior: Candidate[]): number {
    const args = [after.namespace, after.name];
    const n = (namespace ? this.stmts.countNs.get(kind, namespace, ...args) : this.stmts.countAll.get(kind, ...args)) as { n: number };
    let count = n.n;
    for (const p of changed.values()) {
      if ((namespace && p.namespace !== namespace) || compareKeys(p, after) <= 0) continue;
      if (this.stmts.get.get(kind, p.namespace, p.name)) count--;
    }
    for (const p of prior) if (compareKeys(p, after) > 0) count++;
    return count;
  }

  update<T extends KubeObject>(input: T, opts: UpdateOptions = {}): T {
    const ns = input.metadata?.namespace ?? "";
    const name = input.metadata?.name ?? "";
    const row = this.stmts.get.get(input.kind, ns, name) as Row | undefined;
    if (!row) throw ApiError.notFound(plural(input.kind), name, group(input.kind));
    const json = this.decode(input.kind, ns, name, row.json);
    const stored = JSON.parse(json) as T;
    checkPreconditions(stored, { uid: input.metadata.uid, resourceVersion: opts.resourceVersion });
    const next = updatedObject(stored, input, opts);
    if (!next) return stored;
    return this.write("update", next, { object: stored, json }) as T;
  }

  delete<T extends KubeObject>(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): T {
    const stored = this.get<T>(kind, namespace, name);
    if (!stored) throw ApiError.notFound(plural(kind), name, group(kind));
    checkPreconditions(stored, opts);
    const priorRv = stored.metadata.resourceVersion;
    const rv = this.rv + 1;
    this.commit(() => {
      this.stmts.setCounter.run(rv);
      this.stmts.remove.run(kind, namespace, name);
      this.beforeCommit?.("delete", stored);
    });
    this.rv = rv;
    // The DELETED event carries the object at the deletion's resourceVersion, as upstream's does.
    stored.metadata.resourceVersion = String(rv);
    this.tell({ rv, kind, type: "DELETED", object: stored, json: JSON.stringify(stored), priorRv });
    return stored;
  }

  watch(kind: string, opts: WatchOptions, handler: (ev: WatchEvent) => void): () => void {
    return this.hub.watchFrom(kind, opts, () => this.list(kind, opts).items, handler);
  }

  writtenBefore(kind: string, before: number, limit: number, after?: WrittenKey): WrittenKey[] {
    return this.keysWrittenBefore(kind, before, limit, after);
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  /** Hands the pages of deleted rows back to the filesystem and truncates the WAL (sqlite-space.ts). */
  compact(): CompactResult {
    return compact(this.db);
  }

  close(): void {
    this.db.close();
  }

  /**
   * One transaction around its argument, made once: better-sqlite3's transaction() builds four wrapper functions
   * and their properties on every call, which made a write's transaction cost as much as its commit (and garbage).
   */
  private readonly inTransaction: (body: () => void) => void;

  /** Runs `body` in one transaction; on a full disk, once more after onFull freed space. */
  private commit(body: () => void): void {
    try {
      this.inTransaction(body);
    } catch (err) {
      if (!isDiskFull(err) || !this.onFull?.()) throw err;
      this.inTransaction(body);
    }
  }

  /** Writes `obj` at the next resourceVersion in one transaction, then publishes the change. */
  private write(op: "create" | "update", obj: KubeObject, old: { object: KubeObject; json: string } | undefined): KubeObject {
    const rv = this.rv + 1;
    obj.metadata.resourceVersion = String(rv);
    const m = obj.metadata;
    const json = JSON.stringify(obj);
    this.commit(() => {
      this.stmts.setCounter.run(rv);
      this.stmts.put.run(obj.kind, m.namespace ?? "", m.name, m.uid, rv, this.encode(obj.kind, m.namespace ?? "", m.name!, json), this.now().getTime());
      this.beforeCommit?.(op, obj);
    });
    this.rv = rv;
    const ev: StoredEvent = { rv, kind: obj.kind, type: old ? "MODIFIED" : "ADDED", object: obj, json };
    if (old) {
      ev.old = old.object;
      ev.oldJson = old.json;
    }
    this.tell(ev);
    return JSON.parse(json) as KubeObject;
  }

  /** Changes made inside writeTogether's transaction, published once it commits. */
  private deferred: StoredEvent[] | undefined;

  /** Tells the watchers of a committed change, or keeps it for the end of writeTogether's transaction. */
  private tell(ev: StoredEvent): void {
    if (this.deferred) this.deferred.push(ev);
    else this.hub.publish(ev);
  }

  /**
   * Runs `body`'s writes in one transaction (Store.writeTogether): a write that fails inside is rolled back alone
   * (its savepoint), one commit for the rest, and watchers hear of them in order after it. If the commit itself
   * fails, every write of the batch is undone and this throws. Inside another writeTogether, `body` joins it.
   */
  writeTogether<R>(body: () => R): R {
    if (this.deferred) return body();
    const rv = this.rv;
    const pending: StoredEvent[] = (this.deferred = []);
    let out: R | undefined;
    try {
      this.inTransaction(() => {
        out = body();
      });
    } catch (err) {
      this.rv = rv;
      throw err;
    } finally {
      this.deferred = undefined;
    }
    for (const ev of pending) this.hub.publish(ev);
    return out as R;
  }

  /**
   * Creates every object in one transaction, all or none (seeding a store: 50 000 events commit in about a second
   * instead of a minute of one commit each). Watchers hear of them in order after the commit.
   */
  createMany<T extends KubeObject>(inputs: T[]): T[] {
    if (this.deferred) throw new Error("createMany cannot be nested");
    return this.writeTogether(() => inputs.map((o) => this.create(o)));
  }

  private freeName(kind: string, ns: string, prefix: string): string {
    return freeGeneratedName(prefix, (name) => this.get(kind, ns, name) !== undefined);
  }
}

function prepare(db: Database.Database) {
  return {
    get: db.prepare("SELECT json FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
    listNs: db.prepare("SELECT namespace, name, json FROM objects WHERE kind = ? AND namespace = ? ORDER BY namespace, name"),
    listAll: db.prepare("SELECT namespace, name, json FROM objects WHERE kind = ? ORDER BY namespace, name"),
    // Keyset pages: strictly after (namespace, name), in the primary key's order. The row-value comparison is what
    // lets SQLite seek to the key (an OR of comparisons made every page scan the kind from its first row: 100 pages
    // of 50,000 events read 2.5 million rows).
    pageNs: db.prepare(
      "SELECT namespace, name, json FROM objects WHERE kind = ? AND namespace = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name",
    ),
    pageAll: db.prepare("SELECT namespace, name, json FROM objects WHERE kind = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name"),
    countNs: db.prepare("SELECT count(*) AS n FROM objects INDEXED BY objects_keys WHERE kind = ? AND namespace = ? AND (namespace, name) > (?, ?)"),
    countAll: db.prepare("SELECT count(*) AS n FROM objects INDEXED BY objects_keys WHERE kind = ? AND (namespace, name) > (?, ?)"),
    put: db.prepare(
      "INSERT OR REPLACE INTO objects (kind, namespace, name, uid, resource_version, json, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    remove: db.prepare("DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
    getCounter: db.prepare("SELECT value FROM counters WHERE name = 'resourceVersion'"),
    setCounter: db.prepare("UPDATE counters SET value = ? WHERE name = 'resourceVersion'"),
  };
}

/** SQLite's "database or disk is full" (SQLITE_FULL), or the ENOSPC of a write beneath it. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === "SQLITE_FULL" || code === "ENOSPC" || (typeof code === "string" && code.startsWith("SQLITE_IOERR") && /disk|space/i.test(String((err as Error).message)));
}
