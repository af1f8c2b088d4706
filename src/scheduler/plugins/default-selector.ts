/**
 * helper.DefaultSelector (plugins/helper/spread.go): the selector PodTopologySpread's default constraints count pods
 * by — the map selectors of the Services that select the pod merged, plus its controller's selector (a
 * ReplicationController's map, a ReplicaSet's or StatefulSet's requirements). Undefined when that is empty: a pod
 * nothing selects gets no default spreading.
 */
import type { LabelSelector, Pod } from "../../api/types.js";
import type { SpreadSources } from "../types.js";

const CONTROLLERS: Record<string, string> = { "v1/ReplicationController": "ReplicationController", "apps/v1/ReplicaSet": "ReplicaSet", "apps/v1/StatefulSet": "StatefulSet" };

export function defaultSelector(pod: Pod, sources: SpreadSources): LabelSelector | undefined {
  const ns = pod.metadata.namespace ?? "default";
  const labels = pod.metadata.labels ?? {};
  const matchLabels: Record<string, string> = {};
  for (const s of sources.services) {
    const entries = Object.entries(s.selector);
    if (s.namespace === ns && entries.length > 0 && entries.every(([k, v]) => labels[k] === v)) Object.assign(matchLabels, s.selector);
  }
  const matchExpressions: NonNullable<LabelSelector["matchExpressions"]> = [];
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  const kind = owner && CONTROLLERS[`${owner.apiVersion}/${owner.kind}`];
  const sel = kind ? sources.controllerSelector(kind, ns, owner.name) : undefined;
  if (sel) {
    Object.assign(matchLabels, kind === "ReplicationController" ? sel.matchLabels : {});
    if (kind !== "ReplicationController") {
      for (const [k, v] of Object.entries(sel.matchLabels ?? {})) matchExpressions.push({ key: k, operator: "In", values: [v] });
      matchExpressions.push(...(sel.matchExpressions ?? []));
    }
  }
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { matchLabels, matchExpressions };
}
