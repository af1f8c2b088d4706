/**
 * NodeRestriction admission (plugin/pkg/admission/noderestriction, Kubernetes 1.32) for the kinds nodelet serves:
 * what the Node authorizer lets every node do is narrowed here to the node's own objects.
 * - Pods: a node creates only mirror pods (`kubernetes.io/config.mirror`) bound to itself, owned by nothing or by
 *   its own Node, using no ServiceAccount, Secret, ConfigMap or claim; it updates status of, deletes and evicts only
 *   pods bound to itself.
 * - Nodes: it creates and updates only its own Node, never changes its taints, and sets no label under
 *   node-restriction.kubernetes.io/ nor a kubernetes.io/k8s.io label the kubelet does not set itself.
 * - Leases in kube-node-lease: only the one named after it.
 * - PersistentVolumes and claims (nodelet's own rule: each node runs the local provisioner of its machine with its
 *   credentials, where upstream's runs under an account of its own): it creates, updates and deletes only volumes
 *   pinned to itself (node affinity `kubernetes.io/hostname In [NODE]`, as its provisioner makes them), changes a
 *   claim only by setting its selected-node annotation to itself or removing it while it names itself, and writes the status only of claims bound to its
 *   own volumes or used by its pods.
 * Each function returns upstream's reason (nodelet's for volumes), or undefined to admit; the caller words the 403
 * (`pods "x" is forbidden: REASON`). Users that are not nodes are never restricted.
 */
import type { Lease } from "../../api/lease.js";
import { podReferences } from "../../api/pod-references.js";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/types.js";
import { ANN_SELECTED_NODE } from "../../api/storage-annotations.js";
import { deepEqual } from "../../api/json.js";
import type { UserInfo } from "../user.js";
import { NODE_LEASE_NAMESPACE, nodeIdentity } from "./rules.js";

export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** The labels the kubelet sets on its own Node (kubeletapis.IsKubeletLabel). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "kubernetes.io/arch",
  "kubernetes.io/os",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "failure-domain.beta.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/os",
]);
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

/** The node a request comes from, or undefined when the user is not a node (unrestricted). */
export function requestingNode(user: UserInfo): string | undefined {
  return nodeIdentity(user)?.nodeName;
}

export function admitPodCreate(node: string, pod: Pod): string | undefined {
  const ann = pod.metadata.annotations ?? {};
  if (!(MIRROR_POD_ANNOTATION in ann)) return `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`;
  if (pod.spec.nodeName !== node) return `node "${node}" can only create pods with spec.nodeName set to itself`;
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1) return `node "${node}" can only create pods with a single owner reference set to itself`;
  if (owners.length === 1) {
    const o = owners[0];
    if (o.apiVersion !== "v1" || o.kind !== "Node" || o.name !== node) {
      return `node "${node}" can only create pods with an owner reference set to itself`;
    }
  }
  const refs = podReferences(pod);
  if (pod.spec.serviceAccountName) return `node "${node}" can not create pods that use service accounts`;
  if (refs.secrets.size) return `node "${node}" can not create pods that reference secrets`;
  if (refs.configMaps.size) return `node "${node}" can not create pods that reference configmaps`;
  if (refs.claims.size) return `node "${node}" can not create pods that reference persistentvolumeclaims`;
  return undefined;
}

/** An update of a pod (its status: the authorizer allows nodes nothing else). */
export function admitPodUpdate(node: string, old: Pod): string | undefined {
  return old.spec.nodeName === node ? undefined : `node "${node}" can only update pod status for pods with spec.nodeName set to itself`;
}

export function admitPodDelete(node: string, pod: Pod): string | undefined {
  return pod.spec.nodeName === node ? undefined : `node "${node}" can only delete pods with spec.nodeName set to itself`;
}

export function admitPodEviction(node: string, pod: Pod): string | undefined {
  return pod.spec.nodeName === node ? undefined : `node ${node} can only evict pods with spec.nodeName set to itself`;
}

