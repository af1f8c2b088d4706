/**
 * Which changes to a Node may let an unschedulable pod fit, so the queue moves its unschedulable pods back only
 * then (kube-scheduler's nodeSchedulingPropertiesChange, pkg/scheduler/eventhandlers.go): the node became
 * schedulable, or its allocatable, labels, taints, annotations or conditions (type and status) changed. A kubelet's
 * heartbeat — lastHeartbeatTime moving every 10 s on every node — changes none of them: with a hundred nodes it
 * would otherwise retry every unschedulable pod ten times a second. Pure.
 */
import type { Node } from "../api/types.js";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Labels and annotations compared as sets of keys and values (order does not matter). */
const sorted = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const conditionStatuses = (n: Node): string[] => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();

/** The cluster event names upstream gives these changes; empty when the update cannot help any pod. */
export function nodeSchedulingPropertiesChange(newNode: Node, oldNode: Node): string[] {
  const events: string[] = [];
  if (!!newNode.spec?.unschedulable !== !!oldNode.spec?.unschedulable && !newNode.spec?.unschedulable) events.push("NodeSpecUnschedulableChange");
  if (!same(sorted(newNode.status?.allocatable), sorted(oldNode.status?.allocatable))) events.push("NodeAllocatableChange");
  if (!same(sorted(newNode.metadata.labels), sorted(oldNode.metadata.labels))) events.push("NodeLabelChange");
  if (!same(newNode.spec?.taints, oldNode.spec?.taints)) events.push("NodeTaintChange");
  if (!same(conditionStatuses(newNode), conditionStatuses(oldNode))) events.push("NodeConditionChange");
  if (!same(sorted(newNode.metadata.annotations), sorted(oldNode.metadata.annotations))) events.push("NodeAnnotationChange");
  return events;
}
