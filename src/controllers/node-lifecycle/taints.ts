/**
 * The taints the node lifecycle controller owns, pure:
 * - NoExecute `node.kubernetes.io/not-ready` (Ready False) and `node.kubernetes.io/unreachable` (Ready Unknown),
 *   which the taint eviction controller acts on (taint-based evictions);
 * - NoSchedule taints by condition (TaintNodesByCondition): not-ready, unreachable, memory-pressure, disk-pressure,
 *   pid-pressure, network-unavailable, and `node.kubernetes.io/unschedulable` for a cordoned node.
 * Taints are matched by key and effect (MatchTaint); an added taint gets timeAdded (SwapNodeControllerTaint).
 */
import { NOT_READY_TAINT, UNREACHABLE_TAINT } from "../../api/pod-defaults.js";
import { UNSCHEDULABLE_TAINT } from "../../api/scheduling.js";
import type { Node, Taint } from "../../api/types.js";

export const NOT_READY_NO_EXECUTE: Taint = { key: NOT_READY_TAINT, effect: "NoExecute" };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: UNREACHABLE_TAINT, effect: "NoExecute" };

/** nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: NOT_READY_TAINT, Unknown: UNREACHABLE_TAINT },
  MemoryPressure: { True: "node.kubernetes.io/memory-pressure" },
  DiskPressure: { True: "node.kubernetes.io/disk-pressure" },
  NetworkUnavailable: { True: "node.kubernetes.io/network-unavailable" },
  PIDPressure: { True: "node.kubernetes.io/pid-pressure" },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export const taintsOf = (node: Node): Taint[] => (node.spec?.taints ?? []) as Taint[];
const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
export const hasTaint = (node: Node, t: Taint): boolean => taintsOf(node).some((x) => same(x, t));

/** The node's taints with `add` added (timeAdded `nowIso`; one already there is kept) and `remove` removed; undefined when nothing changes. */
export function swapTaints(node: Node, add: Taint[], remove: Taint[], nowIso: string): Taint[] | undefined {
  const current = taintsOf(node);
  const kept = current.filter((t) => !remove.some((r) => same(r, t)));
  const added = add.filter((a) => !kept.some((t) => same(t, a))).map((a) => ({ ...a, timeAdded: nowIso }));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}

/** The pressure taints nodelet's kubelet sets on its own Node while it posts status (kubelet/node-status.ts taintsOf). */
const KUBELET_PRESSURE_TAINTS = new Set(["node.kubernetes.io/memory-pressure", "node.kubernetes.io/disk-pressure", "node.kubernetes.io/pid-pressure"]);

/**
 * The NoSchedule taints the node's conditions and cordon ask for, and the ones it has of those kinds to drop. While
 * the node is Ready its kubelet owns the pressure taints (it writes them with its conditions, taints first): the
 * controller taking part too would re-add a taint the kubelet just removed, in the moment before its condition
 * follows. Once the kubelet is silent (Ready not True) the controller manages them as upstream does.
 */
export function noScheduleTaintDiff(node: Node): { add: Taint[]; remove: Taint[] } {
  const kubeletPosting = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  const managed = (key: string): boolean => key === UNSCHEDULABLE_TAINT || (CONDITION_TAINT_KEYS.has(key) && !(kubeletPosting && KUBELET_PRESSURE_TAINTS.has(key)));
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key && managed(key)) want.push({ key, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable) want.push({ key: UNSCHEDULABLE_TAINT, effect: "NoSchedule" });
  const have = taintsOf(node).filter((t) => t.effect === "NoSchedule" && managed(t.key));
  return { add: want.filter((w) => !have.some((h) => same(h, w))), remove: have.filter((h) => !want.some((w) => same(h, w))) };
}

/** The NoExecute taint a Ready status asks for (none for True), and the one it replaces. */
export function noExecuteFor(readyStatus: string): { add?: Taint; remove: Taint[] } {
  if (readyStatus === "False") return { add: NOT_READY_NO_EXECUTE, remove: [UNREACHABLE_NO_EXECUTE] };
  if (readyStatus === "Unknown") return { add: UNREACHABLE_NO_EXECUTE, remove: [NOT_READY_NO_EXECUTE] };
  return { remove: [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE] };
}
