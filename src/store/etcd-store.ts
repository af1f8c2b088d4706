/**
 * The Store on etcd v3, with kube-apiserver's storage semantics (staging/src/k8s.io/apiserver/pkg/storage/etcd3):
 * - keys `/registry/RESOURCE/NS/NAME` (etcd-keys.ts); values the object's JSON without its resourceVersion,
 *   through the encryption-at-rest transformer as the SQLite store's;
 * - an object's resourceVersion is its key's mod_revision, a list's the revision in the response header;
 * - create is a transaction on `mod_revision(key) == 0`; update and delete are compare-and-swap on the revision read
 *   (preconditions checked against it; without a resourceVersion precondition a lost race reads again and retries,
 *   as GuaranteedUpdate does; with one, it is 409 Conflict in the apiserver's words);
 * - pages of a list are ranges read at the first page's revision (410 Expired once etcd has compacted it);
 * - watches are served from one etcd watch on `/registry/` through the WatchHub, as the apiserver's watch cache
 *   serves them: resuming from a revision older than what the hub holds, or than the last compaction, is 410
 *   Expired; etcd's progress notifications move the store's revision (the BOOKMARK's) when no event does;
 * - when that stream falls behind a compaction (it was cut off or too slow while another API server compacted),
 *   changes are lost to the watchers: each in-process watcher lists again and is handed the difference from what
 *   it had (watched-versions.ts, a reflector's relist), so the kubelet, proxy and controllers that follow the store
 *   end with the state etcd holds; a watch asked with `lostChanges: "error"` (the API's watches: their clients
 *   relist) gets ERROR 410 and ends instead;
 * - compaction every interval to the revision seen one interval before, claimed through `compact_rev_key` so that
 *   one of several API servers does it (the apiserver's compactor).
 *
 * Calls are synchronous as the interface asks (etcd-sync.ts blocks the thread for each etcd round trip). The
 * store's own writes reach its watchers synchronously, as the SQLite store's do, when no other writer's revision
 * came between; otherwise the write first takes the watch stream's changes up to its own, so watchers always see
 * revisions in order.
 */
import { ApiError, FieldError } from "../api/errors.js";
import type { KubeObject, WatchEvent } from "../api/types.js";
import type { ValueTransformer } from "./encryption.js";
import { EtcdError, EtcdSync } from "./etcd-sync.js";
import { KeyIndex, REGISTRY, kindPrefix, namespacePrefix, objectKey, prefixEnd } from "./etcd-keys.js";
import type { WatchMessage, WireEvent, WireKv } from "./etcd-worker.js";
import { objectFilter } from "./filter.js";
import { cloneObject, newUid, rfc3339 } from "./metadata.js";
import { compareKeys, continueExpired, decodeContinue, encodeContinue, takePage, type Candidate, type Key } from "./paging.js";
import type { DeleteOptions, ListOptions, ListResult, Store, UpdateOptions, WatchOptions, WrittenKey } from "./store.js";
import { resumeRevision, WatchHub, type StoredEvent } from "./watch-hub.js";
import { WatchedVersions, watched, type Watched } from "./watched-versions.js";
import { apiVersionOf, resourceForKind } from "../api/resources.js";
import { checkPreconditions, freeGeneratedName, group, modifiedConflict, plural, storageKey, updatedObject } from "./write-rules.js";

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members (`--etcd-servers`). */
  endpoints: string[];
  now?: () => Date;
  /** Changes the watch hub keeps for resuming watches (default 10 000), and their bytes at most (default 8 MiB). */
  historySize?: number;
  historyBytes?: number;
  /** Encryption at rest (encryption.ts), applied to every value. */
  transformer?: ValueTransformer;
  /** How often to compact etcd's history (kube-apiserver's --etcd-compaction-interval, 5 min); 0: never. */
  compactionIntervalMs?: number;
  /** The longest one etcd request may take (default 10 s). */
  requestTimeoutMs?: number;
  log?: (msg: string) => void;
}

/** The key apiserver's compactors agree through (outside /registry/, so no watcher sees it). */
const COMPACT_KEY = "compact_rev_key";
/** Lost compare-and-swap races an update without a precondition retries before giving up with a Conflict. */
const MAX_RETRIES = 64;

