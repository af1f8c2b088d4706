/** How admission treats pods: the pieces live in pod-defaults.ts, pod-validation.ts and pod-update.ts. */
import { preparePodForCreate, setPodSpecDefaults } from "./pod-defaults.js";
import { validatePodUpdate } from "./pod-update.js";
import { validatePodCreate } from "./pod-validation.js";
import { strategy } from "./strategy.js";
export const podStrategy = strategy({
    hasStatus: true,
    defaults: (pod) => setPodSpecDefaults((pod.spec ??= { containers: [] })),
    prepareForCreate: (pod, ctx) => preparePodForCreate(pod, ctx.nodeName),
    validateCreate: validatePodCreate,
    validateUpdate: validatePodUpdate,
});
//# sourceMappingURL=pod-strategy.js.map