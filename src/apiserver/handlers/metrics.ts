/**
 * metrics.k8s.io/v1beta1, the Metrics API that `kubectl top` reads: PodMetrics from PodIO (cgroup accounting) and
 * NodeMetrics — for this node in the all-in-one daemon, for every Node through its kubelet's summary in the control
 * plane (as metrics-server scrapes each kubelet). Pods that are not running, nodes whose kubelet cannot be reached,
 * and whatever cannot be read are left out of lists, as metrics-server does.
 */
import { ApiError } from "../../api/errors.js";
import { tryParseQuantity } from "../../api/quantity.js";
import type { Node, NodeMetrics, Pod, PodMetrics } from "../../api/types.js";
import type { NodeUsage, ServerContext } from "../context.js";
import { sendJson } from "../http.js";
import { rfc3339 } from "../../store/metadata.js";
import type { Call } from "./common.js";

const API_VERSION = "metrics.k8s.io/v1beta1";

export async function podMetrics(call: Call): Promise<void> {
  const { ctx, route, query } = call;
  if (route.name !== undefined) {
    const pod = ctx.store.get<Pod>("Pod", route.namespace ?? "", route.name);
    const m = pod ? await metricsOf(ctx, pod) : undefined;
    if (!m) throw ApiError.notFound("podmetrics", route.name, "metrics.k8s.io");
    sendJson(call.res, 200, m);
    return;
  }
  const items = await listPodMetrics(ctx, route.namespace, query.get("labelSelector") ?? undefined, query.get("fieldSelector") ?? undefined);
  sendJson(call.res, 200, { kind: "PodMetricsList", apiVersion: API_VERSION, metadata: {}, items });
}

/** The PodMetrics of the running pods a list selects (all namespaces when `namespace` is undefined). */
export async function listPodMetrics(ctx: ServerContext, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<PodMetrics[]> {
  const pods = ctx.store.list<Pod>("Pod", { namespace, labelSelector, fieldSelector }).items;
  return (await Promise.all(pods.map((p) => metricsOf(ctx, p)))).filter((m): m is PodMetrics => m !== undefined);
}

async function metricsOf(ctx: ServerContext, pod: Pod): Promise<PodMetrics | undefined> {
  if (pod.status?.phase !== "Running") return undefined;
  try {
    return await ctx.podIO.metrics(pod);
  } catch {
    return undefined;
  }
}

/**
 * GET /apis/metrics.k8s.io/v1beta1/nodes[/NAME][?labelSelector=]: this node, or — where the pods' IO reaches the
 * kubelets of other nodes (a control plane, which runs no kubelet) — the Nodes the API holds.
 */
export async function nodeMetrics(ctx: ServerContext, name: string | undefined, labelSelector?: string): Promise<unknown> {
  const fromKubelet = ctx.podIO.nodeMetrics?.bind(ctx.podIO);
  if (fromKubelet) return clusterNodeMetrics(ctx, fromKubelet, name, labelSelector);
  if (name !== undefined && name !== ctx.nodeName) throw ApiError.notFound("nodes", name, "metrics.k8s.io");
  const usage = ctx.nodeUsage ? await ctx.nodeUsage() : await sumOfPods(ctx);
  const item = {
    kind: "NodeMetrics",
    apiVersion: API_VERSION,
    metadata: { name: ctx.nodeName, labels: { "kubernetes.io/hostname": ctx.nodeName } },
    timestamp: rfc3339(new Date(ctx.now())),
    window: "10s",
    usage,
  };
  return name !== undefined ? item : { kind: "NodeMetricsList", apiVersion: API_VERSION, metadata: {}, items: [item] };
}

/** Every Node's metrics from its kubelet (or one Node's: NotFound when its kubelet has none to give). */
async function clusterNodeMetrics(ctx: ServerContext, fromKubelet: (node: Node) => Promise<NodeMetrics>, name: string | undefined, labelSelector: string | undefined): Promise<unknown> {
  const read = (node: Node): Promise<NodeMetrics | undefined> => fromKubelet(node).catch(() => undefined);
  if (name !== undefined) {
    const node = ctx.store.get<Node>("Node", "", name);
    const m = node ? await read(node) : undefined;
    if (!m) throw ApiError.notFound("nodes", name, "metrics.k8s.io");
    return m;
  }
  const nodes = ctx.store.list<Node>("Node", { labelSelector }).items;
  const items = (await Promise.all(nodes.map(read))).filter((m): m is NodeMetrics => m !== undefined);
  return { kind: "NodeMetricsList", apiVersion: API_VERSION, metadata: {}, items };
}

/** Without a node-wide reading, the node's usage is what its pods use. */
async function sumOfPods(ctx: ServerContext): Promise<NodeUsage> {
  const pods = ctx.store.list<Pod>("Pod", { fieldSelector: `spec.nodeName=${ctx.nodeName}` }).items;
  let cpuNanos = 0;
  let memBytes = 0;
  for (const p of pods) {
    const m = await metricsOf(ctx, p);
    for (const c of m?.containers ?? []) {
      cpuNanos += usageNanos(c.usage.cpu);
      memBytes += usageNanos(c.usage.memory) / 1e9;
    }
  }
  return { cpu: `${Math.round(cpuNanos)}n`, memory: `${Math.round(memBytes / 1024)}Ki` };
}

/** A usage quantity in nano-units ("1500000n" → 1500000, "10Mi" → 10485760e9); one that does not parse reads as 0. */
function usageNanos(q: string): number {
  const v = tryParseQuantity(q);
  return typeof v === "string" ? 0 : Number(v.nanos);
}