/**
 * Connects to etcd and opens the store. Throws when etcd does not answer (an endpoint that is down at start
 * refuses the start, naming the endpoints).
 */
export function openEtcdStore(opts: EtcdStoreOptions): EtcdStore {
  return new EtcdStore(opts);
}

interface Read<T extends KubeObject> {
  obj: T;
  modRevision: number;
}

export class EtcdStore implements Store {
  private readonly sync: EtcdSync;
  private readonly hub: WatchHub;
  private readonly keys = new KeyIndex();
  private readonly now: () => Date;
  private readonly transformer?: ValueTransformer;
  private readonly log: (msg: string) => void;
  /** Every change up to this revision has been handed to the hub. */
  private published: number;
  private readonly compactTimer?: NodeJS.Timeout;
  private lastTickRevision = 0;
  private relistsPending = false;
  /** When each key was last written, for the kinds writtenBefore was asked about (filled on first use). */
  private readonly writtenAt = new Map<string, Map<string, WrittenKey>>();

  constructor(opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new Error("--etcd-servers: no endpoint given");
    this.now = opts.now ?? (() => new Date());
    this.transformer = opts.transformer;
    this.log = opts.log ?? (() => undefined);
    this.sync = new EtcdSync(opts.endpoints, opts.requestTimeoutMs ?? 10_000, (m) => this.onWatch(m));
    let start: number;
    try {
      start = this.sync.range(REGISTRY, { rangeEnd: prefixEnd(REGISTRY), countOnly: true }).revision;
    } catch (err) {
      this.sync.close();
      throw new Error(`etcd at ${opts.endpoints.join(",")} does not answer: ${(err as Error).message}`, { cause: err });
    }
    this.published = start;
    this.hub = new WatchHub({ count: opts.historySize ?? 10_000, bytes: opts.historyBytes ?? 8 * 1024 * 1024 }, start);
    this.sync.watch(REGISTRY, start + 1);
    const every = opts.compactionIntervalMs ?? 5 * 60_000;
    if (every > 0) {
      this.compactTimer = setInterval(() => this.compactTick(), every);
      this.compactTimer.unref();
    }
  }

  get watcherCount(): number {
    return this.hub.watcherCount;
  }

  create<T extends KubeObject>(input: T, opts: { uid?: string } = {}): T {
    const obj = cloneObject(input);
    const meta = obj.metadata ?? (obj.metadata = {});
    const ns = meta.namespace ?? "";
    this.keys.learn(obj.kind);
    if (!meta.name && meta.generateName) meta.name = this.freeName(obj.kind, ns, meta.generateName);
    if (!meta.name) {
      throw ApiError.invalid(obj.kind, "", [new FieldError("metadata.name", "name or generateName is required", "FieldValueRequired")]);
    }
    meta.uid = opts.uid || newUid();
    meta.creationTimestamp = rfc3339(this.now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    const key = objectKey(obj.kind, ns, meta.name);
    const res = this.sync.txn([{ key, modRevision: 0 }], [{ put: { key, value: this.encode(obj) } }], []);
    if (!res.succeeded) throw ApiError.alreadyExists(plural(obj.kind), meta.name, group(obj.kind));
    meta.resourceVersion = String(res.revision);
    this.afterWrite(res.revision, { rv: res.revision, kind: obj.kind, type: "ADDED", object: obj, json: JSON.stringify(obj) });
    return cloneObject(obj);
  }

  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.read<T>(kind, namespace, name)?.obj;
  }

