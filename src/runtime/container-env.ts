/**
 * A container's command line and environment, decided the way the kubelet and the CRI runtime decide them:
 * - command/args vs the image's Entrypoint/Cmd (https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#notes),
 * - env in order, image env first, each value able to reference earlier ones with $(VAR), `$$` escaping,
 * - valueFrom fieldRef / resourceFieldRef / configMapKeyRef / secretKeyRef,
 * - $(VAR) expansion in command and args (pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs).
 * Pure: anything that needs the store (ConfigMaps, Secrets) is passed in already looked up.
 */
import { FieldError } from "../api/errors.js";
import type { Container, EnvVar, Pod } from "../api/types.js";
import { parseQuantity, toBytes, toMilli } from "../api/quantity.js";

export interface EnvSources {
  /** configMap name → data; missing = not found. */
  configMaps: Record<string, Record<string, string> | undefined>;
  /** secret name → decoded data. */
  secrets: Record<string, Record<string, string> | undefined>;
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostname: string;
  /** Extra variables the kubelet injects (service links). */
  serviceEnv?: Record<string, string>;
}

/**
 * Expands $(VAR) references as Kubernetes does: `$$` → `$`, `$(NAME)` → value when NAME is defined, otherwise left
 * as written; a `$` before anything else stays.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** The final environment as ordered "K=V" strings: image env, HOSTNAME, service links, then the container's. */
export function containerEnvironment(pod: Pod, container: Container, imageEnv: string[], src: EnvSources): string[] {
  const env = new Map<string, string>();
  for (const kv of imageEnv) {
    const eq = kv.indexOf("=");
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  env.set("HOSTNAME", src.hostname);
  for (const [k, v] of Object.entries(src.serviceEnv ?? {})) env.set(k, v);
  // Variables defined by the container itself are what $(VAR) may reference (plus service links), as in
  // kubelet_pods.go makeEnvironmentVariables.
  const visible = new Map<string, string>(Object.entries(src.serviceEnv ?? {}));
  (container.env ?? []).forEach((e, i) => {
    const value = envValue(pod, container, e, src, `spec.containers[${i}].env[${i}]`, (n) => visible.get(n));
    if (value === undefined) return;
    env.set(e.name, value);
    visible.set(e.name, value);
  });
  return [...env].map(([k, v]) => `${k}=${v}`);
}

function envValue(
  pod: Pod,
  container: Container,
  e: EnvVar,
  src: EnvSources,
  field: string,
  lookup: (n: string) => string | undefined,
): string | undefined {
  if (e.value !== undefined) return expandVars(e.value, lookup);
  const from = e.valueFrom;
  if (!from) return "";
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, src, `${field}.valueFrom.fieldRef`);
  if (from.resourceFieldRef) return resourceFieldValue(pod, container, from.resourceFieldRef);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const value = src.configMaps[ref.name]?.[ref.key];
    if (value === undefined && !ref.optional) {
      throw new FieldError(`${field}.valueFrom.configMapKeyRef`, `configmap "${ref.name}" key "${ref.key}" not found`);
    }
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const value = src.secrets[ref.name]?.[ref.key];
    if (value === undefined && !ref.optional) {
      throw new FieldError(`${field}.valueFrom.secretKeyRef`, `secret "${ref.name}" key "${ref.key}" not found`);
    }
    return value;
  }
  return "";
}

/** The downward API fields a pod may read (pkg/apis/core/validation validEnvDownwardAPIFieldPathExpressions). */
export function fieldRefValue(pod: Pod, path: string, src: Pick<EnvSources, "podIP" | "podIPs" | "hostIP">, field: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return src.hostIP ?? "";
    case "status.podIP":
      return src.podIP ?? "";
    case "status.podIPs":
      return (src.podIPs ?? (src.podIP ? [src.podIP] : [])).join(",");
  }
  throw new FieldError(field, `unsupported fieldPath "${path}"`);
}

/**
 * resourceFieldRef as Kubernetes computes it (pkg/api/v1/resource ExtractContainerResourceValue): CPU in
 * millicores over the divisor's millicores, anything else in whole units over the divisor's, rounded up; an
 * unset or zero divisor is 1.
 */
function resourceFieldValue(pod: Pod, container: Container, ref: { containerName?: string; resource: string; divisor?: string }): string {
  const target = ref.containerName ? pod.spec.containers.find((c) => c.name === ref.containerName) ?? container : container;
  const [kind, name] = ref.resource.split(".") as ["limits" | "requests", string];
  const raw = target.resources?.[kind]?.[name];
  const amount = (q: string) => (name === "cpu" ? toMilli(parseQuantity(q)) : toBytes(parseQuantity(q)));
  const divisor = (ref.divisor === undefined ? 0 : amount(ref.divisor)) || amount("1");
  // Without a limit the kubelet reports the node's allocatable; we report 0 for "unset" requests and the node value
  // is not known here, so an unset limit yields "0" too (documented difference).
  const value = raw === undefined ? 0 : amount(raw);
  return String(Math.ceil(value / divisor));
}

/**
 * The argv a container runs: command/args from the pod spec, falling back to the image's Entrypoint/Cmd, with
 * $(VAR) references expanded against the container's environment.
 */
export function containerArgv(container: Container, image: { Entrypoint?: string[]; Cmd?: string[] }, env: string[]): string[] {
  const vars = new Map(env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as const));
  const lookup = (n: string) => vars.get(n);
  let argv: string[];
  if (container.command?.length) argv = [...container.command, ...(container.args ?? [])];
  else if (container.args?.length) argv = [...(image.Entrypoint ?? []), ...container.args];
  else argv = [...(image.Entrypoint ?? []), ...(image.Cmd ?? [])];
  const expandable = new Set<number>();
  const fromSpec = container.command?.length ? argv.length : container.args?.length ? argv.length : 0;
  for (let i = argv.length - fromSpec; i < argv.length; i++) expandable.add(i);
  return argv.map((a, i) => (expandable.has(i) ? expandVars(a, lookup) : a));
}
