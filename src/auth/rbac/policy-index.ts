/**
 * The RBAC objects of the store, kept in memory and current: a list, then a watch from the list's resourceVersion
 * (store watches run synchronously after each commit, so a binding created by one request applies to the next).
 * Bindings are filed by subject (`u:NAME`, `g:GROUP`), so finding a user's bindings costs one lookup per group
 * however many bindings exist.
 */
import type { ClusterRole, Role, RoleBinding } from "../../api/rbac.js";
import type { KubeObject, WatchEvent } from "../../api/types.js";
import type { Store } from "../../store/store.js";
import { subjectKey } from "./rules.js";

const NO_BINDINGS: readonly RoleBinding[] = [];
const byName = (a: RoleBinding, b: RoleBinding): number => {
  const x = a.metadata.name ?? "";
  const y = b.metadata.name ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Bindings of one scope (the cluster, or one namespace), by subject key. Each key's bindings are kept sorted until
 * they change, so the usual lookup (one key with bindings: the user's, or a group's) allocates nothing.
 */
class BindingSet {
  private readonly bySubject = new Map<string, Map<string, RoleBinding>>();
  private readonly sorted = new Map<string, readonly RoleBinding[]>();
  private readonly keysOf = new Map<string, string[]>();

  get size(): number {
    return this.keysOf.size;
  }

  set(b: RoleBinding): void {
    this.remove(b.metadata.name ?? "");
    const name = b.metadata.name ?? "";
    const ns = b.metadata.namespace ?? "";
    const keys = [...new Set((b.subjects ?? []).map((s) => subjectKey(s, ns)).filter((k): k is string => !!k))];
    for (const k of keys) {
      let m = this.bySubject.get(k);
      if (!m) this.bySubject.set(k, (m = new Map<string, RoleBinding>()));
      m.set(name, b);
      this.sorted.delete(k);
    }
    this.keysOf.set(name, keys);
  }

  remove(name: string): void {
    for (const k of this.keysOf.get(name) ?? []) {
      const m = this.bySubject.get(k);
      m?.delete(name);
      if (m?.size === 0) this.bySubject.delete(k);
      this.sorted.delete(k);
    }
    this.keysOf.delete(name);
  }

  /** The bindings filed under any of `keys`, each once, in name order (so reasons are stable). */
  matching(keys: readonly string[]): readonly RoleBinding[] {
    let found: readonly RoleBinding[] | undefined;
    let several = false;
    for (const k of keys) {
      const l = this.filedUnder(k);
      if (!l.length) continue;
      if (found) several = true;
      else found = l;
    }
    if (!several) return found ?? NO_BINDINGS;
    const out = new Map<string, RoleBinding>();
    for (const k of keys) for (const b of this.filedUnder(k)) out.set(b.metadata.name ?? "", b);
    return [...out.values()].sort(byName);
  }

  private filedUnder(key: string): readonly RoleBinding[] {
    let l = this.sorted.get(key);
    if (l) return l;
    const m = this.bySubject.get(key);
    if (!m) return NO_BINDINGS;
    l = [...m.values()].sort(byName);
    this.sorted.set(key, l);
    return l;
  }
}

/** Where the authorizer reads roles and bindings. */
export interface PolicySource {
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  /** Cluster role bindings filed under any of the subject keys. */
  clusterRoleBindings(keys: readonly string[]): readonly RoleBinding[];
  /** Role bindings of one namespace filed under any of the subject keys. */
  roleBindings(namespace: string, keys: readonly string[]): readonly RoleBinding[];
  /** Changes whenever a role or binding does (decisions made before are stale). */
  readonly generation: number;
}

export class PolicyIndex implements PolicySource {
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roles = new Map<string, Role>();
  private readonly crbs = new BindingSet();
  private readonly rbs = new Map<string, BindingSet>();
  private readonly stops: (() => void)[] = [];
  private changes = 0;

  get generation(): number {
    return this.changes;
  }

  /** Loads the four kinds from `store` and follows their changes until stop(). */
  follow(store: Store): this {
    this.track(store, "ClusterRole", (o) => this.clusterRoles.set(o.metadata.name ?? "", o), (o) => this.clusterRoles.delete(o.metadata.name ?? ""));
    this.track(store, "Role", (o) => this.roles.set(nsKey(o), o), (o) => this.roles.delete(nsKey(o)));
    this.track(store, "ClusterRoleBinding", (o) => this.crbs.set(o as RoleBinding), (o) => this.crbs.remove(o.metadata.name ?? ""));
    this.track(store, "RoleBinding", (o) => this.namespaceSet(o.metadata.namespace ?? "").set(o as RoleBinding), (o) => this.rbs.get(o.metadata.namespace ?? "")?.remove(o.metadata.name ?? ""));
    return this;
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }

  clusterRoleBindings(keys: readonly string[]): readonly RoleBinding[] {
    return this.crbs.matching(keys);
  }

  roleBindings(namespace: string, keys: readonly string[]): readonly RoleBinding[] {
    return this.rbs.get(namespace)?.matching(keys) ?? NO_BINDINGS;
  }

  private namespaceSet(ns: string): BindingSet {
    let s = this.rbs.get(ns);
    if (!s) this.rbs.set(ns, (s = new BindingSet()));
    return s;
  }

  private track(store: Store, kind: string, set: (o: KubeObject) => void, remove: (o: KubeObject) => void): void {
    const list = store.list(kind);
    for (const o of list.items) set(o);
    this.changes++;
    this.stops.push(
      store.watch(kind, { resourceVersion: list.resourceVersion }, (ev: WatchEvent) => {
        if (ev.type === "DELETED") remove(ev.object);
        else if (ev.type === "ADDED" || ev.type === "MODIFIED") set(ev.object);
        else return;
        this.changes++;
      }),
    );
  }
}

function nsKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}
