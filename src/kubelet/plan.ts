/**
 * computePodActions: what must happen to one pod, decided from what is wanted (the pod spec) and what is seen (the
 * runtime's sandbox and containers, probe results, back-off), as a pure function — the kubelet's
 * kuberuntime_manager.go computePodActions, tested exhaustively without root. The executor (pod-worker.ts) carries
 * the actions out.
 */
import type { Container, Pod, RestartPolicy } from "../api/types.js";

export interface ObservedContainer {
  id: string;
  name: string;
  attempt: number;
  init: boolean;
  state: "created" | "running" | "exited";
  exitCode?: number;
  specHash: string;
  /** ms since epoch. */
  finishedAt?: number;
}

export interface ObservedPod {
  sandbox?: { state: "ready" | "notready" };
  containers: ObservedContainer[];
  /** Containers whose liveness (or startup) probe has failed past its threshold: kill and restart them. */
  unhealthy: Set<string>;
  /** Containers whose startup probe has not yet succeeded (sidecars block the next init container until then). */
  notStarted: Set<string>;
  /** Per container name: until when it must wait before restarting (ms), if in back-off. */
  backoffUntil: Map<string, number>;
  /** Hash of each container's current spec, to notice a spec change (image update). */
  specHash: (c: Container) => string;
}

export type KillReason = "Unhealthy" | "SpecChanged" | "SidecarTermination" | "PodTermination";

export interface ContainerToStart {
  name: string;
  init: boolean;
  attempt: number;
  /** The exit this start restarts after (back-off bookkeeping); undefined for a first start. */
  restartAfter?: number;
}

export interface PodActions {
  /** Stop every container and the sandbox (before re-creating it, or because the pod is done). */
  killPod: boolean;
  createSandbox: boolean;
  containersToKill: { id: string; name: string; reason: KillReason; message: string }[];
  containersToStart: ContainerToStart[];
  /** Containers that would start but are in back-off, with when to try again. */
  backingOff: { name: string; until: number }[];
  /** An init container failed under restartPolicy Never: the pod has failed. */
  podFailed: boolean;
}

const empty = (): PodActions => ({
  killPod: false,
  createSandbox: false,
  containersToKill: [],
  containersToStart: [],
  backingOff: [],
  podFailed: false,
});

/** The most recent container (highest attempt) of each name. */
export function latestByName(containers: ObservedContainer[], init: boolean): Map<string, ObservedContainer> {
  const out = new Map<string, ObservedContainer>();
  for (const c of containers) {
    if (c.init !== init) continue;
    const cur = out.get(c.name);
    if (!cur || c.attempt > cur.attempt) out.set(c.name, c);
  }
  return out;
}

/** Whether an exited container restarts under the pod's policy (sidecars always restart). */
export function shouldRestart(policy: RestartPolicy, exitCode: number | undefined, sidecar = false): boolean {
  if (sidecar || policy === "Always") return true;
  if (policy === "OnFailure") return exitCode !== 0;
  return false;
}

export function computePodActions(pod: Pod, seen: ObservedPod): PodActions {
  const policy = pod.spec.restartPolicy ?? "Always";
  const inits = latestByName(seen.containers, true);
  const apps = latestByName(seen.containers, false);
  if (seen.sandbox?.state !== "ready") return sandboxActions(pod, seen, policy, inits, apps);

  const actions = empty();
  if (!initContainersDone(pod, seen, policy, inits, actions)) return finish(actions, seen, inits, apps, false);
  for (const c of pod.spec.containers) planAppContainer(c, seen, policy, apps.get(c.name), actions);
  stopSidecarsWhenMainDone(pod, seen, policy, inits, apps, actions);
  return finish(actions, seen, inits, apps, true);
}

/** No ready sandbox: create one (and start from the first init container), unless the pod has run to its end. */
function sandboxActions(
  pod: Pod,
  seen: ObservedPod,
  policy: RestartPolicy,
  inits: Map<string, ObservedContainer>,
  apps: Map<string, ObservedContainer>,
): PodActions {
  const actions = empty();
  actions.killPod = seen.sandbox !== undefined || seen.containers.some((c) => c.state !== "exited");
  const ranBefore = seen.containers.length > 0;
  // kubelet: a pod that must not restart and has already run keeps its dead sandbox (its phase is final).
  if (ranBefore && policy === "Never") return actions;
  const done = pod.spec.containers.every((c) => apps.get(c.name)?.state === "exited" && !shouldRestart(policy, apps.get(c.name)!.exitCode));
  if (ranBefore && done) return actions;
  actions.createSandbox = true;
  const firstInit = pod.spec.initContainers?.[0];
  if (firstInit) {
    actions.containersToStart.push(startOf(firstInit, true, inits.get(firstInit.name)));
    return actions;
  }
  for (const c of pod.spec.containers) {
    const last = apps.get(c.name);
    if (last?.state === "exited" && !shouldRestart(policy, last.exitCode)) continue;
    actions.containersToStart.push(startOf(c, false, last));
  }
  return actions;
}

