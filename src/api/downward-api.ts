/**
 * The downward API: what a pod may read about itself, for env (valueFrom.fieldRef / resourceFieldRef) and for
 * downwardAPI volume files, resolved in one place (pkg/fieldpath/fieldpath.go ExtractFieldPathAsString and
 * FormatMap, pkg/api/v1/resource ExtractContainerResourceValue). Pure.
 */
import { FieldError } from "./errors.js";
import { parseQuantity, toBytes, toMilli } from "./quantity.js";
import type { Container, Pod, Quantity } from "./types.js";

/** What the node knows about the pod that is not in its object. */
export interface PodNetworkFacts {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: Quantity;
}

/** Field paths downwardAPI volume files may name (validVolumeDownwardAPIFieldPathExpressions). */
export const VOLUME_FIELD_PATHS = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];

/** Resources a resourceFieldRef may name (validContainerResourceFieldPathExpressions). */
export const RESOURCE_FIELD_PATHS = [
  "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory",
];

/**
 * A map as the downward API writes it to a file (fieldpath.FormatMap): one `key="value"` line per entry, keys
 * sorted, values quoted as Go's %q quotes them, no newline after the last line.
 */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join("\n");
}

/** Go's strconv.Quote for the characters labels and annotations hold (printable ASCII and UTF-8 text). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * The value of a fieldRef. Env may read every path below; a volume file only the metadata ones (validation keeps
 * the others out), where `metadata.labels` / `metadata.annotations` are the whole map, formatted.
 */
export function fieldRefValue(pod: Pod, path: string, facts: PodNetworkFacts, field: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "metadata.labels":
      return formatMap(pod.metadata.labels);
    case "metadata.annotations":
      return formatMap(pod.metadata.annotations);
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return facts.hostIP ?? "";
    case "status.podIP":
      return facts.podIP ?? "";
    case "status.podIPs":
      return (facts.podIPs ?? (facts.podIP ? [facts.podIP] : [])).join(",");
  }
  throw new FieldError(field, `unsupported fieldPath "${path}"`);
}

/** Limits the kubelet fills from the node's allocatable when a container leaves them unset (MergeContainerResourceLimits). */
const ALLOCATABLE_DEFAULTED = ["cpu", "memory", "ephemeral-storage"];

/**
 * resourceFieldRef as Kubernetes computes it (ExtractContainerResourceValue): CPU in millicores over the divisor's
 * millicores, anything else in whole units over the divisor's, rounded up; an unset or zero divisor is 1. `container`
 * is the one the reference defaults to (env: its own container; volumes must name one). An unset cpu, memory or
 * ephemeral-storage limit is the node's `allocatable` (the Node's status), as the kubelet reports it
 * (pkg/kubelet/kubelet_resources.go containerResourceRuntimeValue); 0 only when the node's is unknown.
 */
export function resourceFieldValue(
  pod: Pod,
  container: Container | undefined,
  ref: ResourceFieldSelector,
  field: string,
  allocatable?: Record<string, Quantity>,
): string {
  const target = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new FieldError(`${field}.containerName`, `container "${ref.containerName ?? ""}" not found in the pod`);
  const [kind, name] = ref.resource.split(".") as ["limits" | "requests", string];
  if ((kind !== "limits" && kind !== "requests") || !name) throw new FieldError(`${field}.resource`, `unsupported container resource "${ref.resource}"`);
  const own = target.resources?.[kind]?.[name];
  const raw = own === undefined && kind === "limits" && ALLOCATABLE_DEFAULTED.includes(name) ? allocatable?.[name] : own;
  const amount = (q: string) => (name === "cpu" ? toMilli(parseQuantity(q)) : toBytes(parseQuantity(q)));
  const divisor = (ref.divisor === undefined ? 0 : amount(String(ref.divisor))) || amount("1");
  const value = raw === undefined ? 0 : amount(String(raw));
  return String(Math.ceil(value / divisor));
}
