/**
 * Garbage collection of dead containers (pkg/kubelet/kuberuntime/kuberuntime_gc.go, per pod): of each container
 * name, the newest instances are kept — the current one and the one before it, which `logs --previous` and the
 * status's lastState read — and older dead instances are removed with their logs. Running containers are never
 * collected; a pod's last containers go with the pod. Pure selection; the pod sync removes what it returns.
 */
import type { ContainerRecord } from "../runtime/pod-runtime.js";

/** How many instances of each container name are kept (the current one and the previous one). */
export const KEEP_PER_CONTAINER = 2;

/** The ids of the dead containers of one pod that may be removed. */
export function collectableContainers(records: ContainerRecord[], keep = KEEP_PER_CONTAINER): string[] {
  const byName = new Map<string, ContainerRecord[]>();
  for (const c of records) {
    const key = `${c.init ? "init" : "app"}/${c.name}`;
    const list = byName.get(key) ?? [];
    list.push(c);
    byName.set(key, list);
  }
  const out: string[] = [];
  for (const list of byName.values()) {
    list.sort((a, b) => b.attempt - a.attempt);
    for (const c of list.slice(keep)) if (c.state === "exited") out.push(c.id);
  }
  return out;
}
