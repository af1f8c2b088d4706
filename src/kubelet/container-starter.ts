/**
 * Starting one container as the kubelet's startContainer does: back-off bookkeeping, the runtime start, the
 * Pulled/Created/Started events, and the postStart hook — which, when it fails, kills the container
 * (FailedPostStartHook, with the hook's output and exit code) and leaves the reason PostStartHookError in its status
 * until it starts again; the status is written before that kill, which may take the grace period.
 * A start that fails before the container runs (image, config) is retried with its own back-off.
 */
import type { ConfigMap, Container, Pod, Quantity, Secret } from "../api/types.js";
import { envReadsAllocatable, type EnvSources } from "../runtime/container-env.js";
import { ContainerStartError, type ContainerRecord, type PodRuntime } from "../runtime/pod-runtime.js";
import type { Store } from "../store/store.js";
import type { Backoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import { fieldPathOf, specOf, type ContainerKiller, type Stop } from "./container-killer.js";
import type { EventRecorder } from "./events.js";
import type { ImageManager } from "./image-manager.js";
import { hookEventMessage, type HookRunner } from "./lifecycle-hooks.js";
import type { ContainerToStart } from "./plan.js";
import { specGraceSeconds } from "../api/termination-grace.js";

export type Waiting = Map<string, { reason: string; message?: string }>;

export interface StarterDeps {
  store: Store;
  runtime: PodRuntime;
  clock: Clock;
  events: EventRecorder;
  backoff: Backoff;
  imageManager: ImageManager;
  hooks: HookRunner;
  killer: ContainerKiller;
  hostIP: () => string;
  /** The node's allocatable as its Node reports it (resourceFieldRef of an unset limit). */
  allocatable?: () => Record<string, Quantity> | undefined;
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>;
  /** Writes the pod's status now (before a postStart failure's kill, which takes the grace period). */
  writeStatus?: (pod: Pod, waiting: Waiting) => void;
  log?: (msg: string) => void;
}

/** The back-off key of a container: its spec hash is part of it, so a fixed spec starts without waiting. */
export function backoffKey(uid: string, name: string, specHash: string): string {
  return `${uid}/${name}/${specHash}`;
}

export class ContainerStarter {
  constructor(private readonly d: StarterDeps) {}

  /** Starts the container; returns when to retry if it could not start. */
  async start(pod: Pod, s: ContainerToStart, specHash: string, waiting: Waiting, stop: Stop = {}): Promise<number | undefined> {
    const uid = pod.metadata.uid!;
    const spec = specOf(pod, s.name, s.init)!;
    const key = backoffKey(uid, s.name, specHash);
    const errKey = `${key}/start-error`;
    if (s.restartAfter !== undefined) this.d.backoff.next(key, s.restartAfter);
    const fieldPath = fieldPathOf(pod, s.name);
    // kuberuntime_container.go startContainer step 1: the image, as its pull policy says, before anything is made.
    const image = await this.d.imageManager.ensure(pod, spec, fieldPath);
    if (!image.ok) {
      waiting.set(s.name, { reason: image.reason, message: image.message });
      // After a failed pull, sync again shortly: the container then shows ImagePullBackOff until the back-off ends.
      if (image.reason === "ErrImagePull") return this.d.clock.now() + 1000;
      return image.retryAt ?? this.d.clock.now() + this.d.backoff.current(errKey);
    }
    let record: ContainerRecord;
    try {
      record = await this.d.runtime.startContainer(pod, spec, { attempt: s.attempt, init: s.init, env: this.envSources(pod, spec), specHash });
    } catch (err) {
      if (!(err instanceof ContainerStartError)) throw err;
      return this.failed(pod, s.name, err, errKey, waiting);
    }
    this.d.backoff.reset(errKey);
    waiting.delete(s.name);
    this.d.events.record(pod, "Normal", "Created", `Created container ${spec.name}`, fieldPath);
    this.d.events.record(pod, "Normal", "Started", `Started container ${spec.name}`, fieldPath);
    if (spec.lifecycle?.postStart) await this.postStart(pod, spec, record, waiting, stop);
    return undefined;
  }

  private failed(pod: Pod, name: string, err: ContainerStartError, errKey: string, waiting: Waiting): number {
    const now = this.d.clock.now();
    const until = this.d.backoff.backoffUntil(errKey, now);
    this.d.backoff.next(errKey, now);
    waiting.set(name, { reason: err.reason, message: err.message });
    this.d.events.record(pod, "Warning", err.reason === "ErrImageNeverPull" ? "ErrImageNeverPull" : "Failed", err.message, fieldPathOf(pod, name));
    return until ?? now + this.d.backoff.current(errKey);
  }

  /** kuberuntime_container.go startContainer step 4: a failed postStart hook kills the container. */
  private async postStart(pod: Pod, spec: Container, record: ContainerRecord, waiting: Waiting, stop: Stop): Promise<void> {
    const { signal } = stop;
    const msg = await this.d.hooks.run(spec.lifecycle!.postStart!, { pod, container: spec, containerId: record.id, signal });
    if (!msg || signal?.aborted) return;
    this.d.log?.(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${msg}`);
    this.d.events.record(pod, "Warning", "FailedPostStartHook", hookEventMessage(msg), fieldPathOf(pod, spec.name));
    waiting.set(spec.name, { reason: "PostStartHookError", message: msg });
    // The kill may take the whole grace period: the pod's IP and containers are shown meanwhile, not after it.
    this.d.writeStatus?.(pod, waiting);
    const current = this.d.runtime.container(record.id) ?? record;
    await this.d.killer.kill(pod, current, { grace: specGraceSeconds(pod.spec), message: "FailedPostStartHook", ...stop });
  }

  private envSources(pod: Pod, c: Container): EnvSources {
    const ns = pod.metadata.namespace ?? "default";
    const configMaps: EnvSources["configMaps"] = {};
    const secrets: EnvSources["secrets"] = {};
    const refs = [
      ...(c.env ?? []).map((e) => ({ cm: e.valueFrom?.configMapKeyRef?.name, sec: e.valueFrom?.secretKeyRef?.name })),
      ...(c.envFrom ?? []).map((e) => ({ cm: e.configMapRef?.name, sec: e.secretRef?.name })),
    ];
    for (const { cm, sec } of refs) {
      if (cm && !(cm in configMaps)) configMaps[cm] = configMapData(this.d.store.get<ConfigMap>("ConfigMap", ns, cm));
      if (sec && !(sec in secrets)) secrets[sec] = decodeSecret(this.d.store.get<Secret>("Secret", ns, sec));
    }
    return {
      configMaps,
      secrets,
      warnInvalidKeys: (message) => this.d.events.record(pod, "Warning", "InvalidEnvironmentVariableNames", message),
      hostIP: this.d.hostIP(),
      hostname: "",
      // Read only when used: it parses the Node, image list and all, from the store (0.4 ms a container start).
      allocatable: envReadsAllocatable(c) ? this.d.allocatable?.() : undefined,
      serviceEnv: this.d.serviceEnv?.(ns, pod.spec.enableServiceLinks !== false) ?? {},
    };
  }
}

/** A ConfigMap's data as env sees it: binaryData is not env (the kubelet reads only Data). */
function configMapData(cm: ConfigMap | undefined): Record<string, string> | undefined {
  return cm ? { ...(cm.data ?? {}) } : undefined;
}

function decodeSecret(s: Secret | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  const out: Record<string, string> = { ...(s.stringData ?? {}) };
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, "base64").toString();
  return out;
}
