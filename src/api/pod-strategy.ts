/** How admission treats pods: the pieces live in pod-defaults.ts, pod-validation.ts and pod-update.ts. */
import { preparePodForCreate, setPodSpecDefaults } from "./pod-defaults.js";
import { validatePodUpdate } from "./pod-update.js";
import { keepPodPriority } from "./priority-class.js";
import { validatePodCreate } from "./pod-validation.js";
import { strategy } from "./strategy.js";
import type { Pod } from "./types.js";

export const podStrategy = strategy<Pod>({
  hasStatus: true,
  defaults: (pod) => setPodSpecDefaults((pod.spec ??= { containers: [] })),
  prepareForCreate: (pod, ctx) => preparePodForCreate(pod, ctx.nodeName),
  // The Priority plugin's update half: what it set at create stays when a replacement leaves it out.
  prepareForUpdate: keepPodPriority,
  validateCreate: validatePodCreate,
  validateUpdate: validatePodUpdate,
});
