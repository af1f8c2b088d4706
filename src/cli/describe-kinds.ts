/**
 * `describe` for Services, Nodes, and any other kind (its metadata and fields as YAML-like lines).
 */
import type { Endpoints, KubeList, KubeObject, Node, Pod, Service } from "../api/types.js";
import type { ApiClient } from "../client/index.js";
import { describeTime, Section } from "./describe-section.js";
import { withoutLastApplied } from "./describe-pod.js";

export async function describeService(s: Section, obj: KubeObject, client: ApiClient): Promise<void> {
  const svc = obj as Service;
  const md = svc.metadata;
  s.line(0, "Name", md.name);
  s.line(0, "Namespace", md.namespace);
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "Selector", Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<none>");
  s.line(0, "Type", svc.spec.type ?? "ClusterIP");
  s.line(0, "IP Family Policy", svc.spec.ipFamilyPolicy ?? "SingleStack");
  s.line(0, "IP Families", (svc.spec.ipFamilies ?? ["IPv4"]).join(","));
  s.line(0, "IP", svc.spec.clusterIP ?? "");
  s.line(0, "IPs", (svc.spec.clusterIPs ?? [svc.spec.clusterIP ?? ""]).join(","));
  let ep: Endpoints | undefined;
  try {
    ep = await client.request<Endpoints>("GET", `/api/v1/namespaces/${md.namespace}/endpoints/${md.name}`);
  } catch {
    ep = undefined;
  }
  for (const p of svc.spec.ports ?? []) {
    const name = p.name || "<unset>";
    s.line(0, "Port", `${name}  ${p.port}/${p.protocol ?? "TCP"}`);
    s.line(0, "TargetPort", `${p.targetPort ?? p.port}/${p.protocol ?? "TCP"}`);
    if (p.nodePort) s.line(0, "NodePort", `${name}  ${p.nodePort}/${p.protocol ?? "TCP"}`);
    const addrs = (ep?.subsets ?? []).flatMap((sub) =>
      (sub.addresses ?? []).flatMap((a) => (sub.ports ?? []).filter((ep2) => (ep2.name ?? "") === (p.name ?? "")).map((ep2) => `${a.ip}:${ep2.port}`)),
    );
    s.line(0, "Endpoints", addrs.join(",") || "<none>");
  }
  s.line(0, "Session Affinity", svc.spec.sessionAffinity ?? "None");
  if (svc.spec.externalTrafficPolicy) s.line(0, "External Traffic Policy", svc.spec.externalTrafficPolicy);
  s.line(0, "Internal Traffic Policy", svc.spec.internalTrafficPolicy ?? "Cluster");
  if (svc.spec.healthCheckNodePort) s.line(0, "HealthCheck NodePort", String(svc.spec.healthCheckNodePort));
}

export async function describeNode(s: Section, obj: KubeObject, client: ApiClient): Promise<void> {
  const node = obj as Node;
  const md = node.metadata;
  const st = node.status ?? {};
  const roles = Object.keys(md.labels ?? {}).filter((k) => k.startsWith("node-role.kubernetes.io/")).map((k) => k.split("/")[1]);
  s.line(0, "Name", md.name);
  s.line(0, "Roles", roles.join(",") || "<none>");
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  s.line(0, "CreationTimestamp", describeTime(md.creationTimestamp));
  // kubectl: one taint a line, KEY[=VALUE]:EFFECT (the node-pressure taints show here while a condition holds).
  const taints = ((node.spec?.taints ?? []) as { key: string; value?: string; effect: string }[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
  if (!taints.length) s.line(0, "Taints", "<none>");
  taints.forEach((t, i) => s.line(0, i === 0 ? "Taints" : "", t));
  s.line(0, "Unschedulable", String(node.spec?.unschedulable ?? false));
  s.raw("Conditions:");
  s.table(1, [
    ["Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message"],
    ["----", "------", "-----------------", "------------------", "------", "-------"],
    ...(st.conditions ?? []).map((c) => [c.type, c.status, describeTime(c.lastHeartbeatTime), describeTime(c.lastTransitionTime), c.reason ?? "", c.message ?? ""]),
  ]);
  s.line(0, "Addresses", "");
  for (const a of st.addresses ?? []) s.line(1, a.type, a.address);
  for (const [key, m] of [["Capacity", st.capacity], ["Allocatable", st.allocatable]] as const) {
    s.line(0, key, "");
    for (const [k, v] of Object.entries(m ?? {})) s.line(1, k, v);
  }
  const info = st.nodeInfo ?? {};
  s.line(0, "System Info", "");
  s.line(1, "Machine ID", info.machineID ?? "");
  s.line(1, "Boot ID", info.bootID ?? "");
  s.line(1, "Kernel Version", info.kernelVersion ?? "");
  s.line(1, "OS Image", info.osImage ?? "");
  s.line(1, "Operating System", info.operatingSystem ?? "");
  s.line(1, "Architecture", info.architecture ?? "");
  s.line(1, "Container Runtime Version", info.containerRuntimeVersion ?? "");
  s.line(1, "Kubelet Version", info.kubeletVersion ?? "");
  s.line(1, "Swap", info.swap?.capacity ? `${Math.round(info.swap.capacity / 1048576)}Mi (on)` : "off");
  if (node.spec?.podCIDR) s.line(0, "PodCIDR", node.spec.podCIDR);
  const pods = (await client.request<KubeList<Pod>>("GET", "/api/v1/pods", { query: { fieldSelector: `spec.nodeName=${md.name}` } })).items.filter(
    (p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
  );
  s.raw(`Non-terminated Pods:          (${pods.length} in total)`);
  s.table(1, [
    ["Namespace", "Name", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits"],
    ["---------", "----", "------------", "----------", "---------------", "-------------"],
    ...pods.map((p) => {
      const sum = (kind: "requests" | "limits", res: string) =>
        p.spec.containers.map((c) => c.resources?.[kind]?.[res]).filter(Boolean).join("+") || "0";
      return [p.metadata.namespace ?? "", p.metadata.name ?? "", sum("requests", "cpu"), sum("limits", "cpu"), sum("requests", "memory"), sum("limits", "memory")];
    }),
  ]);
}

/** Any other kind: metadata, then its top-level fields flattened. */
export function describeGeneric(s: Section, obj: KubeObject): void {
  const md = obj.metadata;
  s.line(0, "Name", md.name);
  if (md.namespace) s.line(0, "Namespace", md.namespace);
  s.map(0, "Labels", md.labels);
  s.map(0, "Annotations", withoutLastApplied(md.annotations));
  for (const [k, v] of Object.entries(obj)) {
    if (["apiVersion", "kind", "metadata"].includes(k)) continue;
    flatten(s, 0, k, v);
  }
}

function flatten(s: Section, level: number, key: string, v: unknown): void {
  const label = key.charAt(0).toUpperCase() + key.slice(1);
  if (v === null || typeof v !== "object") {
    s.line(level, label, String(v));
    return;
  }
  s.line(level, label, "");
  if (Array.isArray(v)) v.forEach((x, i) => flatten(s, level + 1, `[${i}]`, x));
  else for (const [k, x] of Object.entries(v)) flatten(s, level + 1, k, x);
}
