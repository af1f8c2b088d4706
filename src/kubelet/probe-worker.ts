/**
 * One probe of one container (the kubelet's prober worker, pkg/kubelet/prober/worker.go doProbe): runs every
 * periodSeconds once initialDelaySeconds have passed since the container started, counts consecutive results,
 * and changes the container's state only when a run reaches successThreshold or failureThreshold. A liveness or
 * startup failure puts the worker on hold until a new container instance appears (the kill is on its way); a
 * startup probe holds the other two back until it succeeds, and stops once it has. Errors (unknown results) are
 * reported and thrown away, as upstream does.
 */
import type { Container, Pod, Probe } from "../api/types.js";
import type { Clock } from "./clock.js";
import type { ProbeExecutor, ProbeOutcome } from "./probe-runner.js";
import type { ProbeState } from "./probe-state.js";

export type ProbeKind = "liveness" | "readiness" | "startup";

export interface ProbeWorkerDeps {
  clock: Clock;
  state: ProbeState;
  executor: ProbeExecutor;
  /** Records a Warning Unhealthy event on the container. */
  unhealthy(pod: Pod, container: string, message: string): void;
  /** The container's state changed: its pod worker should sync. */
  changed(uid: string, name: string, kind: ProbeKind): void;
}

const TITLE: Record<ProbeKind, string> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };

export function probeOf(c: Container, kind: ProbeKind): Probe | undefined {
  return kind === "liveness" ? c.livenessProbe : kind === "readiness" ? c.readinessProbe : c.startupProbe;
}

export class ProbeWorker {
  private id?: string;
  private startedAt = 0;
  private lastResult?: "success" | "failure";
  private resultRun = 0;
  private onHold = false;
  private timer?: { cancel(): void };
  private stopped = false;
  /** The probe running now, if any (tests and shutdown wait for it). */
  inFlight?: Promise<void>;

  constructor(
    private pod: Pod,
    private spec: Container,
    readonly kind: ProbeKind,
    private readonly d: ProbeWorkerDeps,
  ) {}

  private get probe(): Probe {
    return probeOf(this.spec, this.kind)!;
  }

  /** The latest pod and the running instance to probe; a new instance starts over (first run after `firstAt`). */
  update(pod: Pod, spec: Container, id: string, startedAt: number, firstAt: number): void {
    this.pod = pod;
    this.spec = spec;
    if (this.id === id) return;
    this.id = id;
    this.startedAt = startedAt;
    this.lastResult = undefined;
    this.resultRun = 0;
    this.onHold = false;
    this.schedule(Math.max(firstAt, startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000));
  }

  /** Probe as soon as allowed (the startup probe succeeded: readiness should not wait a period). */
  trigger(): void {
    if (this.id && !this.inFlight) this.schedule(this.d.clock.now());
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.d.clock.setTimeout(() => this.tick(), at - this.d.clock.now());
  }

  private tick(): void {
    if (this.stopped || this.inFlight || !this.id) return;
    const began = this.d.clock.now();
    const id = this.id;
    const next = () => this.schedule(Math.max(this.d.clock.now(), began + (this.probe.periodSeconds ?? 10) * 1000));
    if (!this.shouldRun(id, began)) {
      next();
      return;
    }
    this.inFlight = this.d.executor
      .run(this.probe, this.probe.timeoutSeconds ?? 1, { pod: this.pod, container: this.spec, containerId: id })
      .then((outcome) => {
        if (!this.stopped && this.id === id) this.record(id, outcome);
      })
      .finally(() => {
        this.inFlight = undefined;
        next();
      });
  }

  private shouldRun(id: string, now: number): boolean {
    if (this.onHold) return false;
    if (now < this.startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000) return false;
    const uid = this.pod.metadata.uid!;
    const started = this.d.state.started(uid, this.spec.name, id);
    // Startup stops once the container has started; the others wait for it.
    return this.kind === "startup" ? !started : started;
  }

  private record(id: string, outcome: ProbeOutcome): void {
    const title = TITLE[this.kind];
    if (outcome.result === "unknown") {
      this.d.unhealthy(this.pod, this.spec.name, `${title} probe errored and resulted in unknown state: ${outcome.output}`);
      return;
    }
    if (outcome.result === "failure") this.d.unhealthy(this.pod, this.spec.name, `${title} probe failed: ${outcome.output}`);
    if (this.lastResult === outcome.result) this.resultRun++;
    else {
      this.lastResult = outcome.result;
      this.resultRun = 1;
    }
    const threshold = outcome.result === "failure" ? this.probe.failureThreshold ?? 3 : this.probe.successThreshold ?? 1;
    if (this.resultRun < threshold) return;
    this.apply(id, outcome.result === "success");
  }

  private apply(id: string, ok: boolean): void {
    const uid = this.pod.metadata.uid!;
    const name = this.spec.name;
    let changed: boolean;
    if (this.kind === "readiness") changed = this.d.state.setReady(uid, name, id, ok);
    else if (ok) changed = this.kind === "startup" ? this.d.state.setStarted(uid, name, id) : false;
    else {
      this.d.state.setUnhealthy(uid, name, id, this.kind === "startup" ? "startup" : "liveness");
      // Stop probing until a new container replaces this one (worker.go: onHold).
      this.onHold = true;
      this.resultRun = 0;
      changed = true;
    }
    if (changed) this.d.changed(uid, name, this.kind);
  }
}
