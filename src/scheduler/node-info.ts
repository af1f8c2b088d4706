/**
 * One node as a scheduling cycle sees it (framework.NodeInfo): the Node, the pods bound to it that have not finished,
 * what they request and what the node offers. Pure.
 */
import { addRequests, nonZeroPodRequests, podRequests, ZERO_REQUESTS } from "../api/pod-requests.js";
import { cpuMilli, memoryBytes, quantityValue, parseQuantity } from "../api/quantity.js";
import type { Node, Pod } from "../api/types.js";
import type { NodeInfo } from "./types.js";

function quantity<T>(read: (q: string) => T | undefined, q: string | undefined): T | undefined {
  try {
    return q === undefined ? undefined : read(q);
  } catch {
    return undefined;
  }
}

/** What the node can allocate (status.allocatable, else capacity); a node that reports nothing offers nothing. */
export function allocatableOf(node: Node): NodeInfo["allocatable"] {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpuMilli: quantity(cpuMilli, a.cpu) ?? 0,
    memoryBytes: quantity(memoryBytes, a.memory) ?? 0,
    pods: quantity((q) => quantityValue(parseQuantity(q)), a.pods) ?? 0,
  };
}

/** framework.NewNodeInfo: the node with `pods`, their summed requests, and those of them with pod (anti-)affinity. */
export function nodeInfoOf(node: Node, pods: Pod[]): NodeInfo {
  let requested = ZERO_REQUESTS;
  let nonZeroRequested = ZERO_REQUESTS;
  const podsWithAffinity: Pod[] = [];
  const podsWithRequiredAntiAffinity: Pod[] = [];
  for (const p of pods) {
    requested = addRequests(requested, podRequests(p));
    nonZeroRequested = addRequests(nonZeroRequested, nonZeroPodRequests(p));
    const a = p.spec.affinity;
    if (a?.podAffinity || a?.podAntiAffinity) podsWithAffinity.push(p);
    if (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) podsWithRequiredAntiAffinity.push(p);
  }
  return { node, pods, allocatable: allocatableOf(node), requested, nonZeroRequested, podsWithAffinity, podsWithRequiredAntiAffinity };
}

/** A pod that holds its node's resources: bound and not finished (the cache drops terminal pods). */
export const holdsNode = (p: Pod): boolean => !!p.spec.nodeName && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

/** A pod that holds room on the node a preemption nominated it to: not bound yet, not deleting. */
export const isNominated = (p: Pod): boolean => !p.spec.nodeName && !!p.status?.nominatedNodeName && !p.metadata.deletionTimestamp;
