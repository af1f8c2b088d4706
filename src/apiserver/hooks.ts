/**
 * Hooks let other node components take part in writes through the API, without the API server knowing them: the
 * Service allocator assigns clusterIP/nodePort on create, a controller may veto an update. A hook runs after
 * admission (defaulting and validation) and before the store write; it may return a changed object, or throw
 * ApiError to refuse the request (its Status goes back to the client). Hooks are synchronous, like the store, so a
 * hook's reads and the write that follows cannot interleave with other requests.
 *
 * Hooks see only writes made through the API server; components writing to the Store directly bypass them.
 */
import type { KubeObject } from "../api/types.js";
import type { UserInfo } from "../auth/user.js";
import type { Store } from "../store/store.js";

export interface HookContext {
  store: Store;
  nodeName: string;
  /** Who makes the request (in-process controllers: LOOPBACK_USER, in system:masters). */
  user: UserInfo;
  /** dryRun=All: the hook must not allocate or record anything. */
  dryRun: boolean;
  /** Sends a warning with the response (kubectl prints `Warning: TEXT`); in-process writes have no one to tell. */
  warn(text: string): void;
  /** Adds an annotation to the request's audit event. */
  annotate(key: string, value: string): void;
  /** The subresource the request went through ("status", "eviction", …), if any. */
  subresource?: string;
}

export type CreateHook = (obj: KubeObject, ctx: HookContext) => KubeObject | void;
export type UpdateHook = (obj: KubeObject, old: KubeObject, ctx: HookContext) => KubeObject | void;
/** Runs before an API DELETE (or pods/eviction) of the stored `obj`; throws ApiError to refuse it. */
export type DeleteHook = (obj: KubeObject, ctx: HookContext) => void;

export class Hooks {
  private readonly onCreate = new Map<string, CreateHook[]>();
  private readonly onUpdate = new Map<string, UpdateHook[]>();
  private readonly onDelete = new Map<string, DeleteHook[]>();

  /** Runs `fn` on every create of `kind` (e.g. "Service"). Returns the function that unregisters it. */
  registerCreateHook(kind: string, fn: CreateHook): () => void {
    return add(this.onCreate, kind, fn);
  }

  /** Runs `fn` on every update and patch of `kind`, including status writes. Returns the unregister function. */
  registerUpdateHook(kind: string, fn: UpdateHook): () => void {
    return add(this.onUpdate, kind, fn);
  }

  /** Runs `fn` before every API delete (and eviction) of `kind`. Returns the unregister function. */
  registerDeleteHook(kind: string, fn: DeleteHook): () => void {
    return add(this.onDelete, kind, fn);
  }

  runDelete(obj: KubeObject, ctx: HookContext): void {
    for (const fn of this.onDelete.get(obj.kind) ?? []) fn(obj, ctx);
  }

  runCreate(obj: KubeObject, ctx: HookContext): KubeObject {
    let cur = obj;
    for (const fn of this.onCreate.get(obj.kind) ?? []) cur = fn(cur, ctx) ?? cur;
    return cur;
  }

  runUpdate(obj: KubeObject, old: KubeObject, ctx: HookContext): KubeObject {
    let cur = obj;
    for (const fn of this.onUpdate.get(obj.kind) ?? []) cur = fn(cur, old, ctx) ?? cur;
    return cur;
  }
}

function add<F>(map: Map<string, F[]>, kind: string, fn: F): () => void {
  const list = map.get(kind) ?? [];
  list.push(fn);
  map.set(kind, list);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}
