/**
 * The Priority admission plugin in the API server (plugin/pkg/admission/priority), over the PriorityClasses in the
 * store: the built-in classes created at start (the API server's post-start hook) and never deleted; a new pod's
 * priority and preemptionPolicy resolved from its class (api/priority-class.ts admitPodPriority); a second
 * globalDefault class refused. The rules are pure in api/; this file only reads the store and words the refusals.
 */
import type { ApiServer } from "../apiserver/index.js";
import { ApiError } from "../api/errors.js";
import { admitPodPriority, globalDefaultConflict, isSystemPriorityClass, SYSTEM_PRIORITY_CLASSES, type PriorityClass } from "../api/priority-class.js";
import type { KubeObject, Pod } from "../api/types.js";
import type { Store } from "../store/store.js";
import { createIfMissing } from "../store/create-if-missing.js";

const GROUP = "scheduling.k8s.io";

/** Creates the built-in classes that are missing (an existing one is left as it is: validation keeps it right). */
export function ensureSystemPriorityClasses(store: Store): void {
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    createIfMissing<PriorityClass>(store, structuredClone(pc));
  }
}

/** Installs the plugin's hooks on `api` (before it listens), after creating the built-in classes. */
export function installPriorityAdmission(store: Store, api: ApiServer): void {
  ensureSystemPriorityClasses(store);
  const classes = () => store.list<PriorityClass>("PriorityClass").items;
  api.registerCreateHook("Pod", (obj) => {
    const pod = obj as Pod;
    const why = admitPodPriority(pod, (name) => store.get<PriorityClass>("PriorityClass", "", name), classes);
    if (why) throw ApiError.forbidden("pods", pod.metadata.name ?? "", why);
    return pod;
  });
  const checkDefault = (obj: KubeObject) => {
    const why = globalDefaultConflict(obj as PriorityClass, classes());
    if (why) throw ApiError.forbidden("priorityclasses", obj.metadata.name ?? "", why, GROUP);
  };
  api.registerCreateHook("PriorityClass", checkDefault);
  api.registerUpdateHook("PriorityClass", checkDefault);
  api.registerDeleteHook("PriorityClass", (obj) => {
    if (isSystemPriorityClass(obj.metadata.name ?? "")) {
      throw ApiError.forbidden("priorityclasses", obj.metadata.name ?? "", "this is a system priority class and cannot be deleted", GROUP);
    }
  });
}
