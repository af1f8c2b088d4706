/**
 * computePodActions: what must happen to one pod, decided from what is wanted (the pod spec) and what is seen (the
 * runtime's sandbox and containers, probe results, back-off, the time), as a pure function — the kubelet's
 * kuberuntime_manager.go computePodActions (and computeInitContainerActions for init containers and sidecars),
 * tested exhaustively without root. The executor (pod-sync.ts) carries the actions out.
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
  /** ms since epoch; an init container made before the current sandbox ran for an earlier one. */
  createdAt?: number;
}

/** Which probe declared a running container unhealthy. */
export type FailedProbe = "liveness" | "startup";

export interface ObservedPod {
  sandbox?: { state: "ready" | "notready"; createdAt?: number };
  containers: ObservedContainer[];
  /** Running containers (by name) whose liveness or startup probe failed past its threshold: kill and restart. */
  unhealthy: Map<string, FailedProbe>;
  /** Containers whose startup probe has not yet succeeded (sidecars block the next init container until then). */
  notStarted: Set<string>;
  /** Per container name: until when it must wait before restarting (ms), if in back-off. */
  backoffUntil: Map<string, number>;
  /** Hash of each container's current spec, to notice a spec change (image update). */
  specHash: (c: Container) => string;
  /** Now (ms since epoch): activeDeadlineSeconds is measured against it. */
  now: number;
}

export type KillReason = "Unhealthy" | "SpecChanged" | "SidecarTermination" | "PodTermination";

export interface ContainerToKill {
  id: string;
  name: string;
  reason: KillReason;
  /** The Killing event's message, as the kubelet words it. */
  message: string;
  /** Which probe failed, for a kill with reason Unhealthy (its terminationGracePeriodSeconds may apply). */
  probe?: FailedProbe;
}

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
  containersToKill: ContainerToKill[];
  containersToStart: ContainerToStart[];
  /** Containers that would start but are in back-off, with when to try again. */
  backingOff: { name: string; until: number }[];
  /** The pod has failed for a pod-level reason (an init container failed under Never, its deadline passed). */
  podFailed?: { reason?: string; message?: string };
  /** When the plan may change without any event (the active deadline): sync again then. */
  recheckAt?: number;
}

const empty = (): PodActions => ({ killPod: false, createSandbox: false, containersToKill: [], containersToStart: [], backingOff: [] });

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

export const isSidecar = (c: Container): boolean => c.restartPolicy === "Always";

export function computePodActions(pod: Pod, seen: ObservedPod): PodActions {
  const policy = pod.spec.restartPolicy ?? "Always";
  const inits = latestByName(seen.containers, true);
  const apps = latestByName(seen.containers, false);
  if (failedForGood(pod)) return stopForGood(seen);
  const deadline = activeDeadline(pod);
  if (deadline !== undefined && seen.now >= deadline && !isTerminal(pod)) return deadlineExceeded(seen);

  const actions = seen.sandbox?.state !== "ready" ? sandboxActions(pod, seen, policy, inits, apps) : runningPodActions(pod, seen, policy, inits, apps);
  if (deadline !== undefined && !isTerminal(pod)) actions.recheckAt = deadline;
  return actions;
}

function runningPodActions(
  pod: Pod,
  seen: ObservedPod,
  policy: RestartPolicy,
  inits: Map<string, ObservedContainer>,
  apps: Map<string, ObservedContainer>,
): PodActions {
  const actions = empty();
  if (!initContainersDone(pod, seen, policy, inits, apps.size > 0, actions)) return finish(actions, seen, inits, apps, false);
  for (const c of pod.spec.containers) planRunning(c, seen, apps.get(c.name), actions, false, policy);
  stopSidecarsWhenMainDone(pod, policy, inits, apps, actions);
  const done = finish(actions, seen, inits, apps, true, ephemeralNames(pod));
  if (!done.killPod) startEphemeral(pod, apps, done);
  return done;
}

const ephemeralNames = (pod: Pod): Set<string> => new Set((pod.spec.ephemeralContainers ?? []).map((c) => c.name));

/**
 * Ephemeral containers (kubectl debug) run once each in a running pod: started when first seen in the spec, never
 * restarted, never restarted with a re-created sandbox, and not what keeps a pod alive (the kubelet's
 * EphemeralContainersToStart). They are app containers to the runtime; their names are unique in the pod.
 */
function startEphemeral(pod: Pod, apps: Map<string, ObservedContainer>, actions: PodActions): void {
  for (const c of pod.spec.ephemeralContainers ?? []) {
    if (!apps.has(c.name)) actions.containersToStart.push(startOf(c, false, undefined));
  }
}

/** When the pod's activeDeadlineSeconds runs out (ms), counted from status.startTime as the kubelet does. */
export function activeDeadline(pod: Pod): number | undefined {
  const secs = pod.spec.activeDeadlineSeconds;
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  if (secs === undefined || Number.isNaN(start)) return undefined;
  return start + secs * 1000;
}

const isTerminal = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** The eviction manager failed the pod (PodIsEvicted). */
export const isEvicted = (pod: Pod): boolean => pod.status?.phase === "Failed" && pod.status.reason === "Evicted";

/**
 * Failed for a pod-level reason (Evicted, DeadlineExceeded, refused by admission): the kubelet never runs a pod in
 * a terminal phase again, whatever its restart policy; whatever still runs is stopped.
 */
