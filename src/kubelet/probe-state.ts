/**
 * Probe results per pod and container, as the kubelet's prober manager keeps them: readiness (drives READY and the
 * Ready condition), startup (holds liveness and readiness back until it succeeds) and liveness (a failure past the
 * threshold makes the container unhealthy: the planner kills and restarts it). Containers without probes are
 * ready and started once running. The prober (prober.ts) writes here; the sync reads.
 */
import type { Container, Pod } from "../api/types.js";

interface ContainerProbes {
  ready?: boolean;
  started?: boolean;
  unhealthy: boolean;
}

export class ProbeState {
  private readonly pods = new Map<string, Map<string, ContainerProbes>>();
  /** Called when a container started: the prober (if any) begins probing it. */
  onStarted?: (pod: Pod, c: Container) => void;

  private entry(uid: string, name: string): ContainerProbes {
    let pod = this.pods.get(uid);
    if (!pod) this.pods.set(uid, (pod = new Map()));
    let e = pod.get(name);
    if (!e) pod.set(name, (e = { unhealthy: false }));
    return e;
  }

  /** A new container instance: a readiness probe starts at not-ready, a startup probe at not-started. */
  containerStarted(pod: Pod, c: Container): void {
    const e = this.entry(pod.metadata.uid!, c.name);
    e.ready = c.readinessProbe ? false : undefined;
    e.started = c.startupProbe ? false : undefined;
    e.unhealthy = false;
    this.onStarted?.(pod, c);
  }

  setReady(uid: string, name: string, ready: boolean): boolean {
    const e = this.entry(uid, name);
    const changed = e.ready !== ready;
    e.ready = ready;
    return changed;
  }

  setStarted(uid: string, name: string): boolean {
    const e = this.entry(uid, name);
    const changed = e.started !== true;
    e.started = true;
    return changed;
  }

  setUnhealthy(uid: string, name: string): void {
    this.entry(uid, name).unhealthy = true;
  }

  /** After the container was killed: its next instance starts fresh. */
  reset(uid: string, name: string): void {
    this.pods.get(uid)?.delete(name);
  }

  forget(uid: string): void {
    this.pods.delete(uid);
  }

  unhealthy(uid: string): Set<string> {
    return new Set([...(this.pods.get(uid) ?? [])].filter(([, e]) => e.unhealthy).map(([n]) => n));
  }

  notStarted(uid: string): Set<string> {
    return new Set([...(this.pods.get(uid) ?? [])].filter(([, e]) => e.started === false).map(([n]) => n));
  }

  readiness(uid: string): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const [n, e] of this.pods.get(uid) ?? []) if (e.ready !== undefined) out.set(n, e.ready);
    return out;
  }

  startedMap(uid: string): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const [n, e] of this.pods.get(uid) ?? []) if (e.started !== undefined) out.set(n, e.started);
    return out;
  }
}
