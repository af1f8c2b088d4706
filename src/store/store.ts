/**
 * The object store: every API object nodelet knows, with Kubernetes' metadata semantics (uid, resourceVersion,
 * generation, creationTimestamp) and watches by resourceVersion. The API server and the node's controllers (kubelet,
 * endpoints, proxy) are its only users. Calls are synchronous: the embedded SQLite store answers in microseconds and a
 * synchronous store keeps read-modify-write sequences free of interleaving.
 */
import type { KubeObject, WatchEvent } from "../api/types.js";

export interface ListOptions {
  /** Only this namespace; omitted = all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  /** Kubernetes label selector syntax: `app=web,tier!=db,env in (a,b),!legacy`. */
  labelSelector?: string;
  /** Field selector: `metadata.name=x`, `spec.nodeName=n`, `involvedObject.uid=...` (equality and `!=`). */
  fieldSelector?: string;
  /**
   * At most this many objects (0 or omitted: all). A page that stops early returns `continue`, the token for the
   * rest (paging.ts), and, without selectors, remainingItemCount.
   */
  limit?: number;
  /** The token of the previous page: this page continues that list, as of that list's resourceVersion. */
  continue?: string;
  /**
   * false: a page leaves remainingItemCount out. A reader that takes every page anyway (a streamed list, a sweep)
   * spares the store counting the rest of the kind once per page.
   */
  countRemaining?: boolean;
}

/** A list or one page of it. */
export interface ListResult<T> {
  items: T[];
  /** The version the list shows (for every page of a paged list, that of its first page). */
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions extends ListOptions {
  /**
   * Where the watch starts. Omitted or "": only changes from now on. "0": a synthetic ADDED for every current object,
   * then changes. "N": every change after N (throws ApiError Expired/410 when N is older than the retained history).
   */
  resourceVersion?: string;
  /**
   * What the watch does if the store loses changes it should have delivered (etcd's watch stream fell behind a
   * compaction; a remote store's watch got 410): "relist" (the default) lists again and hands the handler the
   * difference from what it was handed (store/watched-versions.ts), so an in-process consumer ends with the stored
   * state; "error" hands it one ERROR event (a 410 Expired Status) and ends the watch, for a caller that lists
   * again itself (the API's watch handler, whose client relists). A store that never loses changes (SQLite) never
   * does either.
   */
  lostChanges?: "relist" | "error";
}

export interface UpdateOptions {
  /** Optimistic concurrency: fail with Conflict when the stored resourceVersion differs. */
  resourceVersion?: string;
  /** "status" writes only .status (and keeps spec); undefined writes everything but .status. */
  subresource?: "status";
  /**
   * Bump metadata.generation even though only metadata changed: graceful deletion does this when it sets
   * deletionTimestamp (registry/rest/delete.go BeforeDelete).
   */
  bumpGeneration?: boolean;
}

export interface DeleteOptions {
  /** Fail with Conflict unless the stored object has this uid (kubelet's final delete carries the pod uid). */
  uid?: string;
  resourceVersion?: string;
}

/** An object's key and when it was last written (ms since the epoch, by the store's clock). */
export interface WrittenKey {
  namespace: string;
  name: string;
  uid: string;
  writtenAt: number;
}

export interface Store {
  /**
   * Stores a new object. Assigns metadata.uid, creationTimestamp, resourceVersion and generation (1); fills `name`
   * from generateName. Throws ApiError AlreadyExists. Returns the object as stored. `opts.uid`: the uid admission
   * assigned (the API server's writes), kept instead of a new one.
   */
  create<T extends KubeObject>(obj: T, opts?: { uid?: string }): T;
  /** The object, or undefined. `namespace` is "" for cluster-scoped kinds. */
  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined;
  /**
   * Matching objects sorted by namespace then name, with the store's current resourceVersion; with `limit` or
   * `continue`, one page. Throws ApiError BadRequest for a malformed token and Expired (410) for one older than the
   * history the store keeps.
   */
  list<T extends KubeObject>(kind: string, opts?: ListOptions): ListResult<T>;
  /**
   * Replaces an object (see UpdateOptions for status vs spec). Bumps resourceVersion; bumps generation when anything
   * but metadata/status changed. Throws ApiError NotFound or Conflict. Returns the object as stored.
   */
  update<T extends KubeObject>(obj: T, opts?: UpdateOptions): T;
  /** Removes an object and emits DELETED. Returns what was removed. Throws ApiError NotFound or Conflict. */
  delete<T extends KubeObject>(kind: string, namespace: string, name: string, opts?: DeleteOptions): T;
  /**
   * Calls `handler` for each change to objects of `kind` matching the options, in resourceVersion order, until the
   * returned function is called. Handlers run synchronously after the write that caused them has committed. No
   * change is lost to a handler (see WatchOptions.lostChanges for a backend that loses some).
   */
  watch(kind: string, opts: WatchOptions, handler: (ev: WatchEvent) => void): () => void;
  /**
   * Runs `body`, whose writes the backend may commit as one (SQLite: one transaction instead of one each; watchers
   * hear of them in order once it commits). Each write inside still succeeds or fails on its own, but a failed
   * commit of the whole undoes them all and throws. For writes that lose nothing by waiting for the others (the
   * kubelet's events). Optional: without it, each write commits on its own.
   */
  writeTogether?<R>(body: () => R): R;
  /**
   * Hands the space of deleted objects back to the filesystem, where the backend can (after bulk deletes such as
   * event expiry). Optional: a backend without it compacts on its own.
   */
  compact?(): { freedPages: number; pageSize: number };
  /**
   * Keys of objects of `kind` last created or updated before `before` (ms since the epoch, by the store's clock),
   * oldest first, at most `limit`, continuing after `after` (the last key of the previous call): what a TTL expires,
   * found without reading the objects.
   */
  writtenBefore(kind: string, before: number, limit: number, after?: WrittenKey): WrittenKey[];
  /** The store's current resourceVersion (the last one assigned). */
  currentResourceVersion(): string;
  close(): void;
}
