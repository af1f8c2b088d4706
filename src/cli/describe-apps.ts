/**
 * `describe` for Deployments and ReplicaSets, laid out as kubectl's DeploymentDescriber and ReplicaSetDescriber:
 * replica counts, strategy, the pod template, conditions, and (Deployment) its old and new ReplicaSets, found as
 * kubectl finds them: the sets it controls, the new one being the set of the Deployment's current revision, the
 * old ones those others that still have replicas. Events are appended by describe.ts.
 */
import type { AppsCondition, Deployment, ReplicaSet } from "../api/apps-types.js";
import type { KubeList } from "../api/types.js";
import type { ApiClient } from "../client/index.js";
import { describeTime, type Section } from "./describe-section.js";
import { withoutLastApplied } from "./describe-pod.js";
import { podsStatus, podTemplate, selectorText } from "./describe-workloads.js";

const REVISION = "deployment.kubernetes.io/revision";

/** printReplicaSetsByLabels: `NAME (CURRENT/DESIRED replicas created)`, comma-separated, or <none>. */
function setsText(sets: ReplicaSet[]): string {
  return sets.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec.replicas ?? 1} replicas created)`).join(", ") || "<none>";
}

function conditions(s: Section, list: AppsCondition[] | undefined): void {
  if (!list?.length) return;
  s.raw("Conditions:");
  s.table(1, [["Type", "Status", "Reason"], ["----", "------", "------"], ...list.map((c) => [c.type, c.status, c.reason ?? ""])]);
}

export async function describeDeployment(s: Section, d: Deployment, client: ApiClient): Promise<void> {
  const md = d.metadata;
  const st = d.status;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.line(0, "CreationTimestamp", describeTime(md.creationTimestamp));
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "Selector", selectorText(d.spec.selector));
  s.line(0, "Replicas", `${d.spec.replicas ?? 1} desired | ${st?.updatedReplicas ?? 0} updated | ${st?.replicas ?? 0} total | ${st?.availableReplicas ?? 0} available | ${st?.unavailableReplicas ?? 0} unavailable`);
  const strategy = d.spec.strategy;
  s.line(0, "StrategyType", strategy?.type ?? "RollingUpdate");
  s.line(0, "MinReadySeconds", d.spec.minReadySeconds ?? 0);
  if (strategy?.rollingUpdate) s.line(0, "RollingUpdateStrategy", `${strategy.rollingUpdate.maxUnavailable ?? "25%"} max unavailable, ${strategy.rollingUpdate.maxSurge ?? "25%"} max surge`);
  podTemplate(s, d.spec.template);
  conditions(s, st?.conditions);
  const list = await client.request<KubeList<ReplicaSet>>("GET", `/apis/apps/v1/namespaces/${md.namespace}/replicasets`, { query: { labelSelector: selectorText(d.spec.selector) } });
  const owned = list.items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === md.uid));
  const revision = md.annotations?.[REVISION];
  const current = owned.find((rs) => revision !== undefined && rs.metadata.annotations?.[REVISION] === revision);
  const old = owned.filter((rs) => rs !== current && (rs.spec.replicas ?? 1) !== 0);
  if (!owned.length) return;
  s.line(0, "OldReplicaSets", setsText(old));
  s.line(0, "NewReplicaSet", current ? setsText([current]) : "<none>");
}

export async function describeReplicaSet(s: Section, rs: ReplicaSet, client: ApiClient): Promise<void> {
  const md = rs.metadata;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.line(0, "Selector", selectorText(rs.spec.selector));
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  const owner = md.ownerReferences?.find((r) => r.controller);
  if (owner) s.line(0, "Controlled By", `${owner.kind}/${owner.name}`);
  s.line(0, "Replicas", `${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired`);
  s.line(0, "Pods Status", await podsStatus(client, md.namespace, md.uid, rs.spec.selector));
  podTemplate(s, rs.spec.template);
  conditions(s, rs.status?.conditions);
}
