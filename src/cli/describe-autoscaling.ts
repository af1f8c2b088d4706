/**
 * `describe` for HorizontalPodAutoscalers, in kubectl's layout (describe.go describeHorizontalPodAutoscalerV2):
 * reference, each metric's current / target, replica bounds, behavior, pods, conditions; the Events follow.
 */
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from "../api/autoscaling-types.js";
import { withoutLastApplied } from "./describe-pod.js";
import { describeTime, type Section } from "./describe-section.js";

/** One metric's line: "resource cpu on pods  (as a percentage of request)" → "50% (25m) / 80%". */
function metricLine(spec: MetricSpec, status: MetricStatus | undefined): [string, string] {
  const res = spec.type === "Resource" ? spec.resource : spec.type === "ContainerResource" ? spec.containerResource : undefined;
  if (!res) return [`"${spec.type}" metric`, "<unknown> (needs a custom or external metrics API)"];
  const where = spec.type === "ContainerResource" ? `resource ${res.name} of container "${spec.containerResource?.container ?? ""}" on pods` : `resource ${res.name} on pods`;
  const cur = spec.type === "Resource" ? status?.resource?.current : status?.containerResource?.current;
  if (res.target?.averageValue !== undefined) return [where, `${cur?.averageValue ?? "<unknown>"} / ${res.target.averageValue}`];
  const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}% (${cur.averageValue ?? ""})` : "<unknown>";
  const target = res.target?.averageUtilization !== undefined ? `${res.target.averageUtilization}%` : "<auto>";
  return [`${where}  (as a percentage of request)`, `${current} / ${target}`];
}

function direction(s: Section, name: string, rules: HPAScalingRules | undefined): void {
  if (!rules) return;
  s.line(1, name, "");
  s.line(2, "Stabilization Window", `${rules.stabilizationWindowSeconds ?? 300} seconds`);
  s.line(2, "Select Policy", rules.selectPolicy ?? "");
  s.line(2, "Policies", "");
  for (const p of rules.policies ?? []) s.raw(`      - Type: ${p.type}  Value: ${p.value}  Period: ${p.periodSeconds} seconds`);
}

export function describeHorizontalPodAutoscaler(s: Section, hpa: HorizontalPodAutoscaler): void {
  const md = hpa.metadata;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "CreationTimestamp", describeTime(md.creationTimestamp));
  s.line(0, "Reference", `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`);
  s.line(0, "Metrics", "( current / target )");
  (hpa.spec.metrics ?? []).forEach((m, i) => {
    const [key, value] = metricLine(m, hpa.status?.currentMetrics?.[i]);
    s.line(1, key, value);
  });
  s.line(0, "Min replicas", hpa.spec.minReplicas ?? "<unset>");
  s.line(0, "Max replicas", hpa.spec.maxReplicas);
  if (hpa.spec.behavior) {
    s.line(0, "Behavior", "");
    direction(s, "Scale Up", hpa.spec.behavior.scaleUp);
    direction(s, "Scale Down", hpa.spec.behavior.scaleDown);
  }
  s.line(0, `${hpa.spec.scaleTargetRef.kind} pods`, `${hpa.status?.currentReplicas ?? 0} current / ${hpa.status?.desiredReplicas ?? 0} desired`);
  const conditions = hpa.status?.conditions ?? [];
  if (conditions.length) {
    s.raw("Conditions:");
    s.table(1, [["Type", "Status", "Reason", "Message"], ["----", "------", "------", "-------"], ...conditions.map((c) => [c.type, c.status, c.reason ?? "", c.message ?? ""])]);
  }
}
