/**
 * The pod's status as the kubelet reports it (pkg/kubelet/kubelet_pods.go generateAPIPodStatus and getPhase):
 * container statuses from the runtime's containers, the phase from them and the restart policy, and the
 * conditions with their transition times. Pure.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from "../api/types.js";
import { podQOSClass } from "../api/qos.js";
import { messageBytesPerContainer, truncateUtf8 } from "../runtime/termination-message.js";
import { latestByName, type ObservedContainer } from "./plan.js";

/** What the status is computed from, beyond the pod itself. */
export interface StatusInput {
  containers: (ObservedContainer & { startedAt?: string; finishedAtIso?: string; reason?: string; message?: string; signal?: number; imageId: string })[];
  sandboxReady: boolean;
  /** Why a container is waiting, when the kubelet knows better than "ContainerCreating" (back-off, errors). */
  waiting: Map<string, { reason: string; message?: string }>;
  /** Readiness per container; a running container without a readiness probe is absent (= ready). */
  readiness: Map<string, boolean>;
  /** Startup-probe success per container; absent = started. */
  started: Map<string, boolean>;
  podIPs: string[];
  hostIP: string;
  now: string;
  /** The pod reached a final phase for a pod-level reason (DeadlineExceeded, an init failure). */
  terminal?: { phase: "Failed" | "Succeeded"; reason?: string; message?: string };
  /**
   * The node did not admit the pod (OutOfcpu, OutOfmemory, OutOfpods): it waits, with nothing started;
   * `unschedulable`: refused as the scheduler refuses (a ReadWriteOncePod claim in use), so it shows unscheduled.
   */
  pending?: { reason: string; message: string; unschedulable?: boolean };
}

type Observed = StatusInput["containers"][number];

export function generatePodStatus(pod: Pod, input: StatusInput): PodStatus {
  const old = pod.status ?? {};
  if (input.pending && input.containers.length === 0) return notAdmitted(pod, input, input.pending);
  const initsDone = initContainersDone(pod, input);
  // kubelet_pods.go convertToAPIContainerStatuses: with init containers, a container not made yet (init or not)
  // waits as PodInitializing (else ContainerCreating), even once the init containers are done.
  const notYet = pod.spec.initContainers?.length ? "PodInitializing" : undefined;
  const initStatuses = (pod.spec.initContainers ?? []).map((c) => containerStatus(c, true, input, notYet));
  const appStatuses = pod.spec.containers.map((c) => containerStatus(c, false, input, notYet));
  limitMessages(pod, [...initStatuses, ...appStatuses]);
  let phase = getPhase(pod, initStatuses, appStatuses);
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;
  if (input.terminal) phase = input.terminal.phase;
  const status: PodStatus = {
    phase,
    conditions: conditions(pod, input, initStatuses, appStatuses, phase, initsDone),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIPs[0],
    podIPs: input.podIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? input.now,
    containerStatuses: appStatuses,
    qosClass: podQOSClass(pod),
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  // Ephemeral containers have no probes and never make the pod ready (convertToAPIContainerStatuses).
  const ephemeral = (pod.spec.ephemeralContainers ?? []).map((c) => ({ ...containerStatus(c, false, input, notYet), ready: false }));
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral;
  if (!status.podIP) {
    delete status.podIP;
    delete status.podIPs;
  }
  // A pod-level reason sticks to a final phase; a Pending reason (OutOfcpu) goes once the pod is admitted.
  const final = phase === "Succeeded" || phase === "Failed";
  const reason = input.terminal?.reason ?? (final && phase === old.phase ? old.reason : undefined);
  if (reason) status.reason = reason;
  const message = input.terminal?.message ?? (final && phase === old.phase ? old.message : undefined);
  if (message) status.message = message;
  return status;
}

/**
 * A pod the node's admission turned away. The kubelet rejects such a pod for good (phase Failed, reason OutOfcpu,
 * lifecycle/predicate.go); nodelet keeps it Pending with the same reason and message and admits it once it fits.
 */
function notAdmitted(pod: Pod, input: StatusInput, why: { reason: string; message: string; unschedulable?: boolean }): PodStatus {
  const prev = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (why.unschedulable) {
    // The scheduler's view of a pod no node fits: Pending, no host, PodScheduled False with its reason and message.
    const since = prev?.status === "False" ? prev.lastTransitionTime : input.now;
    return {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: since, reason: "Unschedulable", message: why.message }],
      qosClass: podQOSClass(pod),
    };
  }
  return {
    phase: "Pending",
    reason: why.reason,
    message: why.message,
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: prev?.lastTransitionTime ?? input.now }],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    qosClass: podQOSClass(pod),
  };
}

/** A pod's termination messages together stay within 12 KiB, split evenly between its containers (as the kubelet). */
function limitMessages(pod: Pod, statuses: ContainerStatus[]): void {
  const max = messageBytesPerContainer(pod.spec);
  for (const s of statuses) {
    for (const t of [s.state.terminated, s.lastState?.terminated]) if (t?.message) t.message = truncateUtf8(t.message, max);
  }
}

function terminated(c: Observed): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      ...(c.signal ? { signal: c.signal } : {}),
      reason: c.reason ?? (c.exitCode === 0 ? "Completed" : "Error"),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt,
      finishedAt: c.finishedAtIso,
      containerID: `nodelet://${c.id}`,
    },
  };
}

