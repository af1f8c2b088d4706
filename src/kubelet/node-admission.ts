/**
 * Node admission (pkg/kubelet/lifecycle/predicate.go and the scheduler's noderesources fit it reuses): a pod runs
 * only if its requests fit what the node's allocatable leaves after the pods already admitted, and the pod count
 * stays under maxPods. The kubelet rejects a pod that does not fit for good (phase Failed, reason OutOfcpu); the
 * issue asks nodelet to keep it Pending with that reason, so here it is re-checked at each sync and admitted once
 * it fits (as if a scheduler were waiting on it).
 */
import { fitErrorMessage, PLACEMENT_FILTERS, runFilters } from "../api/scheduling.js";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../api/types.js";
import { CONDITION_TAINT } from "./eviction.js";
import { isStaticPod } from "./pod-objects.js";
import { addRequests as add, podRequests, ZERO_REQUESTS } from "../api/pod-requests.js";
import { readWriteOncePodConflict } from "./volume-restrictions.js";
import { volumeNodeConflict } from "./volume-binding.js";

export interface Allocatable {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

export interface Rejection {
  reason: string;
  message: string;
  /** The kubelet's rejection for good (phase Failed): the pod never runs here. Otherwise it waits (Pending). */
  final?: boolean;
  /**
   * The scheduler's refusal (reason FailedScheduling): the pod waits unscheduled (PodScheduled False, reason
   * Unschedulable, the message), with the event from default-scheduler.
   */
  unschedulable?: boolean;
}

export { podRequests };

/** Whether `pod` fits next to `admitted` (the active pods already admitted); the first resource short says why. */
export function checkFit(pod: Pod, admitted: Pod[], alloc: Allocatable): Rejection | undefined {
  if (admitted.length + 1 > alloc.pods) return shortOf("pods", 1, admitted.length, alloc.pods);
  const want = podRequests(pod);
  const used = admitted.map(podRequests).reduce(add, ZERO_REQUESTS);
  if (want.cpuMilli > 0 && used.cpuMilli + want.cpuMilli > alloc.cpuMilli) return shortOf("cpu", want.cpuMilli, used.cpuMilli, alloc.cpuMilli);
  if (want.memoryBytes > 0 && used.memoryBytes + want.memoryBytes > alloc.memoryBytes) {
    return shortOf("memory", want.memoryBytes, used.memoryBytes, alloc.memoryBytes);
  }
  return undefined;
}

function shortOf(resource: string, requested: number, used: number, capacity: number): Rejection {
  return { reason: `OutOf${resource}`, message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
}

const isTerminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

const PRESSURE_TAINTS = new Set(Object.values(CONDITION_TAINT));

/**
 * The node as the placement filters see it: without the pressure taints this node puts on itself, because pressure
 * is the eviction manager's admission to judge (a Burstable pod is admitted under memory pressure, as the kubelet
 * admits a pod bound to it), not a reason to leave the pod unscheduled.
 */
function withoutPressureTaints(node: Node): Node {
  const taints = ((node.spec?.taints ?? []) as { key: string }[]).filter((t) => !PRESSURE_TAINTS.has(t.key));
  return { ...node, spec: { ...node.spec, taints } };
}

/** Remembers which pods were admitted; a pod that already has a sandbox was admitted by an earlier run. */
export class NodeAdmission {
  private readonly admitted = new Set<string>();

  constructor(
    private readonly allocatable: () => Allocatable,
    private readonly activePods: () => Pod[],
    private readonly hasSandbox: (uid: string) => boolean,
    /** The eviction manager's admission under node pressure (a refusal there is final, as the kubelet's). */
    private readonly pressure: (pod: Pod) => { reason: string; message: string } | undefined = () => undefined,
    /**
     * A ReadWriteOncePod claim (looked up by namespace and name) that another pod of the node uses keeps the pod
     * unscheduled; `pods` are all the node's pods, terminating ones too (they hold their volumes until they end).
     */
    private readonly claims: {
      claim: (namespace: string, name: string) => PersistentVolumeClaim | undefined;
      pods: () => Pod[];
      /** The PersistentVolume a claim is bound to: one whose node affinity excludes this node keeps the pod unscheduled. */
      volume?: (name: string) => PersistentVolume | undefined;
    } = {
      claim: () => undefined,
      pods: () => [],
    },
    /**
     * This node's Node object: a pod (not a static one, which the kubelet runs without a scheduler) that it is
     * cordoned against, whose taints it does not tolerate or whose nodeSelector/required affinity it does not match
     * stays unscheduled, as the scheduler leaves it (FailedScheduling). Retried at each sync.
     */
    private readonly node: () => Node | undefined = () => undefined,
  ) {}

  admit(pod: Pod): Rejection | undefined {
    const uid = pod.metadata.uid!;
    if (this.admitted.has(uid) || this.hasSandbox(uid)) {
      this.admitted.add(uid);
      return undefined;
    }
    // Refused for good earlier (or failed before it ever ran): it stays as it is.
    if (pod.status?.phase === "Failed") return { reason: pod.status.reason ?? "", message: pod.status.message ?? "", final: true };
    const refused = this.pressure(pod);
    if (refused) return { ...refused, final: true };
    const running = (p: Pod) => {
      const id = p.metadata.uid!;
      return id !== uid && !isTerminal(p) && (this.admitted.has(id) || this.hasSandbox(id));
    };
    const node = this.node();
    const placement = node && !isStaticPod(pod) ? runFilters(PLACEMENT_FILTERS, pod, { node: withoutPressureTaints(node), pods: [] }) : undefined;
    if (placement) return { reason: "FailedScheduling", message: fitErrorMessage([placement]), unschedulable: true };
    const volume = this.claims.volume;
    const elsewhere = node && volume && !isStaticPod(pod) ? volumeNodeConflict(pod, node, { claim: this.claims.claim, volume }) : undefined;
    if (elsewhere) return { reason: "FailedScheduling", message: elsewhere, unschedulable: true };
    const conflict = readWriteOncePodConflict(pod, this.claims.pods().filter(running), this.claims.claim);
    if (conflict) return { reason: "FailedScheduling", message: conflict, unschedulable: true };
    const rejection = checkFit(pod, this.activePods().filter(running), this.allocatable());
    if (!rejection) this.admitted.add(uid);
    return rejection;
  }

  forget(uid: string): void {
    this.admitted.delete(uid);
  }
}
