/**
 * `nodelet describe TYPE NAME`: kubectl's human-readable description — for pods the spec summary, each container's
 * state, last state, restarts, limits, probes and mounts, the conditions, volumes, and the Events at the end; for
 * other kinds their main fields and events.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "../api/apps-types.js";
import type { ResourceInfo } from "../api/resources.js";
import type { Event, KubeList, KubeObject, Pod, PodMetrics } from "../api/types.js";
import { resourcePath } from "../client/index.js";
import { GLOBAL_FLAGS, parseArgs, UsageError, type FlagSpec } from "./args.js";
import { makeContext, report, targets, type CliContext } from "./context.js";
import { describeDeployment, describeReplicaSet } from "./describe-apps.js";
import { describeCronJob, describeJob } from "./describe-batch.js";
import { describeHorizontalPodAutoscaler } from "./describe-autoscaling.js";
import type { HorizontalPodAutoscaler } from "../api/autoscaling-types.js";
import { describeNode, describeService, describeGeneric } from "./describe-kinds.js";
import { describePod } from "./describe-pod.js";
import { describeDaemonSet, describeStatefulSet } from "./describe-workloads.js";
import { Section } from "./describe-section.js";
import { formatAge } from "../api/tables/format.js";

export const FLAGS: FlagSpec[] = [...GLOBAL_FLAGS, { name: "selector", short: "l", value: true }];

export async function main(argv: string[]): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    const p = parseArgs(argv, FLAGS);
    ctx = makeContext(p);
    // One kind, or the kinds of a category (`describe all`), each object described in turn.
    const found: { info: ResourceInfo; obj: KubeObject }[] = [];
    for (const { info, names } of targets(p.positional)) {
      const ns = info.namespaced ? ctx.namespace : undefined;
      let objects: KubeObject[];
      if (names.length) objects = await Promise.all(names.map((n) => ctx!.client.request<KubeObject>("GET", resourcePath(info, ns, n))));
      else objects = (await ctx.client.request<KubeList>("GET", resourcePath(info, ns))).items;
      for (const obj of objects) found.push({ info, obj });
    }
    if (!found.length) throw new UsageError(`No resources found in ${ctx.namespace} namespace.`);
    const texts: string[] = [];
    for (const { info, obj } of found) {
      const s = new Section();
      if (info.kind === "Pod") describePod(s, obj as Pod, await podMetrics(ctx, obj as Pod));
      else if (info.kind === "Service") await describeService(s, obj, ctx.client);
      else if (info.kind === "Node") await describeNode(s, obj, ctx.client);
      else if (info.kind === "Deployment") await describeDeployment(s, obj as Deployment, ctx.client);
      else if (info.kind === "ReplicaSet") await describeReplicaSet(s, obj as ReplicaSet, ctx.client);
      else if (info.kind === "StatefulSet") await describeStatefulSet(s, obj as StatefulSet, ctx.client);
      else if (info.kind === "DaemonSet") await describeDaemonSet(s, obj as DaemonSet, ctx.client);
      else if (info.kind === "Job") describeJob(s, obj);
      else if (info.kind === "CronJob") describeCronJob(s, obj);
      else if (info.kind === "HorizontalPodAutoscaler") describeHorizontalPodAutoscaler(s, obj as HorizontalPodAutoscaler);
      else describeGeneric(s, obj);
      await appendEvents(s, ctx, obj);
      texts.push(s.text());
    }
    ctx.out.write(texts.join("\n\n"));
    return 0;
  } catch (err) {
    return report(err, ctx?.err);
  } finally {
    ctx?.client.close();
  }
}

/** The pod's usage as `top` shows it; none for a pod that is not running (the metrics API answers 404). */
async function podMetrics(ctx: CliContext, pod: Pod): Promise<PodMetrics | undefined> {
  if (pod.status?.phase !== "Running") return undefined;
  const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
  return ctx.client.request<PodMetrics>("GET", path).catch(() => undefined);
}

async function appendEvents(s: Section, ctx: CliContext, obj: KubeObject): Promise<void> {
  const md = obj.metadata;
  const selector = [`involvedObject.name=${md.name}`, md.namespace ? `involvedObject.namespace=${md.namespace}` : "", `involvedObject.uid=${md.uid}`].filter(Boolean).join(",");
  const path = md.namespace ? `/api/v1/namespaces/${md.namespace}/events` : "/api/v1/events";
  const events = (await ctx.client.request<KubeList<Event>>("GET", path, { query: { fieldSelector: selector } })).items;
  if (!events.length) {
    s.line(0, "Events", "<none>");
    return;
  }
  // Second-precision timestamps tie often: the store's resourceVersion keeps the order they were made in.
  events.sort((a, b) => Date.parse(a.firstTimestamp ?? "") - Date.parse(b.firstTimestamp ?? "") || Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  s.raw("Events:");
  s.table(1, [
    ["Type", "Reason", "Age", "From", "Message"],
    ["----", "------", "----", "----", "-------"],
    ...events.map((e) => [e.type ?? "", e.reason ?? "", eventAge(e), e.source?.component ?? "", e.message ?? ""]),
  ]);
}

/** "10s", or "2m (x5 over 10m)" for a repeated event, as kubectl prints it. */
function eventAge(e: Event): string {
  const last = formatAge(e.lastTimestamp);
  if ((e.count ?? 1) > 1) return `${last} (x${e.count} over ${formatAge(e.firstTimestamp)})`;
  return last;
}
