/**
 * The objects a pod names (podutil.VisitPodSecretNames / VisitPodConfigmapNames and the claims of its volumes): what
 * the Node authorizer lets a node read when the pod is bound to it, and what NodeRestriction forbids a node's mirror
 * pods to name. Covers every volume source nodelet serves, env/envFrom of every container kind, imagePullSecrets
 * and the ServiceAccount.
 */
import type { Container, Pod } from "./types.js";

export interface PodReferences {
  secrets: Set<string>;
  configMaps: Set<string>;
  claims: Set<string>;
  /** spec.serviceAccountName ("default" when unset, as defaulting makes it). */
  serviceAccount: string;
}

export function podReferences(pod: Pod): PodReferences {
  const spec = pod.spec;
  const out: PodReferences = { secrets: new Set(), configMaps: new Set(), claims: new Set(), serviceAccount: spec.serviceAccountName || "default" };
  for (const s of spec.imagePullSecrets ?? []) if (s.name) out.secrets.add(s.name);
  const containers: Container[] = [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as Container[])];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) out.secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) out.configMaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) out.secrets.add(e.secretRef.name);
      if (e.configMapRef?.name) out.configMaps.add(e.configMapRef.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.secret?.secretName) out.secrets.add(v.secret.secretName);
    if (v.configMap?.name) out.configMaps.add(v.configMap.name);
    if (v.persistentVolumeClaim?.claimName) out.claims.add(v.persistentVolumeClaim.claimName);
    for (const p of v.projected?.sources ?? []) {
      if (p.secret?.name) out.secrets.add(p.secret.name);
      if (p.configMap?.name) out.configMaps.add(p.configMap.name);
    }
  }
  return out;
}
