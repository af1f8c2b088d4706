/**
 * Which container a log/exec/attach request is for (registry/core/pod strategy.go): the one named, the
 * `kubectl.kubernetes.io/default-container` annotation, or the only container; otherwise a 400 listing the choices.
 */
import { ApiError } from "../api/errors.js";
const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";
export function resolveContainer(pod, requested) {
    const name = pod.metadata.name ?? "";
    const containers = pod.spec.containers.map((c) => c.name);
    const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
    if (requested) {
        if (!containers.includes(requested) && !inits.includes(requested)) {
            throw ApiError.badRequest(`container ${requested} is not valid for pod ${name}`);
        }
        return requested;
    }
    const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
    if (annotated && containers.includes(annotated))
        return annotated;
    if (containers.length === 1)
        return containers[0];
    if (containers.length === 0)
        throw ApiError.badRequest(`a container name must be specified for pod ${name}`);
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`;
    if (inits.length)
        message += ` or one of the init containers: [${inits.join(" ")}]`;
    throw ApiError.badRequest(message);
}
//# sourceMappingURL=containers.js.map