function forbiddenLabels(labels: Record<string, string>, old: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (old && old[k] === v) continue;
    const slash = k.indexOf("/");
    if (slash < 0) continue;
    const ns = k.slice(0, slash);
    if (ns === "node-restriction.kubernetes.io" || ns.endsWith(".node-restriction.kubernetes.io")) {
      out.push(k);
      continue;
    }
    const k8s = ns === "kubernetes.io" || ns.endsWith(".kubernetes.io") || ns === "k8s.io" || ns.endsWith(".k8s.io");
    const kubelet = KUBELET_LABELS.has(k) || KUBELET_LABEL_NAMESPACES.some((n) => ns === n || ns.endsWith(`.${n}`));
    if (k8s && !kubelet) out.push(k);
  }
  return out.sort();
}

export function admitNodeCreate(node: string, obj: Node): string | undefined {
  const name = obj.metadata.name ?? "";
  if (name !== node) return `node "${node}" is not allowed to modify node "${name}"`;
  const bad = forbiddenLabels(obj.metadata.labels ?? {}, undefined);
  if (bad.length) return `node "${node}" is not allowed to set the following labels: ${bad.join(", ")}`;
  return undefined;
}

export function admitNodeUpdate(node: string, obj: Node, old: Node): string | undefined {
  const name = old.metadata.name ?? "";
  if (name !== node) return `node "${node}" is not allowed to modify node "${name}"`;
  if (!deepEqual(obj.spec?.taints ?? [], old.spec?.taints ?? [])) return `node "${node}" is not allowed to modify taints`;
  const bad = forbiddenLabels(obj.metadata.labels ?? {}, old.metadata.labels ?? {});
  if (bad.length) return `node "${node}" is not allowed to modify labels: ${bad.join(", ")}`;
  return undefined;
}

export function admitLease(node: string, lease: Lease | KubeObject): string | undefined {
  if (lease.metadata.namespace !== NODE_LEASE_NAMESPACE) return undefined;
  return lease.metadata.name === node ? undefined : "can only access node lease with the same name as the requesting node";
}

/** The node a volume is pinned to: exactly one term of exactly `kubernetes.io/hostname In [NODE]`. */
export function pinnedNode(pv: PersistentVolume): string | undefined {
  const terms = (pv.spec.nodeAffinity as { required?: { nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[]; matchFields?: unknown[] }[] } } | undefined)?.required?.nodeSelectorTerms;
  if (terms?.length !== 1 || terms[0].matchFields?.length) return undefined;
  const [e, ...more] = terms[0].matchExpressions ?? [];
  if (!e || more.length || e.key !== "kubernetes.io/hostname" || e.operator !== "In" || e.values?.length !== 1) return undefined;
  return e.values[0];
}

/** A create, update (both versions) or delete of a PersistentVolume. */
export function admitVolumeWrite(node: string, ...versions: PersistentVolume[]): string | undefined {
  if (versions.every((v) => pinnedNode(v) === node)) return undefined;
  return `node "${node}" can only create, update and delete persistentvolumes with node affinity to itself alone`;
}

/**
 * An update of a claim (not its status): only its selected-node annotation set to the node itself, or removed while it
 * names the node (the provisioner handing back a claim its disk cannot hold, for the scheduler to choose again).
 */
export function admitClaimUpdate(node: string, obj: PersistentVolumeClaim, old: PersistentVolumeClaim): string | undefined {
  const rest = (c: PersistentVolumeClaim) => {
    const { [ANN_SELECTED_NODE]: _selected, ...annotations } = c.metadata.annotations ?? {};
    const m = c.metadata;
    return [c.spec, m.labels ?? {}, annotations, m.finalizers ?? [], m.ownerReferences ?? []];
  };
  const selected = obj.metadata.annotations?.[ANN_SELECTED_NODE];
  const before = old.metadata.annotations?.[ANN_SELECTED_NODE];
  const taken = before === undefined && selected === node;
  const handedBack = before === node && selected === undefined;
  if (deepEqual(rest(obj), rest(old)) && (selected === before || taken || handedBack)) return undefined;
  return `node "${node}" can only set the ${ANN_SELECTED_NODE} annotation of a persistentvolumeclaim to itself, or remove it from one naming itself`;
}

/** A claim's status: one bound to a volume pinned to the node, or used by a pod bound to it (`podUses`, asked last). */
export function admitClaimStatus(node: string, volume: PersistentVolume | undefined, podUses: () => boolean): string | undefined {
  if ((volume && pinnedNode(volume) === node) || podUses()) return undefined;
  return `node "${node}" can only update the status of persistentvolumeclaims bound to its own persistentvolumes or used by its pods`;
}