function startOf(c: Container, init: boolean, last: ObservedContainer | undefined): ContainerToStart {
  return { name: c.name, init, attempt: last ? last.attempt + 1 : 0, restartAfter: last?.finishedAt };
}

/**
 * Walks the init containers in order. Returns true when all regular init containers have succeeded and every
 * sidecar is running and started; otherwise records the one next step and returns false.
 */
function initContainersDone(
  pod: Pod,
  seen: ObservedPod,
  policy: RestartPolicy,
  inits: Map<string, ObservedContainer>,
  actions: PodActions,
): boolean {
  for (const c of pod.spec.initContainers ?? []) {
    const last = inits.get(c.name);
    if (c.restartPolicy === "Always") {
      planRunning(c, seen, last, actions, true, policy);
      if (last?.state !== "running" || seen.notStarted.has(c.name)) return false;
      continue;
    }
    if (!last) {
      actions.containersToStart.push(startOf(c, true, undefined));
      return false;
    }
    if (last.state !== "exited") return false;
    if (last.exitCode === 0) continue;
    if (policy === "Never") {
      actions.podFailed = true;
      actions.killPod = true;
    } else {
      startWithBackoff(c, true, last, seen, actions);
    }
    return false;
  }
  return true;
}

/** A container that should be running: start it, restart it, or kill it when unhealthy or changed. */
function planRunning(
  c: Container,
  seen: ObservedPod,
  last: ObservedContainer | undefined,
  actions: PodActions,
  sidecar: boolean,
  policy: RestartPolicy,
): void {
  if (!last) {
    actions.containersToStart.push(startOf(c, sidecar, undefined));
    return;
  }
  if (last.state === "running" || last.state === "created") {
    const changed = last.specHash !== seen.specHash(c);
    if (changed || seen.unhealthy.has(c.name)) {
      const reason: KillReason = changed ? "SpecChanged" : "Unhealthy";
      const message = changed
        ? `Container ${c.name} definition changed, will be restarted`
        : `Container ${c.name} failed liveness probe, will be restarted`;
      actions.containersToKill.push({ id: last.id, name: c.name, reason, message });
      // kubelet restarts a container it killed for these reasons right away if the policy allows it.
      if (shouldRestart(policy, 137, sidecar)) actions.containersToStart.push(startOf(c, sidecar, last));
    }
    return;
  }
  if (shouldRestart(policy, last.exitCode, sidecar)) startWithBackoff(c, sidecar, last, seen, actions);
}

function planAppContainer(c: Container, seen: ObservedPod, policy: RestartPolicy, last: ObservedContainer | undefined, actions: PodActions): void {
  planRunning(c, seen, last, actions, false, policy);
}

function startWithBackoff(c: Container, init: boolean, last: ObservedContainer, seen: ObservedPod, actions: PodActions): void {
  const until = seen.backoffUntil.get(c.name);
  if (until !== undefined) actions.backingOff.push({ name: c.name, until });
  else actions.containersToStart.push(startOf(c, init, last));
}

/**
 * KEP-753: once every regular container of a pod that will not restart them has finished, its sidecars are
 * stopped (they would otherwise keep the pod Running forever).
 */
function stopSidecarsWhenMainDone(
  pod: Pod,
  _seen: ObservedPod,
  policy: RestartPolicy,
  inits: Map<string, ObservedContainer>,
  apps: Map<string, ObservedContainer>,
  actions: PodActions,
): void {
  if (policy === "Always") return;
  const mainDone = pod.spec.containers.every((c) => {
    const last = apps.get(c.name);
    return last?.state === "exited" && !shouldRestart(policy, last.exitCode);
  });
  if (!mainDone) return;
  actions.containersToStart = actions.containersToStart.filter((s) => !s.init);
  actions.backingOff = actions.backingOff.filter((b) => !(pod.spec.initContainers ?? []).some((c) => c.name === b.name));
  for (const c of [...(pod.spec.initContainers ?? [])].reverse()) {
    const last = inits.get(c.name);
    if (c.restartPolicy === "Always" && last && last.state !== "exited") {
      actions.containersToKill.push({ id: last.id, name: c.name, reason: "SidecarTermination", message: `Stopping sidecar container ${c.name}` });
    }
  }
}

/** kubelet: nothing to start, nothing waiting and nothing left running → the pod is done; stop its sandbox. */
function finish(
  actions: PodActions,
  seen: ObservedPod,
  inits: Map<string, ObservedContainer>,
  apps: Map<string, ObservedContainer>,
  initsDone: boolean,
): PodActions {
  if (actions.killPod || !initsDone) return actions;
  const killed = new Set(actions.containersToKill.map((k) => k.id));
  const keep = [...inits.values(), ...apps.values()].filter((c) => c.state !== "exited" && !killed.has(c.id));
  if (actions.containersToStart.length === 0 && actions.backingOff.length === 0 && keep.length === 0 && seen.containers.length > 0) {
    actions.killPod = true;
  }
  return actions;
}
