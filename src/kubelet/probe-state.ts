/**
 * Probe results per pod and container instance, as the kubelet's prober results managers keep them (keyed by
 * container ID, so a result about a killed container never applies to its replacement): readiness (drives READY
 * and the Ready condition), startup (holds liveness and readiness back until it succeeds) and liveness (a failure
 * past the threshold makes the container unhealthy: the planner kills and restarts it). The prober (prober.ts)
 * writes here; the pod sync reads a view of the instances that are current.
 */
import type { Container } from "../api/types.js";
import type { FailedProbe } from "./plan.js";

interface InstanceProbes {
  id: string;
  ready?: boolean;
  started?: boolean;
  unhealthy?: FailedProbe;
}

/** What the planner and the status need, for the current instance of each container. */
export interface ProbeView {
  unhealthy: Map<string, FailedProbe>;
  notStarted: Set<string>;
  /** Readiness of containers that have a readiness probe (others are ready once running and started). */
  readiness: Map<string, boolean>;
  /** Startup state of containers that have a startup probe (others are started once running). */
  started: Map<string, boolean>;
}

/** A running container instance: its spec (which probes it has) and its id. */
export interface CurrentInstance {
  spec: Container;
  id: string;
}

export class ProbeState {
  private readonly pods = new Map<string, Map<string, InstanceProbes>>();

  private entry(uid: string, name: string, id: string): InstanceProbes {
    let pod = this.pods.get(uid);
    if (!pod) this.pods.set(uid, (pod = new Map<string, InstanceProbes>()));
    let e = pod.get(name);
    if (!e || e.id !== id) pod.set(name, (e = { id }));
    return e;
  }

  /** Whether results for this instance exist (the prober has seen it). */
  knows(uid: string, name: string, id: string): boolean {
    return this.pods.get(uid)?.get(name)?.id === id;
  }

  /** A new instance: readiness starts false with a probe, startup false with a probe; `seed` overrides (restart). */
  init(uid: string, spec: Container, id: string, seed: { ready?: boolean; started?: boolean } = {}): void {
    const e = this.entry(uid, spec.name, id);
    e.ready = spec.readinessProbe ? seed.ready ?? false : undefined;
    e.started = spec.startupProbe ? seed.started ?? false : undefined;
    e.unhealthy = undefined;
  }

  /** Returns true when the value changed. */
  setReady(uid: string, name: string, id: string, ready: boolean): boolean {
    const e = this.entry(uid, name, id);
    const changed = e.ready !== ready;
    e.ready = ready;
    return changed;
  }

  setStarted(uid: string, name: string, id: string): boolean {
    const e = this.entry(uid, name, id);
    const changed = e.started !== true;
    e.started = true;
    return changed;
  }

  setUnhealthy(uid: string, name: string, id: string, probe: FailedProbe): void {
    this.entry(uid, name, id).unhealthy = probe;
  }

  started(uid: string, name: string, id: string): boolean {
    const e = this.pods.get(uid)?.get(name);
    return e?.id === id ? e.started !== false : false;
  }

  forget(uid: string): void {
    this.pods.delete(uid);
  }

  /**
   * The results for the given running instances. An instance the prober has not seen yet counts as not ready
   * (readiness probe) and not started (startup probe), as a fresh kubelet worker's initial values do.
   */
  view(uid: string, running: CurrentInstance[]): ProbeView {
    const out: ProbeView = { unhealthy: new Map(), notStarted: new Set(), readiness: new Map(), started: new Map() };
    const pod = this.pods.get(uid);
    for (const { spec, id } of running) {
      const e = pod?.get(spec.name);
      const known = e?.id === id ? e : undefined;
      if (known?.unhealthy) out.unhealthy.set(spec.name, known.unhealthy);
      if (spec.startupProbe) {
        const started = known?.started ?? false;
        out.started.set(spec.name, started);
        if (!started) out.notStarted.add(spec.name);
      }
      if (spec.readinessProbe) out.readiness.set(spec.name, known?.ready ?? false);
    }
    return out;
  }
}
