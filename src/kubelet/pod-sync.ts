/**
 * The executor behind each pod worker: observes the runtime, asks computePodActions what to do, does it in the
 * kubelet's order (kill → sandbox → kill containers → start containers), records Events, and writes the pod's
 * status. Termination stops the containers with their grace period, removes the sandbox and everything it owned,
 * then removes the pod object (the kubelet's final delete carrying the uid).
 */
import { ApiError } from "../api/errors.js";
import type { ConfigMap, Container, Pod, Secret } from "../api/types.js";
import { ContainerStartError, type ContainerRecord, type PodRuntime } from "../runtime/pod-runtime.js";
import { containerSpecHash } from "../runtime/linux-runtime.js";
import type { EnvSources } from "../runtime/container-env.js";
import { VolumeError } from "../storage/volumes.js";
import type { Store } from "../store/store.js";
import { Backoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { EventRecorder } from "./events.js";
import { computePodActions, latestByName, type ContainerToStart, type ObservedPod } from "./plan.js";
import { generatePodStatus, type StatusInput } from "./pod-status.js";
import type { PodSyncer } from "./pod-worker.js";
import type { ProbeState } from "./probe-state.js";

export interface PodSyncDeps {
  store: Store;
  runtime: PodRuntime;
  clock: Clock;
  events: EventRecorder;
  backoff: Backoff;
  probes: ProbeState;
  hostIP: () => string;
  /** Environment variables for Services in the pod's namespace (enableServiceLinks). */
  serviceEnv?: (namespace: string) => Record<string, string>;
}

type Waiting = Map<string, { reason: string; message?: string }>;

export class PodSync implements PodSyncer {
  /** Why containers are waiting (start errors, back-off), per pod uid. */
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly d: PodSyncDeps) {}

  async syncPod(pod: Pod): Promise<number | undefined> {
    const uid = pod.metadata.uid!;
    const waiting = this.waitingOf(uid);
    const actions = computePodActions(pod, this.observe(pod));
    let wakeAt: number | undefined;
    const soon = (t: number) => (wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t));

    if (actions.killPod) await this.killPod(pod, actions.createSandbox);
    if (actions.createSandbox && !(await this.createSandbox(pod))) {
      soon(this.d.clock.now() + 2000);
      await this.writeStatus(pod);
      return wakeAt;
    }
    for (const k of actions.containersToKill) {
      this.d.events.record(pod, "Normal", "Killing", k.message, fieldPathOf(pod, k.name));
      await this.d.runtime.stopContainer(k.id, gracePeriod(pod));
      this.d.probes.reset(uid, k.name);
    }
    for (const s of actions.containersToStart) {
      const retryAt = await this.startContainer(pod, s, waiting);
      if (retryAt !== undefined) soon(retryAt);
    }
    for (const b of actions.backingOff) {
      const secs = Math.round(this.d.backoff.current(backoffKey(uid, b.name)) / 1000);
      waiting.set(b.name, { reason: "CrashLoopBackOff", message: `back-off ${secs}s restarting failed container=${b.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})` });
      this.d.events.record(pod, "Warning", "BackOff", "Back-off restarting failed container " + `${b.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`, fieldPathOf(pod, b.name));
      soon(b.until);
    }
    await this.writeStatus(pod, actions.podFailed ? { phase: "Failed" } : undefined);
    return wakeAt;
  }

  private waitingOf(uid: string): Waiting {
    let w = this.waiting.get(uid);
    if (!w) this.waiting.set(uid, (w = new Map()));
    return w;
  }

  observe(pod: Pod): ObservedPod {
    const uid = pod.metadata.uid!;
    const sandbox = this.d.runtime.sandbox(uid);
    const containers = this.d.runtime.containers(uid).map(observed);
    const backoffUntil = new Map<string, number>();
    for (const init of [true, false]) {
      for (const [name, c] of latestByName(containers, init)) {
        if (c.state !== "exited" || c.finishedAt === undefined) continue;
        const until = this.d.backoff.backoffUntil(backoffKey(uid, name), c.finishedAt);
        if (until !== undefined) backoffUntil.set(name, until);
      }
    }
    return {
      sandbox: sandbox ? { state: sandbox.state } : undefined,
      containers,
      unhealthy: this.d.probes.unhealthy(uid),
      notStarted: this.d.probes.notStarted(uid),
      backoffUntil,
      specHash: (c: Container) => containerSpecHash(c),
    };
  }

  private async createSandbox(pod: Pod): Promise<boolean> {
    const uid = pod.metadata.uid!;
    const hadOne = this.d.runtime.sandbox(uid) !== undefined;
    if (hadOne) this.d.events.record(pod, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    try {
      await this.d.runtime.runSandbox(pod);
      return true;
    } catch (err) {
      if (err instanceof VolumeError) this.d.events.record(pod, "Warning", "FailedMount", err.message);
      else this.d.events.record(pod, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${errorText(err)}`);
      return false;
    }
  }

  /** Starts one container; returns when to retry if it could not start. */
  private async startContainer(pod: Pod, s: ContainerToStart, waiting: Waiting): Promise<number | undefined> {
    const uid = pod.metadata.uid!;
    const spec = (s.init ? pod.spec.initContainers ?? [] : pod.spec.containers).find((c) => c.name === s.name)!;
    const fieldPath = fieldPathOf(pod, s.name);
    const errKey = `${backoffKey(uid, s.name)}/start-error`;
    if (s.restartAfter !== undefined) this.d.backoff.next(backoffKey(uid, s.name), s.restartAfter);
    try {
      await this.d.runtime.startContainer(pod, spec, { attempt: s.attempt, init: s.init, env: this.envSources(pod, spec) });
    } catch (err) {
      if (!(err instanceof ContainerStartError)) throw err;
      const now = this.d.clock.now();
      const until = this.d.backoff.backoffUntil(errKey, now);
      this.d.backoff.next(errKey, now);
      const imageError = err.reason === "ErrImagePull" || err.reason === "ErrImageNeverPull";
      const reason = err.reason === "ErrImagePull" && waiting.get(s.name)?.reason === "ErrImagePull" ? "ImagePullBackOff" : err.reason;
      waiting.set(s.name, { reason, message: err.message });
      this.d.events.record(pod, "Warning", imageError && err.reason !== "ErrImageNeverPull" ? "Failed" : err.reason === "ErrImageNeverPull" ? "ErrImageNeverPull" : "Failed", err.message, fieldPath);
      return until ?? now + this.d.backoff.current(errKey);
    }
    this.d.backoff.reset(errKey);
    waiting.delete(s.name);
    this.d.events.record(pod, "Normal", "Pulled", `Container image "${spec.image}" already present on machine`, fieldPath);
    this.d.events.record(pod, "Normal", "Created", `Created container ${spec.name}`, fieldPath);
    this.d.events.record(pod, "Normal", "Started", `Started container ${spec.name}`, fieldPath);
    this.d.probes.containerStarted(pod, spec);
    return undefined;
  }

  private envSources(pod: Pod, c: Container): EnvSources {
    const ns = pod.metadata.namespace ?? "default";
    const configMaps: EnvSources["configMaps"] = {};
    const secrets: EnvSources["secrets"] = {};
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef?.name;
      if (cm && !(cm in configMaps)) configMaps[cm] = this.d.store.get<ConfigMap>("ConfigMap", ns, cm)?.data;
      const sec = e.valueFrom?.secretKeyRef?.name;
      if (sec && !(sec in secrets)) secrets[sec] = decodeSecret(this.d.store.get<Secret>("Secret", ns, sec));
    }
    return {
      configMaps,
      secrets,
      hostIP: this.d.hostIP(),
      hostname: "",
      serviceEnv: pod.spec.enableServiceLinks === false ? {} : this.d.serviceEnv?.(ns) ?? {},
    };
  }

  /** Stops every running container (in parallel, each with the grace period) and the sandbox. */
  private async killPod(pod: Pod, recreating: boolean): Promise<void> {
    const uid = pod.metadata.uid!;
    const running = this.d.runtime.containers(uid).filter((c) => c.state !== "exited");
    const grace = recreating ? Math.min(gracePeriod(pod), 2) : gracePeriod(pod);
    await Promise.all(running.map((c) => this.stop(pod, c, grace)));
    await this.d.runtime.stopSandbox(uid);
  }

  private async stop(pod: Pod | undefined, c: ContainerRecord, grace: number): Promise<void> {
    if (pod) this.d.events.record(pod, "Normal", "Killing", `Stopping container ${c.name}`, fieldPathOf(pod, c.name));
    await this.d.runtime.stopContainer(c.id, grace);
  }

  async terminatePod(uid: string, pod: Pod | undefined): Promise<void> {
    const grace = pod ? pod.metadata.deletionGracePeriodSeconds ?? gracePeriod(pod) : 0;
    const running = this.d.runtime.containers(uid).filter((c) => c.state !== "exited");
    await Promise.all(running.map((c) => this.stop(pod, c, grace)));
    await this.d.runtime.removeSandbox(uid, pod);
    this.d.backoff.forgetPrefix(`${uid}/`);
    this.d.probes.forget(uid);
    this.waiting.delete(uid);
    this.d.events.forget(uid);
    if (!pod) return;
    try {
      this.d.store.delete("Pod", pod.metadata.namespace ?? "default", pod.metadata.name!, { uid });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict")) throw err;
    }
  }

  /** Writes the pod's status if it changed. */
  async writeStatus(pod: Pod, terminal?: StatusInput["terminal"]): Promise<void> {
    const ns = pod.metadata.namespace ?? "default";
    const fresh = this.d.store.get<Pod>("Pod", ns, pod.metadata.name!);
    if (!fresh || fresh.metadata.uid !== pod.metadata.uid || fresh.metadata.deletionTimestamp) return;
    const uid = pod.metadata.uid!;
    const sandbox = this.d.runtime.sandbox(uid);
    const status = generatePodStatus(fresh, {
      containers: this.d.runtime.containers(uid).map((c) => ({ ...observed(c), startedAt: c.startedAt, finishedAtIso: c.finishedAt, reason: c.oomKilled ? "OOMKilled" : c.reason === "StartError" ? "StartError" : c.reason, message: c.message, signal: c.signal, imageId: c.imageId })),
      sandboxReady: sandbox?.state === "ready",
      waiting: this.waitingOf(uid),
      readiness: this.d.probes.readiness(uid),
      started: this.d.probes.startedMap(uid),
      podIPs: sandbox?.ips.length && !fresh.spec.hostNetwork ? sandbox.ips : fresh.spec.hostNetwork ? [this.d.hostIP()] : [],
      hostIP: this.d.hostIP(),
      now: new Date(this.d.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      terminal,
    });
    if (JSON.stringify(status) === JSON.stringify(fresh.status ?? {})) return;
    try {
      this.d.store.update<Pod>({ ...fresh, status }, { subresource: "status" });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.reason !== "NotFound" && err.reason !== "Conflict")) throw err;
    }
  }
}

function observed(c: ContainerRecord) {
  return {
    id: c.id,
    name: c.name,
    attempt: c.attempt,
    init: c.init,
    state: c.state,
    exitCode: c.exitCode,
    specHash: c.specHash,
    finishedAt: c.finishedAt ? Date.parse(c.finishedAt) : undefined,
  };
}

export function backoffKey(uid: string, container: string): string {
  return `${uid}/${container}`;
}

export function gracePeriod(pod: Pod): number {
  return Math.max(0, pod.spec.terminationGracePeriodSeconds ?? 30);
}

export function fieldPathOf(pod: Pod, name: string): string {
  const i = pod.spec.containers.findIndex((c) => c.name === name);
  if (i >= 0) return `spec.containers{${name}}`;
  return `spec.initContainers{${name}}`;
}

function decodeSecret(s: Secret | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  const out: Record<string, string> = { ...(s.stringData ?? {}) };
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, "base64").toString();
  return out;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
