/**
 * A StatefulSet pod's identity and storage (pkg/controller/statefulset/stateful_set_utils.go): the name
 * `SET-ORDINAL`, the pod-name and pod-index labels, hostname = pod name and subdomain = serviceName (so the
 * headless Service publishes `SET-0.SVC.NS.svc.DOMAIN`), one claim `TEMPLATE-SET-ORDINAL` per volumeClaimTemplate
 * mounted as the template's volume, and the owner references the retention policy puts on those claims.
 */
import type { StatefulSet } from "../../api/apps-types.js";
import type { OwnerReference, PersistentVolumeClaim, Pod } from "../../api/types.js";
import { clone } from "../../api/json.js";
import { podFromTemplate } from "../workload/pods.js";
import { CONTROLLER_REVISION_HASH_LABEL } from "../workload/revisions.js";

export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** The ordinal of `SET-N`, or -1 when the name is not one of the set's (getParentNameAndOrdinal). */
export function ordinalOf(set: StatefulSet, podName: string): number {
  const prefix = `${set.metadata.name}-`;
  if (!podName.startsWith(prefix)) return -1;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9][0-9]{0,8})$/.test(rest) ? Number(rest) : -1;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** identityMatches: the pod carries the set's name, namespace and pod-name label for its ordinal. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const ord = ordinalOf(set, pod.metadata.name ?? "");
  return ord >= 0 && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name && pod.metadata.labels?.[POD_INDEX_LABEL] === String(ord);
}

/** The pod's labels with its identity labels set (updateIdentity; hostname and subdomain are immutable on a pod). */
export function identityLabels(pod: Pod, ordinal: number): Record<string, string> {
  return { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name ?? "", [POD_INDEX_LABEL]: String(ordinal) };
}

/** The claims a pod of `ordinal` uses, as they are created from the templates (getPersistentVolumeClaims). */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const selectorLabels = set.spec.selector?.matchLabels ?? {};
  return (set.spec.volumeClaimTemplates ?? []).map((t) => {
    const c = clone(t);
    return {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels: { ...(c.metadata.labels ?? {}), ...selectorLabels }, annotations: c.metadata.annotations },
      spec: c.spec,
    };
  });
}

/** newVersionedStatefulSetPod's pod: identity, storage and the revision label. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revisionName: string): Pod {
  const pod = podFromTemplate(set, set.spec.template);
  const name = podName(set, ordinal);
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...identityLabels(pod, ordinal), [POD_NAME_LABEL]: name, [CONTROLLER_REVISION_HASH_LABEL]: revisionName };
  pod.spec.hostname = name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  const claims = new Map((set.spec.volumeClaimTemplates ?? []).map((t) => [t.metadata.name ?? "", claimName(set, t, ordinal)]));
  const volumes = (pod.spec.volumes ?? []).filter((v) => !claims.has(v.name));
  for (const [vol, claim] of claims) volumes.push({ name: vol, persistentVolumeClaim: { claimName: claim } });
  pod.spec.volumes = volumes.length ? volumes : undefined;
  return pod;
}

/** A plain (non-controller) owner reference, as the retention policy sets on claims. */
function ownerRef(owner: { apiVersion: string; kind: string; metadata: { name?: string; uid?: string } }): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "" };
}

/**
 * The owner references a claim should carry under the retention policy (updateClaimOwnerRefForSetAndPod):
 * whenDeleted=Delete → the set owns it while its ordinal is wanted; whenScaled=Delete → the pod owns it once its
 * ordinal is condemned (so the claim goes with the pod). Other owners are kept.
 */
export function claimOwnerRefs(set: StatefulSet, claim: PersistentVolumeClaim, pod: Pod | undefined, condemned: boolean): OwnerReference[] {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const others = (claim.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid && !(r.kind === "Pod" && r.name === pod?.metadata.name));
  const refs = [...others];
  if (condemned) {
    if (policy.whenScaled === "Delete" && pod?.metadata.uid) refs.push(ownerRef(pod));
  } else if (policy.whenDeleted === "Delete") refs.push(ownerRef(set));
  return refs;
}
