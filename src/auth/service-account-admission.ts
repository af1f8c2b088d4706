/**
 * The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) for new pods: the pod's ServiceAccount
 * must exist (`error looking up service account NS/NAME: serviceaccount "NAME" not found`, 403), and unless
 * `automountServiceAccountToken: false` (on the pod, else on the account) every container and init container gets
 * the `kube-api-access-XXXXX` projected volume at /var/run/secrets/kubernetes.io/serviceaccount: a token bound to
 * the pod (3607 s, refreshed by the kubelet), the `kube-root-ca.crt` ConfigMap's `ca.crt`, and the namespace. A
 * container that already mounts something there keeps it; a pod that already has a kube-api-access volume keeps
 * it. Mirror pods (static pods) are left alone, as upstream does.
 */
import { ApiError } from "../api/errors.js";
import type { ServiceAccount } from "../api/service-account.js";
import type { Pod, Volume } from "../api/types.js";
import type { Store } from "../store/store.js";

export const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const VOLUME_PREFIX = "kube-api-access-";
/** Upstream's lifetime for these tokens: 1 h plus 7 s, which marks them as the automatic ones. */
const TOKEN_SECONDS = 3607;
const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
/** utilrand's alphabet: no vowels, no confusable digits. */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

function suffix(random: () => number): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += ALPHANUMS[Math.floor(random() * ALPHANUMS.length)];
  return s;
}

/** The projected volume upstream adds (createVolume). */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_SECONDS, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

/** Admits a new pod: refuses a missing ServiceAccount, mounts the API access volume. Returns the pod (changed in place). */
export function admitServiceAccount(pod: Pod, store: Store, random: () => number = Math.random): Pod {
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return pod;
  const ns = pod.metadata.namespace ?? "default";
  const name = pod.spec.serviceAccountName || "default";
  const sa = store.get<ServiceAccount>("ServiceAccount", ns, name);
  if (!sa) {
    throw new ApiError("Forbidden", `pods "${pod.metadata.name ?? ""}" is forbidden: error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`, { name: pod.metadata.name, kind: "pods" });
  }
  const automount = pod.spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
  if (!automount) return pod;
  const volumes = pod.spec.volumes ?? [];
  const existing = volumes.find((v) => v.name.startsWith(VOLUME_PREFIX));
  const volumeName = existing?.name ?? VOLUME_PREFIX + suffix(random);
  let needed = false;
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    needed = true;
  }
  if (needed && !existing) pod.spec.volumes = [...volumes, apiAccessVolume(volumeName)];
  return pod;
}
