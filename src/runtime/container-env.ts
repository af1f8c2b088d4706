/**
 * A container's command line and environment, decided the way the kubelet and the CRI runtime decide them:
 * - command/args vs the image's Entrypoint/Cmd (https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#notes),
 * - env in order, image env first, each value able to reference earlier ones with $(VAR), `$$` escaping,
 * - envFrom (configMapRef, secretRef, prefix, optional) first, later sources over earlier ones, then env over them;
 *   keys that are not valid variable names are skipped and reported (the kubelet's InvalidEnvironmentVariableNames),
 * - valueFrom fieldRef / resourceFieldRef (api/downward-api.ts) / configMapKeyRef / secretKeyRef,
 * - $(VAR) expansion in command and args (pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs).
 * Pure: anything that needs the store (ConfigMaps, Secrets) is passed in already looked up.
 */
import { fieldRefValue, resourceFieldValue } from "../api/downward-api.js";
import { FieldError } from "../api/errors.js";
import { isEnvVarName } from "../api/names.js";
import type { Container, EnvFromSource, EnvVar, Pod, Quantity } from "../api/types.js";

export interface EnvSources {
  /** configMap name → data; missing = not found. */
  configMaps: Record<string, Record<string, string> | undefined>;
  /** secret name → decoded data. */
  secrets: Record<string, Record<string, string> | undefined>;
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostname: string;
  /**
   * The node's allocatable (its Node's status): what resourceFieldRef gives for a limit the container leaves unset.
   * Needed only when envReadsAllocatable(container).
   */
  allocatable?: Record<string, Quantity>;
  /** Extra variables the kubelet injects (service links). */
  serviceEnv?: Record<string, string>;
  /** Told of envFrom keys skipped as invalid names, in the kubelet's event wording (InvalidEnvironmentVariableNames). */
  warnInvalidKeys?: (message: string) => void;
}