  list<T extends KubeObject>(kind: string, opts: ListOptions = {}): ListResult<T> {
    this.keys.learn(kind);
    const filter = objectFilter(opts);
    const prefix = opts.namespace ? namespacePrefix(kind, opts.namespace) : kindPrefix(kind);
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    if (!opts.limit && !token) {
      const res = this.sync.range(prefix, { rangeEnd: prefixEnd(prefix) });
      const items = res.kvs.map((kv) => this.decodeKv<T>(kind, kv)).filter(filter);
      return { items, resourceVersion: String(res.revision) };
    }
    const after = token?.after;
    const startKey = after ? `${objectKey(kind, after.namespace, after.name)}\0` : prefix;
    // Every page reads at the first page's revision; a token of -1 reads the remainder as the store is now.
    let rv = token && token.rv > 0 ? token.rv : 0;
    const limit = opts.limit ?? 0;
    const batch = limit > 0 ? Math.min(Math.max(limit + 1, 100), 1000) : 1000;
    const first = this.rangeAt(prefix, startKey, batch, rv, after);
    if (rv === 0) rv = first.revision;
    const candidates = this.candidates(kind, prefix, first, batch, rv, after);
    const { items, continueAfter } = takePage<T>(candidates, limit, filter);
    const result: ListResult<T> = { items, resourceVersion: String(rv) };
    if (continueAfter) {
      result.continue = encodeContinue({ rv, after: continueAfter });
      // Upstream counts what is left only for lists without selectors.
      if (!opts.labelSelector && !opts.fieldSelector && opts.countRemaining !== false) {
        const from = `${objectKey(kind, continueAfter.namespace, continueAfter.name)}\0`;
        result.remainingItemCount = this.rangeAt(prefix, from, 0, rv, after, true).count;
      }
    }
    return result;
  }

  /** One range of a list at revision `rv` (0: now); a compacted revision is the continue token's 410. */
  private rangeAt(prefix: string, from: string, limit: number, rv: number, after: Key | undefined, countOnly = false) {
    try {
      return this.sync.range(from, { rangeEnd: prefixEnd(prefix), limit, revision: rv || undefined, countOnly });
    } catch (err) {
      if (err instanceof EtcdError && err.compacted) throw continueExpired(after ?? { namespace: "", name: "" });
      throw err;
    }
  }

  /** The keys of a list in etcd's order, a range at a time, each parsed only if the page takes it. */
  private *candidates(kind: string, prefix: string, first: { kvs: WireKv[]; more: boolean }, batch: number, rv: number, after: Key | undefined): Generator<Candidate> {
    let res = first;
    for (;;) {
      for (const kv of res.kvs) {
        const parsed = this.keys.parse(kv.key);
        if (!parsed) continue;
        yield { namespace: parsed.namespace, name: parsed.name, load: () => this.decodeKv(kind, kv) };
      }
      if (!res.more || res.kvs.length === 0) return;
      res = this.rangeAt(prefix, `${res.kvs[res.kvs.length - 1].key}\0`, batch, rv, after);
    }
  }

  update<T extends KubeObject>(input: T, opts: UpdateOptions = {}): T {
    const ns = input.metadata?.namespace ?? "";
    const name = input.metadata?.name ?? "";
    const key = objectKey(input.kind, ns, name);
    let cur = this.read<T>(input.kind, ns, name);
    for (let attempt = 0; ; attempt++) {
      if (!cur) throw ApiError.notFound(plural(input.kind), name, group(input.kind));
      const stored = cur.obj;
      checkPreconditions(stored, { uid: input.metadata.uid, resourceVersion: opts.resourceVersion });
      const next = updatedObject(stored, input, opts);
      if (!next) return stored;
      delete next.metadata.resourceVersion;
      const res = this.sync.txn([{ key, modRevision: cur.modRevision }], [{ put: { key, value: this.encode(next) } }], [{ get: { key } }]);
      if (res.succeeded) {
        next.metadata.resourceVersion = String(res.revision);
        this.afterWrite(res.revision, { rv: res.revision, kind: next.kind, type: "MODIFIED", object: next, json: JSON.stringify(next), old: stored, oldJson: JSON.stringify(stored) });
        return cloneObject(next);
      }
      // Another writer got there first: the precondition is checked again on what it wrote (a resourceVersion
      // precondition fails there with the apiserver's Conflict), else the update applies to the new object.
      const now = res.kvs[0]?.[0];
      cur = now ? { obj: this.decodeKv<T>(input.kind, now), modRevision: now.modRevision } : undefined;
      if (attempt >= MAX_RETRIES && cur) throw modifiedConflict(cur.obj);
    }
  }

