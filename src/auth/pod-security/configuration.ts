/**
 * The PodSecurity plugin's configuration as kube-apiserver reads it from `--admission-control-config-file`: an
 * AdmissionConfiguration (apiserver.config.k8s.io/v1) whose `PodSecurity` plugin carries a PodSecurityConfiguration
 * (pod-security.admission.config.k8s.io/v1 or v1beta1) inline or by `path` (relative to the file), with the
 * `defaults` of unlabelled namespaces and the `exemptions` (usernames, runtimeClasses, namespaces). Other plugins
 * are refused by name rather than ignored. Validation follows upstream's ValidatePodSecurityConfiguration: levels
 * and versions as the labels take them, exemptions non-empty, namespaces DNS labels, runtime classes DNS
 * subdomains, no duplicates. Pure over the texts it is handed.
 */
import { parse as parseYaml } from "yaml";
import { isObject, type JsonObject } from "../../api/json.js";
import { MODES, parseLevel, parseVersion, PRIVILEGED, type NamespacePolicy } from "./policy.js";

/** Who and what Pod Security never judges (PodSecurityExemptions). */
export interface Exemptions {
  usernames: string[];
  runtimeClasses: string[];
  namespaces: string[];
}

export const NO_EXEMPTIONS: Exemptions = { usernames: [], runtimeClasses: [], namespaces: [] };

export interface PodSecurityConfiguration {
  /** The defaults the configuration sets, when it has a `defaults` stanza. */
  defaults?: NamespacePolicy;
  exemptions: Exemptions;
}

const ADMISSION_VERSIONS = ["apiserver.config.k8s.io/v1", "apiserver.k8s.io/v1alpha1"];
const PSA_VERSIONS = ["pod-security.admission.config.k8s.io/v1", "pod-security.admission.config.k8s.io/v1beta1"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses the AdmissionConfiguration `text` read from `source`; `readPath` reads a plugin's `path` (resolved by the
 * caller). Returns undefined when the file configures no PodSecurity plugin. Throws an Error naming the file and field.
 */
export function parseAdmissionConfiguration(text: string, source: string, readPath: (path: string) => string): PodSecurityConfiguration | undefined {
  const where = (f: string) => `${source}: ${f}`;
  const doc = parseYaml(text) as unknown;
  if (!isObject(doc) || doc["kind"] !== "AdmissionConfiguration") throw new Error(where(`kind: want "AdmissionConfiguration", got ${JSON.stringify(isObject(doc) ? doc["kind"] : doc)}`));
  if (typeof doc["apiVersion"] !== "string" || !ADMISSION_VERSIONS.includes(doc["apiVersion"])) throw new Error(where(`apiVersion: want "${ADMISSION_VERSIONS[0]}", got ${JSON.stringify(doc["apiVersion"])}`));
  const plugins = doc["plugins"] ?? [];
  if (!Array.isArray(plugins)) throw new Error(where("plugins: must be a list"));
  let found: PodSecurityConfiguration | undefined;
  for (const [i, p] of plugins.entries()) {
    if (!isObject(p) || p["name"] !== "PodSecurity") {
      throw new Error(where(`plugins[${i}].name: Unsupported value: ${JSON.stringify(isObject(p) ? p["name"] : p)}: nodelet configures only "PodSecurity"`));
    }
    if (found) throw new Error(where(`plugins[${i}].name: Duplicate value: "PodSecurity"`));
    const inline = p["configuration"];
    const path = p["path"];
    if (inline !== undefined && path !== undefined) throw new Error(where(`plugins[${i}]: set configuration or path, not both`));
    if (inline === undefined && typeof path !== "string") throw new Error(where(`plugins[${i}]: configuration or path: Required value`));
    const config = inline !== undefined ? inline : (parseYaml(readPath(path as string)) as unknown);
    found = parsePodSecurityConfiguration(config, inline !== undefined ? where(`plugins[${i}].configuration`) : `${path as string}:`);
  }
  return found;
}

/** Parses and validates one PodSecurityConfiguration object; `where` prefixes errors. */
export function parsePodSecurityConfiguration(v: unknown, where: string): PodSecurityConfiguration {
  const err = (f: string) => new Error(`${where} ${f}`);
  if (!isObject(v) || v["kind"] !== "PodSecurityConfiguration") throw err(`kind: want "PodSecurityConfiguration"`);
  if (typeof v["apiVersion"] !== "string" || !PSA_VERSIONS.includes(v["apiVersion"])) throw err(`apiVersion: want "${PSA_VERSIONS[0]}", got ${JSON.stringify(v["apiVersion"])}`);
  const out: PodSecurityConfiguration = { exemptions: parseExemptions(v["exemptions"], err) };
  if (v["defaults"] !== undefined) out.defaults = parseDefaults(v["defaults"], err);
  return out;
}

function parseDefaults(v: unknown, err: (f: string) => Error): NamespacePolicy {
  if (!isObject(v)) throw err("defaults: must be an object");
  const policy = { enforce: PRIVILEGED, audit: PRIVILEGED, warn: PRIVILEGED };
  for (const mode of MODES) {
    const level = str(v, mode, err, "defaults") ?? "privileged";
    const version = str(v, `${mode}-version`, err, "defaults") ?? "latest";
    const l = parseLevel(level);
    if (!l) throw err(`defaults.${mode}: Unsupported value: ${JSON.stringify(level)}: supported values: "privileged", "baseline", "restricted"`);
    if (!parseVersion(version)) throw err(`defaults.${mode}-version: Invalid value: ${JSON.stringify(version)}: must be "latest" or "v1.x"`);
    policy[mode] = { level: l, version };
  }
  return policy;
}

function str(o: JsonObject, key: string, err: (f: string) => Error, at: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw err(`${at}.${key}: must be a string`);
  return v;
}

function parseExemptions(v: unknown, err: (f: string) => Error): Exemptions {
  if (v === undefined || v === null) return { ...NO_EXEMPTIONS };
  if (!isObject(v)) throw err("exemptions: must be an object");
  const list = (key: keyof Exemptions, valid: (s: string) => string | undefined): string[] => {
    const items = v[key] ?? [];
    if (!Array.isArray(items)) throw err(`exemptions.${key}: must be a list`);
    const seen = new Set<string>();
    return items.map((item, i) => {
      const f = `exemptions.${key}[${i}]`;
      if (typeof item !== "string" || item === "") throw err(`${f}: Invalid value: ${JSON.stringify(item)}: must be a non-empty string`);
      const why = valid(item);
      if (why) throw err(`${f}: Invalid value: ${JSON.stringify(item)}: ${why}`);
      if (seen.has(item)) throw err(`${f}: Duplicate value: ${JSON.stringify(item)}`);
      seen.add(item);
      return item;
    });
  };
  return {
    usernames: list("usernames", () => undefined),
    runtimeClasses: list("runtimeClasses", (s) => (s.length <= 253 && DNS_SUBDOMAIN.test(s) ? undefined : "must be a DNS subdomain (RFC 1123)")),
    namespaces: list("namespaces", (s) => (s.length <= 63 && DNS_LABEL.test(s) ? undefined : "must be a DNS label (RFC 1123)")),
  };
}
