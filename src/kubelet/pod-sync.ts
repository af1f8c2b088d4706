/**
 * The executor behind each pod worker (the kubelet's SyncPod / SyncTerminatingPod): admits the pod, observes the
 * runtime, asks computePodActions what to do, does it in the kubelet's order (kill pod → sandbox → kill containers
 * → start containers), records Events, collects dead containers, keeps the prober in step and writes the status.
 * Termination stops the containers with their grace period (preStop first, sidecars last), removes the sandbox and
 * everything it owned, then removes the pod object (the kubelet's final delete carrying the uid).
 */
import type { Pod, Quantity } from "../api/types.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import { VolumeError } from "../storage/volume-plugin.js";
import type { Store } from "../store/store.js";
import type { Backoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import { containerSpecHash } from "./container-hash.js";
import { collectableContainers } from "./container-gc.js";
import { ContainerKiller, fieldPathOf, specOf, type Stop } from "./container-killer.js";
import { backoffKey, ContainerStarter, type Waiting } from "./container-starter.js";
import type { EventRecorder } from "./events.js";
import type { HookRunner } from "./lifecycle-hooks.js";
import { computePodActions, isEvicted, latestByName, type ContainerToKill, type ObservedPod, type PodActions } from "./plan.js";
import { podCgroupPath } from "./pod-cgroup.js";
import type { PodObjects } from "./pod-objects.js";
import { terminationGrace, type PodSyncer } from "./pod-worker.js";
import type { Prober } from "./prober.js";
import type { ImageManager } from "./image-manager.js";
import type { ProbeState } from "./probe-state.js";
import { observed, runningInstances, StatusWriter, type StatusExtras, type StatusWriterDeps } from "./status-writer.js";
import { specGraceSeconds } from "../api/termination-grace.js";
import { monotonicMs, timeStep, type StartTraces } from "../sys/start-trace.js";

export interface PodSyncDeps {
  store: Store;
  runtime: PodRuntime;
  clock: Clock;
  events: EventRecorder;
  backoff: Backoff;
  /** Pull policies, image back-off and the image events before a container is created. */
  imageManager: ImageManager;
  probes: ProbeState;
  prober: Prober;
  hooks: HookRunner;
  objects: PodObjects;
  hostIP: () => string;
  /** The node's allocatable as its Node reports it (resourceFieldRef of an unset limit). */
  allocatable?: () => Record<string, Quantity> | undefined;
  /** Environment variables for Services in the pod's namespace (enableServiceLinks). */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>;
  /** Node admission: why the pod may not run here now (OutOfcpu, ...), or undefined when it fits. */
  admit?: (pod: Pod) => { reason: string; message: string; final?: boolean; unschedulable?: boolean } | undefined;
  /** A kill grace period that overrides the pod's (an eviction's: 0 for a hard threshold). */
  graceOverride?: (uid: string) => number | undefined;
  log?: (msg: string) => void;
  /** Hears the phase changes the status writer stores (pod start duration). */
  podStarts?: StatusWriterDeps["podStarts"];
  /** Times the steps of pod starts (`nodelet explain pod NAME --timing`). */
  traces?: StartTraces;
}

/** The start trace's mark for the moment the kubelet first sees a pod (the watch event). */
export const SEEN_SPAN = "kubelet: pod seen (watch event)";

export class PodSync implements PodSyncer {
  /** Why containers are waiting (start errors, back-off, hook failures), per pod uid. */
  private readonly waiting = new Map<string, Waiting>();
  /** Evicted pods whose volumes were already released. */
  private readonly released = new Set<string>();
  private readonly killer: ContainerKiller;
  private readonly starter: ContainerStarter;
  private readonly status: StatusWriter;

  constructor(private readonly d: PodSyncDeps) {
    this.killer = new ContainerKiller(d);
    this.status = new StatusWriter(d);
    this.starter = new ContainerStarter({ ...d, killer: this.killer, writeStatus: (pod, waiting) => this.status.write(pod, { waiting }) });
  }

  async syncPod(spec: Pod, signal?: AbortSignal, shutdown?: AbortSignal): Promise<number | undefined> {
    // The spec as the worker has it, with the status as stored (a static pod's status lives on its mirror).
    const pod: Pod = { ...spec, status: this.d.objects.statusObject(spec)?.status ?? spec.status };
    const uid = pod.metadata.uid!;
    const traces = this.d.traces?.isOpen(uid) ? this.d.traces : undefined;
    const syncBegan = monotonicMs();
    if (traces && traces.endOf(uid, "kubelet: pod worker wakes") === undefined) {
      traces.add(uid, "kubelet: pod worker wakes", traces.endOf(uid, SEEN_SPAN) ?? syncBegan, syncBegan);
    }
    const waiting = this.waitingOf(uid);
    const rejected = this.d.admit?.(pod);
    if (rejected?.final) {
      // lifecycle/predicate.go: a pod the node refuses for good fails with the refusal's reason and message.
      if (pod.status?.phase === "Failed") return undefined;
      this.d.events.record(pod, "Warning", rejected.reason, rejected.message);
      this.status.write(pod, { waiting, terminal: { phase: "Failed", reason: rejected.reason, message: rejected.message } });
      return undefined;
    }
    if (rejected) {
      this.d.events.record(pod, "Warning", rejected.reason, rejected.message, undefined, rejected.unschedulable ? "default-scheduler" : undefined);
      this.status.write(pod, { waiting, pending: rejected });
      return undefined;
    }
    const actions = computePodActions(pod, this.observe(pod));
    traces?.add(uid, "kubelet: admit and plan", syncBegan);
    const wake = new WakeAt(actions.recheckAt);
    const extras: StatusExtras = { waiting, terminal: actions.podFailed ? { phase: "Failed", ...actions.podFailed } : undefined };
    if (actions.podFailed?.reason && pod.status?.phase !== "Failed") this.d.events.record(pod, "Normal", actions.podFailed.reason, actions.podFailed.message ?? "");
    // As the kubelet's syncPod, the status first says what was observed: a pod whose containers have all ended
    // shows it at once, not after its sandbox has been torn down (a signal, a wait, the network). With containers
    // still to stop (a sidecar), their stopping comes first, so the status never shows a phase ahead of them.
    if (actions.killPod && this.d.runtime.containers(uid).every((c) => c.state === "exited")) this.status.write(pod, extras);
    await this.act(pod, actions, waiting, wake, { signal, shutdown });
    if (!signal?.aborted && !actions.killPod && !actions.createSandbox) await this.refreshVolumes(pod);
    if (!signal?.aborted) await this.collectGarbage(uid);
    if (!signal?.aborted && isEvicted(pod)) await this.releaseEvicted(pod);
    this.d.prober.update(pod, runningInstances(pod, this.d.runtime.containers(uid)));
    this.status.write(pod, extras);
    return wake.at;
  }

  private async act(pod: Pod, actions: PodActions, waiting: Waiting, wake: WakeAt, stop: Stop): Promise<void> {
    const { signal } = stop;
    if (actions.killPod) await this.killPod(pod, actions.createSandbox, stop);
    const traces = this.d.traces;
    const uid = pod.metadata.uid!;
    if (actions.createSandbox && !(await timeStep(traces, uid, "sandbox", () => this.createSandbox(pod), "phase"))) {
      wake.soon(this.d.clock.now() + 2000);
      return;
    }
    for (const k of actions.containersToKill) {
      if (signal?.aborted) return;
      const c = this.d.runtime.container(k.id);
      if (c) await this.killer.kill(pod, c, { grace: killGrace(pod, k), message: k.message, ...stop });
    }
    for (const s of actions.containersToStart) {
      if (signal?.aborted) return;
      const spec = specOf(pod, s.name, s.init)!;
      const retryAt = await timeStep(traces, uid, `container ${s.name}`, () => this.starter.start(pod, s, containerSpecHash(spec), waiting, stop), "phase");
      if (retryAt !== undefined) wake.soon(retryAt);
    }
    for (const b of actions.backingOff) this.backingOff(pod, b.name, b.until, waiting, wake);
  }

  private backingOff(pod: Pod, name: string, until: number, waiting: Waiting, wake: WakeAt): void {
    const uid = pod.metadata.uid!;
    const spec = specOf(pod, name, !pod.spec.containers.some((c) => c.name === name))!;
    const secs = Math.round(this.d.backoff.current(backoffKey(uid, name, containerSpecHash(spec))) / 1000);
    const who = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
    waiting.set(name, { reason: "CrashLoopBackOff", message: `back-off ${secs}s restarting failed container=${name} pod=${who}` });
    this.d.events.record(pod, "Warning", "BackOff", `Back-off restarting failed container ${name} in pod ${who}`, fieldPathOf(pod, name));
    wake.soon(until);
  }

  private waitingOf(uid: string): Waiting {
    let w = this.waiting.get(uid);
    if (!w) this.waiting.set(uid, (w = new Map<string, { reason: string; message?: string }>()));
    return w;
  }

  observe(pod: Pod): ObservedPod {
    const uid = pod.metadata.uid!;
    const sandbox = this.d.runtime.sandbox(uid);
    const records = this.d.runtime.containers(uid);
    const containers = records.map(observed);
    const backoffUntil = new Map<string, number>();
    for (const init of [true, false]) {
      for (const [name, c] of latestByName(containers, init)) {
        const spec = specOf(pod, name, init);
        if (!spec || c.state !== "exited" || c.finishedAt === undefined) continue;
        const until = this.d.backoff.backoffUntil(backoffKey(uid, name, containerSpecHash(spec)), c.finishedAt);
        if (until !== undefined) backoffUntil.set(name, until);
      }
    }
    const view = this.d.probes.view(uid, runningInstances(pod, records));
    return {
      sandbox: sandbox ? { state: sandbox.state, createdAt: Date.parse(sandbox.createdAt) } : undefined,
      containers,
      unhealthy: view.unhealthy,
      notStarted: view.notStarted,
      backoffUntil,
      specHash: containerSpecHash,
      now: this.d.clock.now(),
    };
  }

  private async createSandbox(pod: Pod): Promise<boolean> {
    const uid = pod.metadata.uid!;
    if (this.d.runtime.sandbox(uid)) this.d.events.record(pod, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    try {
      await this.d.runtime.runSandbox(pod, { cgroupPath: podCgroupPath(pod) });
      return true;
    } catch (err) {
      if (err instanceof VolumeError) this.d.events.record(pod, "Warning", "FailedMount", err.message);
      else this.d.events.record(pod, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${errorText(err)}`);
      return false;
    }
  }

  /**
   * A running pod's configMap/secret/downwardAPI/projected volumes follow their objects (the kubelet remounts them
   * on every sync): a failure is FailedMount and the content stays as it was.
   */
  private async refreshVolumes(pod: Pod): Promise<void> {
    if (!pod.spec.volumes?.length || !this.d.runtime.refreshVolumes) return;
    try {
      await this.d.runtime.refreshVolumes(pod);
    } catch (err) {
      if (err instanceof VolumeError) this.d.events.record(pod, "Warning", "FailedMount", err.message);
      else this.d.log?.(`pod ${pod.metadata.namespace}/${pod.metadata.name}: refreshing volumes: ${String(err)}`);
    }
  }

  /** Stops every running container and the sandbox; a sandbox about to be re-created does not wait long. */
  private async killPod(pod: Pod, recreating: boolean, stop: Stop): Promise<void> {
    const uid = pod.metadata.uid!;
    const running = this.d.runtime.containers(uid).filter((c) => c.state !== "exited");
    const grace = recreating ? Math.min(gracePeriod(pod), 2) : this.d.graceOverride?.(uid) ?? gracePeriod(pod);
    await this.killer.killAll(pod, running, { grace, ...stop });
    await this.d.runtime.stopSandbox(uid);
  }

  /**
   * An evicted pod's volumes and shared memory go once everything in it has stopped (the kubelet's
   * syncTerminatedPod): the disk or memory it held is what the eviction was for. Its object stays, Failed.
   */
  private async releaseEvicted(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    if (this.released.has(uid) || !this.d.runtime.releasePodResources) return;
    if (this.d.runtime.sandbox(uid)?.state === "ready" || this.d.runtime.containers(uid).some((c) => c.state !== "exited")) return;
    await this.d.runtime.releasePodResources(pod);
    this.released.add(uid);
  }

  private async collectGarbage(uid: string): Promise<void> {
    for (const id of collectableContainers(this.d.runtime.containers(uid))) await this.d.runtime.removeContainer(id);
  }

  /**
   * Stops and removes a pod. `pod` is the object being deleted (its deletion grace period applies), undefined when
   * it is gone from the store already (a forced delete, or deleted while we were down): then the containers are
   * killed at once, and `lastKnown` only names them in events. `shutdown` (the daemon stopping) ends the waits and
   * returns before the sandbox is removed; the next daemon terminates the pod again.
   */
  async terminatePod(uid: string, pod: Pod | undefined, lastKnown?: Pod, shutdown?: AbortSignal, shortened?: AbortSignal): Promise<void> {
    this.d.prober.terminating(uid);
    const grace = terminationGrace(pod);
    const running = this.d.runtime.containers(uid).filter((c) => c.state !== "exited");
    // A shorter grace period ends this kill's waits as the daemon stopping does; the worker kills again with it.
    const cut = shortened && shutdown ? AbortSignal.any([shutdown, shortened]) : shortened ?? shutdown;
    await this.killer.killAll(pod ?? lastKnown, running, { grace, force: grace === 0, signal: cut, shutdown: cut });
    // Stopping mid-way leaves the rest to the next daemon (it terminates the pod again), not to a closing store.
    if (cut?.aborted) return;
    if (pod) this.status.writeFinal(pod);
    await this.d.runtime.removeSandbox(uid, pod ?? lastKnown);
    this.d.backoff.forgetPrefix(`${uid}/`);
    this.d.prober.forget(uid);
    this.waiting.delete(uid);
    this.released.delete(uid);
    if (pod) this.d.objects.removeObject(pod);
  }
}

/** The earliest of the times a sync asks to be woken at. */
class WakeAt {
  constructor(public at?: number) {}
  soon(t: number): void {
    this.at = this.at === undefined ? t : Math.min(this.at, t);
  }
}

/** A liveness or startup probe's own terminationGracePeriodSeconds wins over the pod's for its kill. */
function killGrace(pod: Pod, k: ContainerToKill): number {
  if (k.reason !== "Unhealthy" || !k.probe) return gracePeriod(pod);
  const spec = specOf(pod, k.name, !pod.spec.containers.some((c) => c.name === k.name));
  const probe = k.probe === "liveness" ? spec?.livenessProbe : spec?.startupProbe;
  return probe?.terminationGracePeriodSeconds ?? gracePeriod(pod);
}

export function gracePeriod(pod: Pod): number {
  return specGraceSeconds(pod.spec);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
