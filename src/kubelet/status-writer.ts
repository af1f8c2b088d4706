/**
 * Writes a pod's status (the kubelet's status manager): gathers what generatePodStatus needs from the runtime and
 * the probe results, computes the status, and stores it through the status subresource when it changed. The
 * object written is the pod itself, or for a static pod its mirror pod (pod-objects.ts).
 */
import { ApiError } from "../api/errors.js";
import type { Container, Pod } from "../api/types.js";
import type { ContainerRecord, PodRuntime } from "../runtime/pod-runtime.js";
import type { Store } from "../store/store.js";
import type { Clock } from "./clock.js";
import { monotonicMs, type StartTraces } from "../sys/start-trace.js";
import type { ObservedContainer } from "./plan.js";
import { generatePodStatus, type StatusInput } from "./pod-status.js";
import type { PodObjects } from "./pod-objects.js";
import type { ProbeState, ProbeView } from "./probe-state.js";
import { rfc3339 } from "../api/time.js";

export interface StatusWriterDeps {
  store: Store;
  runtime: PodRuntime;
  clock: Clock;
  probes: ProbeState;
  objects: PodObjects;
  hostIP: () => string;
  /** Hears each phase change the writer stores (kubelet_pod_start_duration_seconds). */
  podStarts?: { phaseChange(uid: string, from: string | undefined, to: string | undefined): void };
  /** Pod start traces: the write that first says Running is the last step of a start. */
  traces?: StartTraces;
}

/** Pod-level facts the sync knows beyond the runtime: why containers wait, a final phase, a Pending reason. */
export interface StatusExtras {
  waiting: StatusInput["waiting"];
  terminal?: StatusInput["terminal"];
  pending?: StatusInput["pending"];
}

export function observed(c: ContainerRecord): ObservedContainer {
  return {
    id: c.id,
    name: c.name,
    attempt: c.attempt,
    init: c.init,
    state: c.state,
    exitCode: c.exitCode,
    specHash: c.specHash,
    finishedAt: c.finishedAt ? Date.parse(c.finishedAt) : undefined,
    createdAt: Date.parse(c.createdAt),
  };
}

/** The running instances of a pod's containers with their specs (for probe views). */
export function runningInstances(pod: Pod, records: ContainerRecord[]): { spec: Container; id: string; startedAt: number; init: boolean }[] {
  const out = [];
  for (const c of records) {
    if (c.state !== "running") continue;
    const spec = (c.init ? pod.spec.initContainers ?? [] : pod.spec.containers).find((s) => s.name === c.name);
    if (spec) out.push({ spec, id: c.id, startedAt: Date.parse(c.startedAt ?? c.createdAt), init: c.init });
  }
  return out;
}

export class StatusWriter {
  constructor(private readonly d: StatusWriterDeps) {}

  /** Computes and stores the pod's status if it changed; a pod being deleted or gone is left alone. */
  write(pod: Pod, extras: StatusExtras): void {
    const fresh = this.d.objects.statusObject(pod);
    if (!fresh || fresh.metadata.deletionTimestamp) return;
    const status = generatePodStatus({ ...pod, status: fresh.status }, this.input(pod, extras, fresh));
    if (JSON.stringify(status) === JSON.stringify(fresh.status ?? {})) return;
    const uid = pod.metadata.uid!;
    const began = monotonicMs();
    try {
      this.d.store.update<Pod>({ ...fresh, status }, { subresource: "status" });
      this.d.traces?.add(uid, `kubelet: status write (${status.phase ?? "no phase"})`, began);
      if (status.phase === "Running") this.d.traces?.complete(uid);
      if (status.phase !== fresh.status?.phase) this.d.podStarts?.phaseChange(uid, fresh.status?.phase, status.phase);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict")) throw err;
    }
  }

  /**
   * The last status of a deleted pod whose object finalizers keep (a Job's pod until the Job controller counted
   * it), written once its containers stopped: as the kubelet does for a terminated pod, a phase that is not final
   * becomes Failed, so whoever holds the finalizer sees how the pod ended. A pod that goes at once is not written.
   */
  writeFinal(pod: Pod): void {
    const fresh = this.d.objects.statusObject(pod);
    if (!fresh?.metadata.deletionTimestamp || !(fresh.metadata.finalizers?.length ?? 0)) return;
    const status = generatePodStatus({ ...pod, status: fresh.status }, this.input(pod, { waiting: new Map() }, fresh));
    if (status.phase !== "Succeeded") status.phase = "Failed";
    if (JSON.stringify(status) === JSON.stringify(fresh.status ?? {})) return;
    try {
      this.d.store.update<Pod>({ ...fresh, status }, { subresource: "status", resourceVersion: fresh.metadata.resourceVersion });
      if (status.phase !== fresh.status?.phase) this.d.podStarts?.phaseChange(pod.metadata.uid!, fresh.status?.phase, status.phase);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict")) throw err;
    }
  }

  private input(pod: Pod, extras: StatusExtras, fresh: Pod): StatusInput {
    const uid = pod.metadata.uid!;
    const sandbox = this.d.runtime.sandbox(uid);
    const records = this.d.runtime.containers(uid);
    const view: ProbeView = this.d.probes.view(uid, runningInstances(pod, records));
    const hostNetwork = fresh.spec.hostNetwork ?? pod.spec.hostNetwork;
    return {
      containers: records.map((c) => ({
        ...observed(c),
        startedAt: c.startedAt,
        finishedAtIso: c.finishedAt,
        reason: c.oomKilled ? "OOMKilled" : c.reason,
        message: c.message,
        signal: c.signal,
        imageId: c.imageId,
      })),
      sandboxReady: sandbox?.state === "ready",
      waiting: extras.waiting,
      readiness: view.readiness,
      started: view.started,
      podIPs: hostNetwork ? [this.d.hostIP()] : sandbox?.ips ?? [],
      hostIP: this.d.hostIP(),
      now: rfc3339(this.d.clock.now()),
      terminal: extras.terminal,
      pending: extras.pending,
    };
  }
}
