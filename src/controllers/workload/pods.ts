/**
 * Pod facts the workload controllers share (pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go): readiness,
 * availability after minReadySeconds, activeness, controller references, and the pod a workload creates from its
 * template.
 */
import type { PodTemplateSpec } from "../../api/apps-types.js";
import { clone } from "../../api/json.js";
import type { KubeObject, OwnerReference, Pod, PodCondition } from "../../api/types.js";

export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === "True";
}

/** Ready for at least minReadySeconds (IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Not terminating and not finished (IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed";
}

/** The owner reference with controller: true, if any. */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The controller reference a workload puts on what it creates (NewControllerRef). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** A pod of `owner` from its template: generateName `NAME-`, the template's labels and annotations, controllerRef. */
export function podFromTemplate(owner: KubeObject, template: PodTemplateSpec): Pod {
  const t = clone(template);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: t.metadata?.annotations,
      finalizers: t.metadata?.finalizers,
      ownerReferences: [newControllerRef(owner)],
    },
    spec: t.spec,
  };
}
