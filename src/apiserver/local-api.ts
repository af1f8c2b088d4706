/**
 * The API as the in-process controllers see it (api/object-api.ts): the same admission, hooks, graceful deletion,
 * finalizer and propagation rules as a request through the socket, without HTTP. Reads go straight to the store.
 * Writes through it are indistinguishable, for the store and its watchers, from the same request made by kubectl,
 * and are recorded in managedFields as Updates of `manager` (the controllers' writes: `kube-controller-manager`).
 */
import { admitCreate, admitUpdate } from "../api/admission.js";
import { ApiError } from "../api/errors.js";
import type { ObjectApi, ObjectDeleteOptions, ObjectListOptions } from "../api/object-api.js";
import { resourceForKind, type ResourceInfo } from "../api/resources.js";
import type { KubeObject, Namespace, WatchEvent } from "../api/types.js";
import { LOOPBACK_USER } from "../auth/user.js";
import { withFieldManager } from "../store/field-manager-store.js";
import type { Store } from "../store/store.js";
import type { ServerContext } from "./context.js";
import type { HookContext } from "./hooks.js";
import { deleteOne } from "./deletion.js";
import { finishIfFinalized, withoutStatusChange, withStatus } from "./handlers/write.js";

export class LocalApi implements ObjectApi {
  /** The store writes go to, attributing each to the manager. */
  private readonly writes: Store;

  constructor(
    private readonly ctx: ServerContext,
    manager = "kube-controller-manager",
  ) {
    this.writes = withFieldManager(ctx.store, manager, () => ctx.now());
  }

  get<T extends KubeObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.ctx.store.get<T>(kind, namespace, name);
  }

  list<T extends KubeObject>(kind: string, opts: ObjectListOptions = {}): { items: T[]; resourceVersion: string } {
    const { items, resourceVersion } = this.ctx.store.list<T>(kind, opts);
    return { items, resourceVersion };
  }

  watch(kind: string, opts: ObjectListOptions & { resourceVersion?: string }, handler: (ev: WatchEvent) => void): () => void {
    return this.ctx.store.watch(kind, opts, handler);
  }

  create<T extends KubeObject>(obj: T): T {
    const info = this.info(obj.kind);
    if (info.namespaced) this.requireWritableNamespace(info, obj.metadata?.namespace || "default", obj.metadata?.name || obj.metadata?.generateName);
    let admitted: KubeObject = admitCreate(obj, this.ctx.admission);
    admitted = this.ctx.hooks.runCreate(admitted, this.hookContext());
    return this.writes.create(admitted, { uid: admitted.metadata.uid }) as T;
  }

  update<T extends KubeObject>(obj: T): T {
    const old = this.load(obj);
    let next: KubeObject = admitUpdate(withoutStatusChange(obj, old), old, this.ctx.admission);
    next = this.ctx.hooks.runUpdate(next, old, this.hookContext());
    const stored = this.writes.update(next, { resourceVersion: obj.metadata.resourceVersion });
    return finishIfFinalized({ ctx: this.ctx }, stored) as T;
  }

  updateStatus<T extends KubeObject>(obj: T): T {
    const old = this.load(obj);
    let next: KubeObject = admitUpdate(withStatus(old, obj), old, { ...this.ctx.admission, subresource: "status" });
    next = this.ctx.hooks.runUpdate(next, old, this.hookContext());
    return this.writes.update(next, { resourceVersion: obj.metadata.resourceVersion, subresource: "status" }) as T;
  }

  delete(kind: string, namespace: string, name: string, opts: ObjectDeleteOptions = {}): KubeObject {
    const info = this.info(kind);
    const obj = this.ctx.store.get(kind, info.namespaced ? namespace : "", name);
    if (!obj) throw ApiError.notFound(info.plural, name, info.group);
    if (opts.uid && opts.uid !== obj.metadata.uid) {
      throw ApiError.conflict(info.plural, name, `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (opts.resourceVersion && opts.resourceVersion !== obj.metadata.resourceVersion) {
      throw ApiError.conflict(
        info.plural,
        name,
        `Precondition failed: ResourceVersion in precondition: ${opts.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
    const req = { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: {}, propagationPolicy: opts.propagationPolicy, dryRun: false };
    return deleteOne(this.ctx, obj, req).object;
  }

  private info(kind: string): ResourceInfo {
    const info = resourceForKind(kind);
    if (!info) throw ApiError.badRequest(`no kind "${kind}" is registered`);
    return info;
  }

  private load(obj: KubeObject): KubeObject {
    const info = this.info(obj.kind);
    const m = obj.metadata ?? {};
    const old = this.ctx.store.get(obj.kind, info.namespaced ? m.namespace ?? "" : "", m.name ?? "");
    if (!old) throw ApiError.notFound(info.plural, m.name ?? "", info.group);
    return old;
  }

  private hookContext(): HookContext {
    return { store: this.ctx.store, nodeName: this.ctx.nodeName, user: LOOPBACK_USER, dryRun: false, warn: () => undefined, annotate: () => undefined };
  }

  /** NamespaceLifecycle: no new objects in a missing or terminating namespace. */
  private requireWritableNamespace(info: ResourceInfo, ns: string, name: string | undefined): void {
    const namespace = this.ctx.store.get<Namespace>("Namespace", "", ns);
    if (!namespace) throw ApiError.notFound("namespaces", ns);
    if (namespace.status?.phase === "Terminating" || namespace.metadata.deletionTimestamp) {
      throw new ApiError(
        "Forbidden",
        `${info.plural} "${name ?? ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        { name, kind: info.plural },
      );
    }
  }
}
