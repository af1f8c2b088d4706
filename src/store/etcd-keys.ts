/**
 * Where objects live in etcd, as kube-apiserver lays them out: `/registry/RESOURCE/NAMESPACE/NAME`, or
 * `/registry/RESOURCE/NAME` for cluster-scoped objects, with upstream's historical prefixes for a few resources
 * (pkg/kubeapiserver/default_storage_factory_builder.go: nodes under `minions`, services under `services/specs`,
 * endpoints under `services/endpoints`, replication controllers under `controllers`).
 */
import { RESOURCES, resourceForKind } from "../api/resources.js";

export const REGISTRY = "/registry/";

const SPECIAL: Record<string, string> = {
  nodes: "minions",
  services: "services/specs",
  endpoints: "services/endpoints",
  replicationcontrollers: "controllers",
};

/** The resource path of a kind under /registry/ ("pods", "minions", "services/specs"). */
function resourcePath(kind: string): string {
  const plural = resourceForKind(kind)?.plural ?? `${kind.toLowerCase()}s`;
  return SPECIAL[plural] ?? plural;
}

/** The prefix every key of `kind` starts with (and nothing else's does: it ends in a slash). */
export function kindPrefix(kind: string): string {
  return `${REGISTRY}${resourcePath(kind)}/`;
}

/** The prefix of `kind`'s keys in one namespace. */
export function namespacePrefix(kind: string, namespace: string): string {
  return `${kindPrefix(kind)}${namespace}/`;
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return namespace ? `${kindPrefix(kind)}${namespace}/${name}` : `${kindPrefix(kind)}${name}`;
}

/** The end of a prefix's range: the first key after every key that starts with it. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export interface ParsedKey {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Maps keys back to kinds: every served resource, and any other kind once the store has been asked about it (kinds
 * outside the resource table are the store's own or a test's).
 */
export class KeyIndex {
  private readonly byPrefix = new Map<string, string>();

  constructor() {
    for (const r of RESOURCES) if (r.group !== "metrics.k8s.io") this.byPrefix.set(kindPrefix(r.kind), r.kind);
  }

  /** Makes `kind`'s keys known (idempotent). */
  learn(kind: string): void {
    const p = kindPrefix(kind);
    if (!this.byPrefix.has(p)) this.byPrefix.set(p, kind);
  }

  parse(key: string): ParsedKey | undefined {
    if (!key.startsWith(REGISTRY)) return undefined;
    // The longest known prefix: "services/specs/" before a kind that might be called "services".
    let best: string | undefined;
    for (const p of this.byPrefix.keys()) if (key.startsWith(p) && (!best || p.length > best.length)) best = p;
    if (!best) return undefined;
    const kind = this.byPrefix.get(best)!;
    const rest = key.slice(best.length);
    const namespaced = resourceForKind(kind)?.namespaced ?? rest.includes("/");
    const slash = rest.indexOf("/");
    if (!namespaced || slash < 0) return { kind, namespace: "", name: rest };
    return { kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
  }
}