/** A referenced ConfigMap, Secret or key that is missing: the kubelet's CreateContainerConfigError, in its words. */
export class ConfigRefError extends FieldError {
  constructor(field: string, detail: string) {
    super(field, detail);
    this.message = detail;
    this.name = "ConfigRefError";
  }
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

/**
 * A container's environment and the names of the variables in it that carry a Secret's bytes: read from a Secret
 * (secretKeyRef, envFrom secretRef) or expanded from such a variable with $(VAR). Records (explain) show what these
 * feed as the pod spec writes it, never their values.
 */
export interface ResolvedEnv {
  /** Ordered "K=V" strings. */
  env: string[];
  secret: Set<string>;
}

/** The final environment as ordered "K=V" strings: image env, HOSTNAME, service links, then the container's. */
export function containerEnvironment(pod: Pod, container: Container, imageEnv: string[], src: EnvSources): string[] {
  return resolveEnvironment(pod, container, imageEnv, src).env;
}

/** containerEnvironment, with the names of the variables that carry a Secret's bytes. */
export function resolveEnvironment(pod: Pod, container: Container, imageEnv: string[], src: EnvSources): ResolvedEnv {
  const env = new Map<string, string>();
  const secret = new Set<string>();
  for (const kv of imageEnv) {
    const eq = kv.indexOf("=");
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  env.set("HOSTNAME", src.hostname);
  for (const [k, v] of Object.entries(src.serviceEnv ?? {})) env.set(k, v);
  // Variables defined by the container itself are what $(VAR) may reference (plus service links), as in
  // kubelet_pods.go makeEnvironmentVariables.
  const visible = new Map<string, string>(Object.entries(src.serviceEnv ?? {}));
  const define = (k: string, v: string, fromSecret: boolean) => {
    env.set(k, v);
    visible.set(k, v);
    if (fromSecret) secret.add(k);
    else secret.delete(k);
  };
  for (const [k, v] of envFromEntries(pod, container, src)) define(k, v.value, v.secret);
  (container.env ?? []).forEach((e, i) => {
    let readSecret = e.valueFrom?.secretKeyRef !== undefined;
    const lookup = (n: string) => {
      const v = visible.get(n);
      if (v !== undefined && secret.has(n)) readSecret = true;
      return v;
    };
    const value = envValue(pod, container, e, src, `env[${i}]`, lookup);
    if (value !== undefined) define(e.name, value, readSecret);
  });
  return { env: [...env].map(([k, v]) => `${k}=${v}`), secret };
}

/**
 * The variables of envFrom, in order (kubelet_pods.go makeEnvironmentVariables): each source's keys with its
 * prefix; a later source overrides an earlier one; a missing source fails the start unless it is optional; keys
 * that are not valid names are skipped, reported once per source with the keys sorted.
 */
export function envFromVariables(pod: Pod, container: Container, src: EnvSources): Map<string, string> {
  return new Map([...envFromEntries(pod, container, src)].map(([k, v]) => [k, v.value]));
}

function envFromEntries(pod: Pod, container: Container, src: EnvSources): Map<string, { value: string; secret: boolean }> {
  const out = new Map<string, { value: string; secret: boolean }>();
  const ns = pod.metadata.namespace ?? "default";
  (container.envFrom ?? []).forEach((ef: EnvFromSource, i) => {
    const ref = ef.configMapRef ?? ef.secretRef;
    if (!ref) return;
    const kind = ef.configMapRef ? "configmap" : "secret";
    const data = ef.configMapRef ? src.configMaps[ref.name] : src.secrets[ref.name];
    if (!data) {
      if (ref.optional) return;
      throw new ConfigRefError(`envFrom[${i}].${ef.configMapRef ? "configMapRef" : "secretRef"}`, `${kind} "${ref.name}" not found`);
    }
    const invalid: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const name = `${ef.prefix ?? ""}${key}`;
      if (isEnvVarName(name).length > 0) invalid.push(name);
      else out.set(name, { value, secret: !ef.configMapRef });
    }
    if (invalid.length > 0) {
      const what = ef.configMapRef ? "configMap" : "secret";
      src.warnInvalidKeys?.(
        `Keys [${invalid.sort().join(", ")}] from the EnvFrom ${what} ${ns}/${ref.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  });
  return out;
}

/** Whether the container's env can read EnvSources.allocatable (a resourceFieldRef); callers look it up only then. */
export function envReadsAllocatable(c: Container): boolean {
  return (c.env ?? []).some((e) => e.valueFrom?.resourceFieldRef !== undefined);
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
  if (from.resourceFieldRef) return resourceFieldValue(pod, container, from.resourceFieldRef, `${field}.valueFrom.resourceFieldRef`, src.allocatable);
  const ns = pod.metadata.namespace ?? "default";
  for (const [ref, kind, map] of [
    [from.configMapKeyRef, "ConfigMap", src.configMaps],
    [from.secretKeyRef, "Secret", src.secrets],
  ] as const) {
    if (!ref) continue;
    const data = map[ref.name];
    const value = data?.[ref.key];
    if (value !== undefined || ref.optional) return value;
    const f = `${field}.valueFrom.${kind === "ConfigMap" ? "configMapKeyRef" : "secretKeyRef"}`;
    // The kubelet's words (makeEnvironmentVariables).
    throw new ConfigRefError(f, data ? `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` : `${kind.toLowerCase()} "${ref.name}" not found`);
  }
  return "";
}

/**
 * The argv a container runs: command/args from the pod spec, falling back to the image's Entrypoint/Cmd, with
 * $(VAR) references expanded against the container's environment.
 */
export function containerArgv(container: Container, image: { Entrypoint?: string[]; Cmd?: string[] }, env: string[]): string[] {
  return containerCommand(container, image, { env, secret: new Set() }).argv;
}

/**
 * containerArgv, and the same command as records show it (`shown`): a word whose expansion read a variable that
 * carries a Secret's bytes stays as the pod spec writes it, as Kubernetes shows the command in the pod.
 */
export function containerCommand(container: Container, image: { Entrypoint?: string[]; Cmd?: string[] }, env: ResolvedEnv): { argv: string[]; shown: string[] } {
  const vars = envMap(env.env);
  let words: string[];
  if (container.command?.length) words = [...container.command, ...(container.args ?? [])];
  else if (container.args?.length) words = [...(image.Entrypoint ?? []), ...container.args];
  else words = [...(image.Entrypoint ?? []), ...(image.Cmd ?? [])];
  const fromSpec = container.command?.length || container.args?.length ? words.length : 0;
  const firstExpandable = words.length - fromSpec;
  const argv: string[] = [];
  const shown: string[] = [];
  words.forEach((w, i) => {
    if (i < firstExpandable) {
      argv.push(w);
      shown.push(w);
      return;
    }
    const x = expandShown(w, vars, env.secret);
    argv.push(x.value);
    shown.push(x.shown);
  });
  return { argv, shown };
}

/** The variables of an environment by name. */
export function envMap(env: string[]): Map<string, string> {
  return new Map(env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as const));
}

/** expandVars against vars, and what a record may show: the input as written when the expansion read a secret variable. */
export function expandShown(input: string, vars: Map<string, string>, secret: Set<string>): { value: string; shown: string } {
  let readSecret = false;
  const value = expandVars(input, (n) => {
    const v = vars.get(n);
    if (v !== undefined && secret.has(n)) readSecret = true;
    return v;
  });
  return { value, shown: readSecret ? input : value };
}