  delete<T extends KubeObject>(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): T {
    const key = objectKey(kind, namespace, name);
    let cur = this.read<T>(kind, namespace, name);
    for (let attempt = 0; ; attempt++) {
      if (!cur) throw ApiError.notFound(plural(kind), name, group(kind));
      const stored = cur.obj;
      checkPreconditions(stored, opts);
      const res = this.sync.txn([{ key, modRevision: cur.modRevision }], [{ delete: { key } }], [{ get: { key } }]);
      if (res.succeeded) {
        const priorRv = stored.metadata.resourceVersion;
        // The DELETED event carries the object at the deletion's revision, as upstream's does.
        stored.metadata.resourceVersion = String(res.revision);
        this.afterWrite(res.revision, { rv: res.revision, kind, type: "DELETED", object: stored, json: JSON.stringify(stored), priorRv });
        return stored;
      }
      const now = res.kvs[0]?.[0];
      cur = now ? { obj: this.decodeKv<T>(kind, now), modRevision: now.modRevision } : undefined;
      if (attempt >= MAX_RETRIES && cur) throw modifiedConflict(cur.obj);
    }
  }

  watch(kind: string, opts: WatchOptions, handler: (ev: WatchEvent) => void): () => void {
    this.keys.learn(kind);
    const list = () => this.list(kind, opts).items;
    if (opts.lostChanges === "error") return this.hub.watchFrom(kind, opts, list, handler);
    const from = opts.resourceVersion ?? "";
    // What the watcher has at its start: the state at its revision ("0": the replayed list, noted as it goes).
    let base: Map<string, Watched> | undefined;
    if (from !== "0") {
      const at = from === "" ? undefined : resumeRevision(from);
      if (at !== undefined) this.hub.requireHistory(at);
      base = this.versionsAt(kind, opts, at);
    }
    const seen = new WatchedVersions(base);
    // Changes up to the relist's revision are in what it handed over.
    let listedAt = 0;
    const deliver = (ev: WatchEvent) => {
      if (Number(ev.object.metadata.resourceVersion) <= listedAt) return;
      seen.note(ev);
      handler(ev);
    };
    const relist = () => {
      const now = this.list(kind, { namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      listedAt = Number(now.resourceVersion);
      const info = resourceForKind(kind);
      for (const ev of seen.difference(now.items, kind, info ? apiVersionOf(info) : "v1")) {
        try {
          handler(ev);
        } catch {
          // As a delivery: the watcher owns its errors.
        }
      }
    };
    return this.hub.watchFrom(kind, opts, list, deliver, relist);
  }

  /**
   * key → resourceVersion (and uid) of the objects of `kind` matching `opts` at revision `at` (undefined: now):
   * keys only when no selector needs the values. Expired when etcd has compacted `at` away.
   */
  private versionsAt(kind: string, opts: WatchOptions, at: number | undefined): Map<string, Watched> {
    const prefix = opts.namespace ? namespacePrefix(kind, opts.namespace) : kindPrefix(kind);
    const selective = Boolean(opts.labelSelector || opts.fieldSelector);
    const filter = objectFilter(opts);
    const out = new Map<string, Watched>();
    let from = prefix;
    for (;;) {
      let res;
      try {
        res = this.sync.range(from, { rangeEnd: prefixEnd(prefix), limit: 1000, revision: at, keysOnly: !selective });
      } catch (err) {
        if (err instanceof EtcdError && err.compacted) throw new ApiError("Expired", `too old resource version: ${at ?? 0}`);
        throw err;
      }
      for (const kv of res.kvs) {
        const key = this.keys.parse(kv.key);
        if (!key) continue;
        if (!selective) {
          out.set(`${key.namespace}/${key.name}`, { resourceVersion: String(kv.modRevision) });
          continue;
        }
        const obj = this.decodeKv(kind, kv);
        if (filter(obj)) out.set(`${key.namespace}/${key.name}`, watched(obj));
      }
      if (!res.more || res.kvs.length === 0) return out;
      from = `${res.kvs[res.kvs.length - 1].key}\0`;
      at ??= res.revision;
    }
  }


  writtenBefore(kind: string, before: number, limit: number, after?: WrittenKey): WrittenKey[] {
    const keys = this.writtenKeys(kind);
    const later = (k: WrittenKey) =>
      !after || k.writtenAt > after.writtenAt || (k.writtenAt === after.writtenAt && compareKeys(k, after) > 0);
    return [...keys.values()]
      .filter((k) => k.writtenAt < before && later(k))
      .sort((a, b) => a.writtenAt - b.writtenAt || compareKeys(a, b))
      .slice(0, limit);
  }

  currentResourceVersion(): string {
    return String(this.published);
  }

  /**
   * Compacts etcd's history up to `revision` (default: the store's current one) unless another API server already
   * compacted further; resuming a watch or a list from before it is then 410 Expired.
   */
  compactHistory(revision = this.published): void {
    const got = this.sync.range(COMPACT_KEY);
    const claimed = got.kvs[0];
    if (claimed && Number(Buffer.from(claimed.value).toString("utf8")) >= revision) return;
    const res = this.sync.txn([{ key: COMPACT_KEY, modRevision: claimed?.modRevision ?? 0 }], [{ put: { key: COMPACT_KEY, value: Buffer.from(String(revision)) } }], []);
    if (!res.succeeded) return;
    try {
      this.sync.compact(revision);
    } catch (err) {
      if (!(err instanceof EtcdError && err.compacted)) throw err;
    }
    // Resuming from `revision` itself stays possible: etcd keeps the state at the revision it compacted to.
    this.hub.expire(revision - 1);
  }

  close(): void {
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.sync.close();
  }

  /** The apiserver's compactor: each tick compacts to the revision the previous tick saw. */
  private compactTick(): void {
    const target = this.lastTickRevision;
    this.lastTickRevision = this.published;
    if (target <= 0) return;
    try {
      this.compactHistory(target);
    } catch (err) {
      this.log(`etcd compaction to revision ${target} failed: ${(err as Error).message}`);
    }
  }

  private read<T extends KubeObject>(kind: string, namespace: string, name: string): Read<T> | undefined {
    this.keys.learn(kind);
    const kv = this.sync.range(objectKey(kind, namespace, name)).kvs[0];
    return kv ? { obj: this.decodeKv<T>(kind, kv), modRevision: kv.modRevision } : undefined;
  }

  /** The value etcd holds for an object: its JSON without the resourceVersion, encrypted where configured. */
  private encode(obj: KubeObject): Uint8Array {
    const m = obj.metadata;
    const json = JSON.stringify(obj);
    const stored = this.transformer ? this.transformer.toStorage(storageKey(obj.kind, m.namespace ?? "", m.name ?? ""), json) : json;
    return typeof stored === "string" ? Buffer.from(stored, "utf8") : stored;
  }

  /** A stored value as the object, its resourceVersion the key's mod_revision; undecryptable is an InternalError. */
  private decodeKv<T extends KubeObject>(kind: string, kv: WireKv): T {
    const parsed = this.keys.parse(kv.key);
    const ns = parsed?.namespace ?? "";
    const name = parsed?.name ?? kv.key;
    const bytes = Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength);
    let json: string;
    try {
      json = this.transformer ? this.transformer.fromStorage(storageKey(kind, ns, name), bytes) : bytes.toString("utf8");
    } catch (err) {
      throw new ApiError("InternalError", (err as Error).message, { name, kind: plural(kind) });
    }
    const obj = JSON.parse(json) as T;
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  /**
   * Hands a committed write of this store to its watchers: at once when it directly follows what they have seen,
   * else after the watch stream's changes up to it (another writer's came between), which include it.
   */
  private afterWrite(revision: number, ev: StoredEvent): void {
    if (revision === this.published + 1) {
      this.publish(ev);
      this.published = revision;
      return;
    }
    let caught;
    try {
      caught = this.sync.catchUp(revision, this.published);
    } catch (err) {
      // The write is committed; its watchers will hear of it when the stream delivers it.
      this.log(`etcd watch stream behind revision ${revision}: ${(err as Error).message}`);
      return;
    }
    for (const m of caught.batches) this.onWatch(m);
    if (caught.revision > this.published) this.published = caught.revision;
  }

  /** A message of the watch stream: changes not yet handed to the hub are, in order. */
  private onWatch(m: WatchMessage): void {
    switch (m.type) {
      case "events": {
        this.retryRelists();
        const seen = this.published;
        if (m.revision <= seen) return;
        for (const e of m.events) if (e.kv.modRevision > seen) this.publishWire(e);
        this.published = m.revision;
        return;
      }
      case "progress":
        this.retryRelists();
        if (m.revision > this.published) this.published = m.revision;
        return;
      case "compacted": {
        // The stream fell behind etcd's compaction: changes were lost to this store's watchers. Those resuming
        // from before it get 410; the stream goes on from the compacted revision, and the watchers list again.
        this.log(`etcd watch stream compacted at revision ${m.compactRevision}: changes after ${this.published} were lost; watchers list again`);
        this.hub.expire(m.compactRevision - 1);
        this.published = Math.max(this.published, m.compactRevision - 1);
        this.hub.lost();
        this.retryRelists();
        this.sync.watch(REGISTRY, m.compactRevision);
        return;
      }
      case "error":
        this.log(`etcd watch stream: ${m.message} (reconnecting)`);
        return;
    }
  }

  /** Watchers whose relist after lost changes failed (etcd unreachable) try again; logged once while any wait. */
  private retryRelists(): void {
    const done = this.hub.retryRelists();
    if (!done && !this.relistsPending) this.log("etcd watch: some watchers could not list again after lost changes; retrying with the stream");
    this.relistsPending = !done;
  }

  private publishWire(e: WireEvent): void {
    const parsed = this.keys.parse(e.kv.key);
    if (!parsed) return;
    const { kind } = parsed;
    try {
      if (e.type === "DELETE") {
        if (!e.prev) return;
        const object = this.decodeKv(kind, e.prev);
        const priorRv = object.metadata.resourceVersion;
        object.metadata.resourceVersion = String(e.kv.modRevision);
        this.publish({ rv: e.kv.modRevision, kind, type: "DELETED", object, json: JSON.stringify(object), priorRv });
        return;
      }
      const object = this.decodeKv(kind, e.kv);
      const ev: StoredEvent = { rv: e.kv.modRevision, kind, type: e.prev ? "MODIFIED" : "ADDED", object, json: JSON.stringify(object) };
      if (e.prev) {
        ev.old = this.decodeKv(kind, e.prev);
        ev.oldJson = JSON.stringify(ev.old);
      }
      this.publish(ev);
    } catch (err) {
      this.log(`etcd watch: cannot read ${e.kv.key} at revision ${e.kv.modRevision}: ${(err as Error).message}`);
    }
  }

  private publish(ev: StoredEvent): void {
    const keys = this.writtenAt.get(ev.kind);
    if (keys) {
      const m = ev.object.metadata;
      const id = `${m.namespace ?? ""}\0${m.name ?? ""}`;
      if (ev.type === "DELETED") keys.delete(id);
      else keys.set(id, { namespace: m.namespace ?? "", name: m.name ?? "", uid: m.uid ?? "", writtenAt: this.now().getTime() });
    }
    this.hub.publish(ev);
  }

  /**
   * The write times of `kind`'s objects. etcd does not record when a key was written, so the store notes it as it
   * hears of each write; objects already there when it first looked count as written then (they live one more TTL
   * at most), as rows did when the SQLite store first added its column.
   */
  private writtenKeys(kind: string): Map<string, WrittenKey> {
    let keys = this.writtenAt.get(kind);
    if (keys) return keys;
    keys = new Map();
    const at = this.now().getTime();
    for (const o of this.list(kind).items) {
      const m = o.metadata;
      keys.set(`${m.namespace ?? ""}\0${m.name ?? ""}`, { namespace: m.namespace ?? "", name: m.name ?? "", uid: m.uid ?? "", writtenAt: at });
    }
    this.writtenAt.set(kind, keys);
    return keys;
  }

  private freeName(kind: string, ns: string, prefix: string): string {
    return freeGeneratedName(prefix, (name) => this.get(kind, ns, name) !== undefined);
  }
}
