/**
 * Which container a log/exec/attach request is for (registry/core/pod strategy.go): the one named, the
 * `kubectl.kubernetes.io/default-container` annotation, or the only container; otherwise a 400 listing the choices.
 */
import { ApiError } from "../api/errors.js";
import type { Pod } from "../api/types.js";

const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

export function resolveContainer(pod: Pod, requested: string | null | undefined): string {
  const name = pod.metadata.name ?? "";
  const containers = pod.spec.containers.map((c) => c.name);
  const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec.ephemeralContainers ?? []).map((c) => c.name);
  if (requested) {
    if (!containers.includes(requested) && !inits.includes(requested) && !ephemeral.includes(requested)) {
      throw ApiError.badRequest(`container ${requested} is not valid for pod ${name}`);
    }
    return requested;
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0];
  if (containers.length === 0) throw ApiError.badRequest(`a container name must be specified for pod ${name}`);
  let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`;
  if (inits.length) message += ` or one of the init containers: [${inits.join(" ")}]`;
  if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(" ")}]`;
  throw ApiError.badRequest(message);
}
