/**
 * `describe` for StatefulSets and DaemonSets, laid out as kubectl's StatefulSetDescriber and DaemonSetDescriber:
 * the set's fields, the status of the pods its selector matches, the pod template and (StatefulSet) the claim
 * templates. Events are appended by describe.ts.
 */
import type { DaemonSet, PodTemplateSpec, StatefulSet } from "../api/apps-types.js";
import { labelSelectorToString } from "../api/labels.js";
import type { KubeList, LabelSelector, Pod } from "../api/types.js";
import type { ApiClient } from "../client/index.js";
import { describeTime, Section } from "./describe-section.js";
import { withoutLastApplied } from "./describe-pod.js";

export function selectorText(sel: LabelSelector | undefined): string {
  try {
    return sel ? labelSelectorToString(sel) || "<none>" : "<none>";
  } catch {
    return "<invalid>";
  }
}

/** `N Running / N Waiting / N Succeeded / N Failed` over the pods the set controls. */
export async function podsStatus(client: ApiClient, namespace: string | undefined, uid: string | undefined, sel: LabelSelector | undefined): Promise<string> {
  const list = await client.request<KubeList<Pod>>("GET", `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector: selectorText(sel) } });
  const owned = list.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid));
  const n = (phase: string) => owned.filter((p) => (p.status?.phase ?? "Pending") === phase).length;
  return `${n("Running")} Running / ${n("Pending")} Waiting / ${n("Succeeded")} Succeeded / ${n("Failed")} Failed`;
}

/** DescribePodTemplate: labels, annotations, containers with image, ports, env and mounts, volumes. */
export function podTemplate(s: Section, t: PodTemplateSpec | undefined): void {
  s.raw("Pod Template:");
  s.map(1, "Labels", t?.metadata?.labels);
  if (t?.metadata?.annotations) s.map(1, "Annotations", t.metadata.annotations);
  const spec = t?.spec;
  if (spec?.serviceAccountName) s.line(1, "Service Account", spec.serviceAccountName);
  s.line(1, "Containers", "");
  for (const c of spec?.containers ?? []) {
    s.raw(`   ${c.name}:`);
    s.line(2, "Image", c.image ?? "");
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}`);
    s.line(2, "Port", ports.join(", ") || "<none>");
    if (c.command?.length) s.line(2, "Command", c.command.join(" "));
    if (c.args?.length) s.line(2, "Args", c.args.join(" "));
    const env = (c.env ?? []).map((e) => `${e.name}:  ${e.value ?? "<set from a reference>"}`);
    if (!env.length) s.line(2, "Environment", "<none>");
    env.forEach((e, i) => s.line(2, i === 0 ? "Environment" : "", e));
    const mounts = (c.volumeMounts ?? []).map((m) => `${m.mountPath} from ${m.name} (${m.readOnly ? "ro" : "rw"})`);
    if (!mounts.length) s.line(2, "Mounts", "<none>");
    mounts.forEach((m, i) => s.line(2, i === 0 ? "Mounts" : "", m));
  }
  const volumes = (spec?.volumes ?? []).map((v) => v.name);
  s.line(1, "Volumes", volumes.join(", ") || "<none>");
  s.map(1, "Node-Selectors", spec?.nodeSelector);
  const tolerations = (spec?.tolerations ?? []).map((t) => `${t.key ?? ""}${t.operator === "Exists" ? "" : `=${t.value ?? ""}`}${t.effect ? `:${t.effect}` : ""}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ""}`);
  if (!tolerations.length) s.line(1, "Tolerations", "<none>");
  tolerations.forEach((t, i) => s.line(1, i === 0 ? "Tolerations" : "", t));
}

export async function describeStatefulSet(s: Section, obj: StatefulSet, client: ApiClient): Promise<void> {
  const md = obj.metadata;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.line(0, "CreationTimestamp", describeTime(md.creationTimestamp));
  s.line(0, "Selector", selectorText(obj.spec.selector));
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "Replicas", `${obj.spec.replicas ?? 1} desired | ${obj.status?.replicas ?? 0} total`);
  s.line(0, "Update Strategy", obj.spec.updateStrategy?.type ?? "RollingUpdate");
  if (obj.spec.updateStrategy?.rollingUpdate?.partition !== undefined) s.line(1, "Partition", obj.spec.updateStrategy.rollingUpdate.partition);
  s.line(0, "Pods Status", await podsStatus(client, md.namespace, md.uid, obj.spec.selector));
  podTemplate(s, obj.spec.template);
  const claims = obj.spec.volumeClaimTemplates ?? [];
  if (!claims.length) s.line(0, "Volume Claims", "<none>");
  else s.raw("Volume Claims:");
  for (const c of claims) {
    s.line(1, "Name", c.metadata.name);
    s.line(1, "StorageClass", c.spec.storageClassName ?? "");
    s.map(1, "Labels", c.metadata.labels);
    s.map(1, "Annotations", c.metadata.annotations);
    s.line(1, "Capacity", c.spec.resources?.requests?.["storage"] ?? "");
    s.line(1, "Access Modes", `[${(c.spec.accessModes ?? []).join(" ")}]`);
  }
}

export async function describeDaemonSet(s: Section, obj: DaemonSet, client: ApiClient): Promise<void> {
  const md = obj.metadata;
  const st = obj.status;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.line(0, "Selector", selectorText(obj.spec.selector));
  const ns = Object.entries(obj.spec.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`);
  s.line(0, "Node-Selector", ns.join(",") || "<none>");
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "Desired Number of Nodes Scheduled", st?.desiredNumberScheduled ?? 0);
  s.line(0, "Current Number of Nodes Scheduled", st?.currentNumberScheduled ?? 0);
  s.line(0, "Number of Nodes Scheduled with Up-to-date Pods", st?.updatedNumberScheduled ?? 0);
  s.line(0, "Number of Nodes Scheduled with Available Pods", st?.numberAvailable ?? 0);
  s.line(0, "Number of Nodes Misscheduled", st?.numberMisscheduled ?? 0);
  s.line(0, "Pods Status", await podsStatus(client, md.namespace, md.uid, obj.spec.selector));
  podTemplate(s, obj.spec.template);
}
