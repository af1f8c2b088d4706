/**
 * Stopping containers the way the kubelet does (kuberuntime_container.go killContainer and killContainersWithSyncResult):
 * the Killing event, the preStop hook within the grace period (FailedPreStopHook with its output when it fails),
 * then the stop signal (the image's, else SIGTERM),
 * what is left of the grace period (never under 2 s, minimumGracePeriodInSeconds), then SIGKILL. A forced stop
 * (grace 0 from `delete --grace-period 0 --force`) skips the hook and kills at once.
 *
 * When a whole pod stops, the regular containers stop together and the sidecars after them, last defined first
 * (KEP-753 termination ordering), each sidecar's hook running from the start.
 */
import { ephemeralContainer } from "../api/ephemeral-containers.js";
import type { Container, Pod } from "../api/types.js";
import type { ContainerRecord, PodRuntime } from "../runtime/pod-runtime.js";
import type { Clock } from "./clock.js";
import type { EventRecorder } from "./events.js";
import { hookEventMessage, type HookRunner } from "./lifecycle-hooks.js";

export interface KillerDeps {
  runtime: PodRuntime;
  hooks: HookRunner;
  events: EventRecorder;
  clock: Clock;
  log?: (msg: string) => void;
}

/**
 * What ends a kill's waits early: `signal` (the pod is being deleted, or the daemon stops) cuts a preStop hook short;
 * `shutdown` (the daemon stops) also stops waiting for the container to end.
 */
export interface Stop {
  signal?: AbortSignal;
  shutdown?: AbortSignal;
}

export interface KillOptions extends Stop {
  /** Grace period in seconds. */
  grace: number;
  /** The Killing event's message (default "Stopping container NAME"). */
  message?: string;
  /** Kill at once: no preStop hook, no minimum grace. */
  force?: boolean;
  /** Resolves when it is this container's turn to get the stop signal (sidecars wait for the others). */
  turn?: Promise<unknown>;
}

export const MIN_GRACE_SECONDS = 2;

/** The spec of a container of the pod, by name, init or not (ephemeral containers run as app containers). */
export function specOf(pod: Pod, name: string, init: boolean): Container | undefined {
  if (init) return (pod.spec.initContainers ?? []).find((c) => c.name === name);
  return pod.spec.containers.find((c) => c.name === name) ?? ephemeralContainer(pod, name);
}

export function fieldPathOf(pod: Pod, name: string): string {
  if (pod.spec.containers.some((c) => c.name === name)) return `spec.containers{${name}}`;
  return ephemeralContainer(pod, name) ? `spec.ephemeralContainers{${name}}` : `spec.initContainers{${name}}`;
}

export class ContainerKiller {
  constructor(private readonly d: KillerDeps) {}

  /** Stops one container; `pod` (when known) gives its preStop hook and the event's object. */
  async kill(pod: Pod | undefined, c: ContainerRecord, o: KillOptions): Promise<void> {
    const spec = pod ? specOf(pod, c.name, c.init) : undefined;
    if (pod) this.d.events.record(pod, "Normal", "Killing", o.message ?? `Stopping container ${c.name}`, fieldPathOf(pod, c.name));
    let grace = o.grace;
    const preStop = spec?.lifecycle?.preStop;
    if (pod && spec && preStop && !o.force && grace > 0 && c.state === "running") {
      const began = this.d.clock.now();
      const msg = await this.d.hooks.run(preStop, { pod, container: spec, containerId: c.id, signal: o.signal }, grace);
      // A hook cut short by the daemon stopping has not failed.
      if (msg && !o.shutdown?.aborted) {
        this.d.events.record(pod, "Warning", "FailedPreStopHook", hookEventMessage(msg), fieldPathOf(pod, c.name));
        this.d.log?.(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${msg}`);
      }
      grace -= Math.floor((this.d.clock.now() - began) / 1000);
    }
    if (o.turn && grace > 0) {
      const began = this.d.clock.now();
      await waitOrTimeout(o.turn, grace * 1000, this.d.clock);
      grace -= Math.floor((this.d.clock.now() - began) / 1000);
    }
    if (!o.force) grace = Math.max(grace, MIN_GRACE_SECONDS);
    if (o.shutdown?.aborted) return;
    await untilAborted(this.d.runtime.stopContainer(c.id, Math.max(0, grace)), o.shutdown);
  }

  /** Stops every running container of the pod within one grace period: regular ones first, then the sidecars. */
  async killAll(pod: Pod | undefined, running: ContainerRecord[], o: Omit<KillOptions, "turn" | "message">): Promise<void> {
    const sidecarOrder = (pod?.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name);
    const isSidecar = (c: ContainerRecord) => c.init && sidecarOrder.includes(c.name);
    const regular = running.filter((c) => !isSidecar(c));
    const sidecars = running.filter(isSidecar).sort((a, b) => sidecarOrder.indexOf(a.name) - sidecarOrder.indexOf(b.name));
    const regularDone = Promise.all(regular.map((c) => this.kill(pod, c, o)));
    let later: Promise<unknown> = regularDone;
    const sidecarDone: Promise<void>[] = [];
    for (const c of [...sidecars].reverse()) {
      const mine = this.kill(pod, c, { ...o, turn: later });
      sidecarDone.push(mine);
      later = Promise.all([later, mine]);
    }
    await Promise.all([regularDone, ...sidecarDone]);
  }
}

/** Waits for `p`, or until `signal` aborts (p then goes on unwatched; its failure is not reported). */
function untilAborted(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => resolve();
    signal.addEventListener("abort", done, { once: true });
    p.then(resolve, (err: unknown) => (signal.aborted ? resolve() : reject(err))).finally(() => signal.removeEventListener("abort", done));
  });
}

function waitOrTimeout(p: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const t = clock.setTimeout(resolve, ms);
    void p.finally(() => {
      t.cancel();
      resolve();
    });
  });
}
