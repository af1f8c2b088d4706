/**
 * NodeRestriction admission (plugin/pkg/admission/noderestriction, Kubernetes 1.32) for the kinds nodelet serves:
 * what the Node authorizer lets every node do is narrowed here to the node's own objects.
 * - Pods: a node creates only mirror pods (`kubernetes.io/config.mirror`) bound to itself, owned by nothing or by
 *   its own Node, using no ServiceAccount, Secret, ConfigMap or claim; it updates status of, deletes and evicts only
 *   pods bound to itself.
 * - Nodes: it creates and updates only its own Node, never changes its taints, and sets no label under
 *   node-restriction.kubernetes.io/ nor a kubernetes.io/k8s.io label the kubelet does not set itself.
 * - Leases in kube-node-lease: only the one named after it.
 * Each function returns upstream's reason, or undefined to admit; the caller words the 403 (`pods "x" is forbidden:
 * REASON`). Users that are not nodes are never restricted.
 */
import type { Lease } from "../../api/lease.js";
import { podReferences } from "../../api/pod-references.js";
import type { KubeObject, Node, Pod } from "../../api/types.js";
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
