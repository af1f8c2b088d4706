/**
 * What configuration volumes read from outside the node: ConfigMaps and Secrets (the kubelet's configmap and
 * secret managers: here the API store, looked up on every setup and refresh) and service account tokens.
 */
import type { ConfigMap, Pod, Quantity, Secret } from "../api/types.js";
import type { IssuedToken } from "./projection.js";

export type { IssuedToken } from "./projection.js";

/**
 * Issues the token of a projected `serviceAccountToken` source (the TokenRequest API, bound to the pod): a JWT for
 * the pod's service account with `audience` (the API server's when undefined), valid `expirationSeconds`. The
 * issuer is the kubelet's token manager (auth/pod-tokens.ts): it hands out the same token until it needs refreshing,
 * so volumes ask on every sync. A node without one fails such a volume's mount, saying so.
 */
export interface TokenIssuer {
  issue(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<IssuedToken>;
}

export interface ConfigObjects {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Absent: serviceAccountToken sources fail with FailedMount naming why. */
  tokens?: TokenIssuer;
  /** The node's allocatable as its Node reports it: downwardAPI files of a limit the container leaves unset. */
  allocatable?(): Record<string, Quantity> | undefined;
}

/** The ConfigMaps and Secrets whose content a pod's volumes show (env is read once, at container start). */
export function volumeReferences(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap) configMaps.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) configMaps.add(s.configMap.name);
      if (s.secret) secrets.add(s.secret.name);
    }
  }
  return { configMaps, secrets };
}

/** Whether the pod's volumes show its labels or annotations (downwardAPI files), which change without a new generation. */
export function showsMetadata(pod: Pod): boolean {
  const items = (pod.spec.volumes ?? []).flatMap((v) => [...(v.downwardAPI?.items ?? []), ...(v.projected?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? [])]);
  return items.some((i) => /^metadata\.(labels|annotations)/.test(i.fieldRef?.fieldPath ?? ""));
}
