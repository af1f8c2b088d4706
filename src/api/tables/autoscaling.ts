/** HorizontalPodAutoscaler columns (printers.go printHorizontalPodAutoscaler): Name, Reference, Targets, MinPods, MaxPods, Replicas, Age. */
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from "../autoscaling-types.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from "./table.js";

const SHOWN = 2;

/** One metric as formatHPAMetrics writes it ("cpu: 42%/80%", "memory: <unknown>/100Mi", "<unknown>/10 (avg)"). */
function metricText(spec: MetricSpec, status: MetricStatus | undefined): string {
  const res = spec.type === "Resource" ? spec.resource : spec.type === "ContainerResource" ? spec.containerResource : undefined;
  if (res) {
    const cur = spec.type === "Resource" ? status?.resource?.current : status?.containerResource?.current;
    if (res.target?.averageValue !== undefined) return `${res.name}: ${cur?.averageValue ?? "<unknown>"}/${res.target.averageValue}`;
    const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : "<unknown>";
    const target = res.target?.averageUtilization !== undefined ? `${res.target.averageUtilization}%` : "<auto>";
    return `${res.name}: ${current}/${target}`;
  }
  const source = (spec.type === "Object" ? spec.object : spec.type === "Pods" ? spec.pods : spec.type === "External" ? spec.external : undefined) as { target?: { value?: string; averageValue?: string } } | undefined;
  if (!source) return "<unknown type>";
  const t = source.target ?? {};
  if (spec.type === "Pods") return `<unknown>/${t.averageValue ?? ""}`;
  return t.averageValue !== undefined ? `<unknown>/${t.averageValue} (avg)` : `<unknown>/${t.value ?? ""}`;
}

export function formatHpaMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs?.length) return "<none>";
  const list = specs.map((s, i) => metricText(s, statuses?.[i]));
  const shown = list.slice(0, SHOWN).join(", ");
  return list.length > SHOWN ? `${shown} + ${list.length - SHOWN} more...` : shown;
}

export const horizontalPodAutoscalerPrinter: Printer<HorizontalPodAutoscaler> = {
  columns: [
    NAME_COLUMN,
    column("Reference", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
    column("Targets", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used)."),
    column("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
    column("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.", { type: "integer" }),
    column("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.", { type: "integer" }),
    AGE_COLUMN,
  ],
  cells: (h, now) => [
    h.metadata.name ?? "",
    `${h.spec?.scaleTargetRef?.kind ?? ""}/${h.spec?.scaleTargetRef?.name ?? ""}`,
    formatHpaMetrics(h.spec?.metrics, h.status?.currentMetrics),
    h.spec?.minReplicas !== undefined ? String(h.spec.minReplicas) : "<unset>",
    h.spec?.maxReplicas ?? 0,
    h.status?.currentReplicas ?? 0,
    formatAge(h.metadata.creationTimestamp, now),
  ],
};