const failedForGood = (pod: Pod): boolean => pod.status?.phase === "Failed" && Boolean(pod.status.reason);

function stopForGood(seen: ObservedPod): PodActions {
  const actions = empty();
  actions.killPod = seen.sandbox?.state === "ready" || seen.containers.some((c) => c.state !== "exited");
  return actions;
}

/** pkg/kubelet/active_deadline.go: the pod fails with reason DeadlineExceeded and everything in it stops. */
function deadlineExceeded(seen: ObservedPod): PodActions {
  const actions = empty();
  actions.killPod = seen.sandbox?.state === "ready" || seen.containers.some((c) => c.state !== "exited");
  actions.podFailed = { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };
  return actions;
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
  const done = pod.spec.containers.every((c) => {
    const last = apps.get(c.name);
    return last?.state === "exited" && !shouldRestart(policy, last.exitCode);
  });
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
 * sidecar is running and started; otherwise records the one next step and returns false. A sidecar that crashes
 * after the pod initialized is restarted here too (it keeps restartPolicy Always whatever the pod's policy).
 */
function initContainersDone(
  pod: Pod,
  seen: ObservedPod,
  policy: RestartPolicy,
  inits: Map<string, ObservedContainer>,
  initialized: boolean,
  actions: PodActions,
): boolean {
  for (const c of pod.spec.initContainers ?? []) {
    const last = inits.get(c.name);
    if (isSidecar(c)) {
      planRunning(c, seen, last, actions, true, policy);
      // Once app containers have run (the kubelet's podHasInitialized), a restarting sidecar blocks nothing.
      if ((last?.state !== "running" || seen.notStarted.has(c.name)) && !initialized) return false;
      continue;
    }
    if (!last || ranInEarlierSandbox(last, seen)) {
      // A re-created sandbox runs its init containers again, as the kubelet does.
      actions.containersToStart.push(startOf(c, true, last));
      return false;
    }
    if (last.state !== "exited") return false;
    if (last.exitCode === 0) continue;
    if (policy === "Never") {
      actions.podFailed = {};
      actions.killPod = true;
    } else {
      startWithBackoff(c, true, last, seen, actions);
    }
    return false;
  }
  return true;
}

function ranInEarlierSandbox(c: ObservedContainer, seen: ObservedPod): boolean {
  const since = seen.sandbox?.createdAt;
  return since !== undefined && c.createdAt !== undefined && c.state === "exited" && c.createdAt < since;
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
    const kill = killFor(c, last, seen);
    if (kill) {
      actions.containersToKill.push(kill);
      // kubelet restarts a container it killed for these reasons right away if the policy allows it.
      if (shouldRestart(policy, 137, sidecar)) actions.containersToStart.push(startOf(c, sidecar, last));
    }
    return;
  }
  if (shouldRestart(policy, last.exitCode, sidecar)) startWithBackoff(c, sidecar, last, seen, actions);
}

/** The kill a running container needs: its spec changed, or a liveness/startup probe gave up on it. */
function killFor(c: Container, last: ObservedContainer, seen: ObservedPod): ContainerToKill | undefined {
  if (last.specHash !== seen.specHash(c)) {
    return { id: last.id, name: c.name, reason: "SpecChanged", message: `Container ${c.name} definition changed, will be restarted` };
  }
  const probe = seen.unhealthy.get(c.name);
  if (!probe) return undefined;
  return { id: last.id, name: c.name, reason: "Unhealthy", probe, message: `Container ${c.name} failed ${probe} probe, will be restarted` };
}

function startWithBackoff(c: Container, init: boolean, last: ObservedContainer, seen: ObservedPod, actions: PodActions): void {
  const until = seen.backoffUntil.get(c.name);
  if (until !== undefined) actions.backingOff.push({ name: c.name, until });
  else actions.containersToStart.push(startOf(c, init, last));
}

/**
 * KEP-753: once every regular container of a pod that will not restart them has finished, its sidecars are
 * stopped, last defined first (they would otherwise keep the pod Running forever).
 */
function stopSidecarsWhenMainDone(
  pod: Pod,
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
  const sidecars = new Set((pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name));
  actions.containersToStart = actions.containersToStart.filter((s) => !s.init);
  actions.backingOff = actions.backingOff.filter((b) => !sidecars.has(b.name));
  actions.containersToKill = actions.containersToKill.filter((k) => !sidecars.has(k.name));
  for (const c of [...(pod.spec.initContainers ?? [])].reverse()) {
    const last = inits.get(c.name);
    if (isSidecar(c) && last && last.state !== "exited") {
      actions.containersToKill.push({ id: last.id, name: c.name, reason: "SidecarTermination", message: `Stopping container ${c.name}` });
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
  ephemeral: Set<string> = new Set(),
): PodActions {
  if (actions.killPod || !initsDone) return actions;
  const killed = new Set(actions.containersToKill.map((k) => k.id));
  const keep = [...inits.values(), ...apps.values()].filter((c) => c.state !== "exited" && !killed.has(c.id) && !ephemeral.has(c.name));
  if (actions.containersToStart.length === 0 && actions.backingOff.length === 0 && keep.length === 0 && seen.containers.length > 0) {
    actions.killPod = true;
  }
  return actions;
}
