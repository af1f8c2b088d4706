/**
 * The prober manager (pkg/kubelet/prober/prober_manager.go): one ProbeWorker per container and probe kind, kept
 * in step with the running containers by every pod sync, and stopped with the pod. Results go to ProbeState and,
 * when they change something, wake the pod's worker at once (no waiting for the periodic resync).
 *
 * After a daemon restart the containers it re-adopts keep the readiness and startup state their pod's status
 * showed (so READY does not flap), and their first probes are spread over one period, as the kubelet spreads its
 * workers after a restart.
 */
import type { Container, Pod } from "../api/types.js";
import type { Clock } from "./clock.js";
import type { ProbeExecutor } from "./probe-runner.js";
import type { ProbeState } from "./probe-state.js";
import { probeOf, ProbeWorker, type ProbeKind } from "./probe-worker.js";

export interface ProberDeps {
  clock: Clock;
  state: ProbeState;
  executor: ProbeExecutor;
  /** Records a Warning event "Unhealthy" on a container of the pod. */
  unhealthy(pod: Pod, container: string, message: string): void;
  /** Something changed for the pod: sync it now. */
  wake(uid: string): void;
  random?: () => number;
}

/** A running container the prober should watch over. */
export interface RunningInstance {
  spec: Container;
  id: string;
  /** ms since epoch. */
  startedAt: number;
}

const KINDS: ProbeKind[] = ["startup", "readiness", "liveness"];

export class Prober {
  private readonly pods = new Map<string, Map<string, ProbeWorker>>();
  private readonly since: number;

  constructor(private readonly d: ProberDeps) {
    this.since = d.clock.now();
  }

  /**
   * Aligns the pod's workers with its running containers: new instances get initial results (seeded from the
   * pod's status for instances that were running before this daemon started) and their first probe scheduled;
   * workers of containers that stopped existing are stopped.
   */
  update(pod: Pod, running: RunningInstance[]): void {
    const uid = pod.metadata.uid!;
    let workers = this.pods.get(uid);
    const keep = new Set<string>();
    for (const inst of running) {
      if (!this.d.state.knows(uid, inst.spec.name, inst.id)) this.d.state.init(uid, inst.spec, inst.id, this.seed(pod, inst));
      for (const kind of KINDS) {
        if (!probeOf(inst.spec, kind)) continue;
        const key = `${inst.spec.name}/${kind}`;
        keep.add(key);
        if (!workers) this.pods.set(uid, (workers = new Map<string, ProbeWorker>()));
        let w = workers.get(key);
        if (!w) workers.set(key, (w = new ProbeWorker(pod, inst.spec, kind, this.workerDeps())));
        w.update(pod, inst.spec, inst.id, inst.startedAt, this.firstRun(inst, kind));
      }
    }
    for (const [key, w] of workers ?? []) {
      if (keep.has(key)) continue;
      w.stop();
      workers!.delete(key);
    }
  }

  /** The pod is being deleted: liveness and startup probes stop (worker.go), readiness goes on until it is gone. */
  terminating(uid: string): void {
    for (const [key, w] of this.pods.get(uid) ?? []) {
      if (w.kind === "readiness") continue;
      w.stop();
      this.pods.get(uid)!.delete(key);
    }
  }

  forget(uid: string): void {
    for (const w of this.pods.get(uid)?.values() ?? []) w.stop();
    this.pods.delete(uid);
    this.d.state.forget(uid);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.forget(uid);
  }

  /** Resolves when no probe is running (tests on a fake clock). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.pods.values()].flatMap((m) => [...m.values()]).flatMap((w) => (w.inFlight ? [w.inFlight] : []));
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  private workerDeps() {
    return {
      clock: this.d.clock,
      state: this.d.state,
      executor: this.d.executor,
      unhealthy: (pod: Pod, container: string, message: string) => this.d.unhealthy(pod, container, message),
      changed: (uid: string, name: string, kind: ProbeKind) => {
        // A container that just started: probe its readiness now rather than a period later.
        if (kind === "startup") this.pods.get(uid)?.get(`${name}/readiness`)?.trigger();
        this.d.wake(uid);
      },
    };
  }

  private adopted(inst: RunningInstance): boolean {
    return inst.startedAt < this.since;
  }

  /**
   * When a new instance is first probed. Readiness: at once (after initialDelaySeconds), as the kubelet triggers
   * it when a container starts. Liveness and startup: the kubelet's workers tick every period from their own start,
   * so the first run comes somewhere within one period after the delay; here it is max(delay, period) after the
   * container started — within that window, and never at the very start, where a liveness failure would kill a
   * container that had no time to come up.
   */
  private firstRun(inst: RunningInstance, kind: ProbeKind): number {
    const now = this.d.clock.now();
    const probe = probeOf(inst.spec, kind)!;
    const period = (probe.periodSeconds ?? 10) * 1000;
    if (this.adopted(inst)) return now + Math.floor((this.d.random ?? Math.random)() * period);
    if (kind === "readiness") return now;
    return inst.startedAt + Math.max((probe.initialDelaySeconds ?? 0) * 1000, period);
  }

  /** What the pod's status said about an instance this daemon did not start (ready, started). */
  private seed(pod: Pod, inst: RunningInstance): { ready?: boolean; started?: boolean } {
    if (!this.adopted(inst)) return {};
    const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
    const s = all.find((x) => x.name === inst.spec.name && x.containerID === `nodelet://${inst.id}`);
    return s ? { ready: s.ready, started: s.started } : {};
  }
}