function containerStatus(spec: Container, init: boolean, input: StatusInput, notYet: string | undefined): ContainerStatus {
  const mine = input.containers.filter((c) => c.init === init && c.name === spec.name).sort((a, b) => b.attempt - a.attempt);
  const [last, prev] = mine;
  const waiting = input.waiting.get(spec.name);
  const base = { name: spec.name, image: spec.image ?? "", imageID: last?.imageId ?? "", restartCount: last?.attempt ?? 0 };
  if (!last) {
    const reason = waiting?.reason ?? notYet ?? "ContainerCreating";
    return { ...base, state: { waiting: { reason, ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: {}, ready: false, started: false };
  }
  const containerID = `nodelet://${last.id}`;
  // A running container the kubelet has a waiting reason for (its postStart hook failed) is being killed: the
  // status says why at once, as it will once the container has stopped (the kill may take the grace period).
  if ((last.state === "running" || last.state === "created") && waiting) {
    return { ...base, containerID, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: prev ? terminated(prev) : {}, ready: false, started: false };
  }
  if (last.state === "running" || last.state === "created") {
    const started = input.started.get(spec.name) ?? true;
    const ready = started && (input.readiness.get(spec.name) ?? true);
    return { ...base, containerID, state: { running: { startedAt: last.startedAt } }, lastState: prev ? terminated(prev) : {}, ready, started };
  }
  if (waiting) {
    return { ...base, containerID, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: terminated(last), ready: false, started: false };
  }
  return { ...base, containerID, state: terminated(last), lastState: prev ? terminated(prev) : {}, ready: false, started: false };
}

function initContainersDone(pod: Pod, input: StatusInput): boolean {
  const latest = latestByName(input.containers, true);
  return (pod.spec.initContainers ?? []).every((c) => {
    const last = latest.get(c.name);
    if (c.restartPolicy === "Always") return last?.state === "running" && (input.started.get(c.name) ?? true);
    return last?.state === "exited" && last.exitCode === 0;
  });
}

/** kubelet_pods.go getPhase, for Kubernetes 1.32 (sidecar-aware). */
export function getPhase(pod: Pod, inits: ContainerStatus[], apps: ContainerStatus[]): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  (pod.spec.initContainers ?? []).forEach((c, i) => {
    const s = inits[i];
    if (c.restartPolicy === "Always") {
      if (s.state.running ? !s.started : !(s.state.waiting && s.lastState.terminated)) pendingInit++;
      return;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) failedInit += s.state.terminated.exitCode !== 0 ? 1 : 0;
    else if (s.state.waiting && s.lastState.terminated) failedInit += s.lastState.terminated.exitCode !== 0 ? 1 : 0;
    else pendingInit++;
  });
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const s of apps) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting && s.lastState.terminated) stopped++;
    else waiting++;
  }
  const policy = pod.spec.restartPolicy ?? "Always";
  if (failedInit > 0 && policy === "Never") return "Failed";
  const anyRegularStarted = apps.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    return policy === "Never" ? "Failed" : "Running";
  }
  return "Pending";
}

function conditions(
  pod: Pod,
  input: StatusInput,
  inits: ContainerStatus[],
  apps: ContainerStatus[],
  phase: PodPhase,
  initsDone: boolean,
): PodCondition[] {
  const previous = new Map((pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const make = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const status = ok ? "True" : "False";
    const prev = previous.get(type);
    const since = prev && prev.status === status ? prev.lastTransitionTime : input.now;
    return { type, status, lastProbeTime: null, lastTransitionTime: since, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
  };
  const completed = phase === "Succeeded" || phase === "Failed";
  const unready = [...inits.filter((s, i) => pod.spec.initContainers![i].restartPolicy === "Always" && !s.ready), ...apps.filter((s) => !s.ready)].map((s) => s.name);
  const initDone = (c: Container, s: ContainerStatus) =>
    c.restartPolicy === "Always" ? Boolean(s.state.running && s.started) : s.state.terminated?.exitCode === 0;
  const notInit = (pod.spec.initContainers ?? []).filter((c, i) => !initDone(c, inits[i])).map((c) => c.name);
  const readyReason = completed ? "PodCompleted" : "ContainersNotReady";
  const readyMessage = completed ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  const ready = unready.length === 0 && !completed;
  const initialized = initsDone || phase === "Succeeded";
  return [
    make("PodReadyToStartContainers", input.sandboxReady),
    // status/generate.go GeneratePodInitializedCondition: only a Succeeded pod counts as initialized regardless.
    make("Initialized", initialized, initialized ? undefined : "ContainersNotInitialized",
      initialized ? undefined : `containers with incomplete status: [${notInit.join(" ")}]`),
    make("Ready", ready, ready ? undefined : readyReason, ready ? undefined : readyMessage),
    make("ContainersReady", ready, ready ? undefined : readyReason, ready ? undefined : readyMessage),
    make("PodScheduled", true),
    // Set by the eviction manager when it ends the pod (reason TerminationByKubelet); kept as it was written.
    ...(previous.has("DisruptionTarget") ? [previous.get("DisruptionTarget")!] : []),
  ];
}
