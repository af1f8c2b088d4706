/** Pod columns as kubectl 1.32 prints them (printers.go podColumnDefinitions / printPod). */
import type { Pod } from "../types.js";
import { formatAge, summarizePod } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer, type TableRowCondition } from "./table.js";

export const podPrinter: Printer<Pod> = {
  columns: [
    NAME_COLUMN,
    column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE_COLUMN,
    column("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", { priority: 1 }),
    column("Node", "NodeName indicates in which node this pod is scheduled.", { priority: 1 }),
    column("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node.", { priority: 1 }),
    column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", { priority: 1 }),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
    const nominated = pod.status?.nominatedNodeName || "<none>";
    return [pod.metadata.name ?? "", s.ready, s.status, s.restarts, formatAge(pod.metadata.creationTimestamp, now), ip, pod.spec.nodeName || "<none>", nominated, readinessGates(pod)];
  },
  conditions(pod): TableRowCondition[] | undefined {
    // Upstream marks finished pods so clients may hide them (podSuccessConditions / podFailedConditions).
    if (pod.status?.phase === "Succeeded") {
      return [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }];
    }
    if (pod.status?.phase === "Failed") return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
    return undefined;
  },
};

function readinessGates(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const ok = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === "True").length;
  return `${ok}/${gates.length}`;
}
