/**
 * A leader elector over a coordination.k8s.io/v1 Lease (client-go's LeaderElector with a LeaseLock): candidates try
 * every retryPeriod (plus jitter) until one holds the Lease (decision.ts); the leader renews every retryPeriod and
 * stops leading when it has not renewed for renewDeadline; a standby takes over once the record has not changed for
 * leaseDuration on its own clock. Every write is a compare-and-swap on the Lease's resourceVersion, so of several
 * replicas over one store (one etcd) exactly one wins each round. stop() releases a held Lease (ReleaseOnCancel).
 *
 * Unlike kube-controller-manager, which exits when it loses the lease, a replica that loses it stops what it led
 * and goes back to being a candidate.
 */
import { ApiError } from "../../api/errors.js";
import type { Lease } from "../../api/lease.js";
import type { Store } from "../../store/store.js";
import type { Clock } from "../foundation/clock.js";
import { decide, DEFAULT_TIMING, JITTER_FACTOR, releasedSpec, validateTiming, type ElectionTiming, type Observed } from "./decision.js";

export interface ElectorOptions {
  store: Store;
  clock: Clock;
  /** The Lease: `kube-system/kube-controller-manager`, `kube-system/kube-scheduler`. */
  namespace: string;
  name: string;
  /** This candidate: unique per process (client-go: hostname + "_" + a UUID). */
  identity: string;
  timing?: ElectionTiming;
  /** Called when this candidate becomes the leader; what it starts runs until onStoppedLeading. */
  onStartedLeading(): void;
  /** Called when it stops leading (lost the lease, or stop()); may return a promise the elector waits on. */
  onStoppedLeading(): void | Promise<void>;
  /** Called whenever the observed holder changes (client-go's OnNewLeader). */
  onNewLeader?(identity: string): void;
  log?: (msg: string) => void;
  /** Jitter source in [0, 1) (tests pass a constant). */
  random?: () => number;
}

export class LeaderElector {
  private readonly timing: ElectionTiming;
  private observed?: Observed;
  private leading = false;
  private stopped = true;
  private timer?: { cancel(): void };
  /** When the current round of renewal attempts began (the renew deadline counts from it); undefined between rounds. */
  private renewRoundStart?: number;
  private lastLeader = "";
  private stopping?: Promise<void>;

  constructor(private readonly o: ElectorOptions) {
    this.timing = o.timing ?? DEFAULT_TIMING;
    validateTiming(this.timing);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder this candidate last observed ("" when none). */
  get leader(): string {
    return this.lastLeader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.acquire();
  }

  /** Stops trying; a leader stops leading (waiting for onStoppedLeading) and releases the Lease. */
  async stop(): Promise<void> {
    if (this.stopped) return this.stopping;
    this.stopped = true;
    this.timer?.cancel();
    if (!this.leading) return;
    this.stopping = this.stepDown("stopping").then(() => this.release());
    return this.stopping;
  }

  private acquire(): void {
    if (this.stopped) return;
    if (this.attempt()) {
      this.leading = true;
      this.o.log?.(`successfully acquired lease ${this.key()}`);
      this.o.onStartedLeading();
      this.renewRoundStart = undefined;
      this.schedule(this.timing.retryPeriodMs, () => this.renew());
      return;
    }
    const jitter = (this.o.random ?? Math.random)() * JITTER_FACTOR * this.timing.retryPeriodMs;
    this.schedule(this.timing.retryPeriodMs + jitter, () => this.acquire());
  }

  private renew(): void {
    if (this.stopped || !this.leading) return;
    // client-go: every retryPeriod a round of attempts (PollImmediateUntil) that fails after renewDeadline.
    this.renewRoundStart ??= this.o.clock.now();
    if (this.attempt()) {
      this.renewRoundStart = undefined;
      this.schedule(this.timing.retryPeriodMs, () => this.renew());
      return;
    }
    if (this.o.clock.now() - this.renewRoundStart >= this.timing.renewDeadlineMs) {
      this.o.log?.(`failed to renew lease ${this.key()}: timed out waiting for the condition`);
      void this.stepDown("leaderelection lost").then(() => this.acquire());
      return;
    }
    this.schedule(this.timing.retryPeriodMs, () => this.renew());
  }

  /** One tryAcquireOrRenew: true when this candidate holds the Lease afterwards. */
  private attempt(): boolean {
    const { store, namespace, name, identity, clock } = this.o;
    try {
      const lease = store.get<Lease>("Lease", namespace, name);
      const d = decide(lease, this.observed, clock.now(), identity, this.timing);
      this.observed = d.observed;
      if (d.action === "wait") {
        this.noteLeader(d.holder);
        return false;
      }
      if (d.action === "create") {
        store.create<Lease>({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec: d.spec });
      } else {
        store.update<Lease>({ ...lease!, spec: d.spec }, { resourceVersion: d.resourceVersion });
      }
      this.noteLeader(identity);
      return true;
    } catch (err) {
      // Another candidate won the race (AlreadyExists, Conflict), or the store did not answer: not this time.
      if (!(err instanceof ApiError && (err.reason === "AlreadyExists" || err.reason === "Conflict"))) {
        this.o.log?.(`error retrieving resource lock ${this.key()}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return false;
    }
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.timer?.cancel();
    this.o.log?.(`${why}: no longer the leader of ${this.key()}`);
    await this.o.onStoppedLeading();
  }

  private release(): void {
    const { store, namespace, name, identity, clock } = this.o;
    try {
      const lease = store.get<Lease>("Lease", namespace, name);
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      store.update<Lease>({ ...lease, spec: releasedSpec(lease.spec, clock.now()) }, { resourceVersion: lease.metadata.resourceVersion });
      this.o.log?.(`released lease ${this.key()}`);
    } catch (err) {
      this.o.log?.(`failed to release lease ${this.key()}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private noteLeader(holder: string): void {
    if (holder === this.lastLeader) return;
    this.lastLeader = holder;
    this.o.onNewLeader?.(holder);
  }

  private schedule(ms: number, fn: () => void): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimeout(fn, ms);
  }

  private key(): string {
    return `${this.o.namespace}/${this.o.name}`;
  }
}
