/**
 * A pod's registry credentials: the `.dockerconfigjson` of each of its imagePullSecrets, in order (the kubelet's
 * getPullSecretsForPod). A Secret that is missing or of another type is skipped, as the kubelet does (it logs it;
 * the pull then goes anonymous or with the node's own credentials).
 */
import type { Pod, Secret } from "../api/types.js";
import type { Store } from "../store/store.js";
import type { PullSecrets } from "../images/node-images.js";

export function pullSecretsOf(store: Store, pod: Pod): PullSecrets {
  const ns = pod.metadata.namespace ?? "default";
  const out: PullSecrets = [];
  for (const ref of pod.spec.imagePullSecrets ?? []) {
    if (!ref?.name) continue;
    const s = store.get<Secret>("Secret", ns, ref.name);
    const data = s?.type === "kubernetes.io/dockerconfigjson" ? s.data?.[".dockerconfigjson"] : undefined;
    if (data) out.push(Buffer.from(data, "base64").toString("utf8"));
  }
  return out;
}
