/**
 * The eviction manager's loop (pkg/kubelet/eviction/eviction_manager.go synchronize), a thin shell over the pure
 * decisions of eviction.ts: every interval (and at once when asked, e.g. when a write found the disk full) it
 * observes the signals, updates the node conditions, and when a threshold has outlasted its grace period it first
 * reclaims node-level resources (node-reclaim.ts: dead containers, then unused images) and, if that was not enough,
 * evicts one pod — the first of the kubelet's ranking that is not critical. Before the signals act, every round
 * evicts the pods over their ephemeral-storage limits (local-storage-eviction.ts). Its conditions also drive
 * admission (admitUnderPressure).
 */
import type { Pod } from "../api/types.js";
import type { Clock } from "./clock.js";
import {
  admitUnderPressure,
  emptyEvictionState,
  evaluate,
  evictionGracePeriod,
  evictionMessage,
  isCriticalPod,
  rankForEviction,
  thresholdMet,
  type PodUsage,
  type PressureCondition,
} from "./eviction.js";
import { hasEphemeralStorageLimit, localStorageViolation } from "./local-storage-eviction.js";
import type { Observations, Threshold } from "./node-pressure.js";
import { bytesToReclaim, runReclaimers, type NodeReclaimers } from "./node-reclaim.js";

export interface EvictionManagerOptions {
  thresholds: Threshold[];
  /** --eviction-pressure-transition-period: a condition holds this long after its signal recovered. */
  transitionMs: number;
  /** --eviction-max-pod-grace-period: the most a soft eviction waits for a pod. */
  maxPodGraceSeconds: number;
  /** How often to look (the kubelet: 10 s). */
  intervalMs: number;
  clock: Clock;
  observe: () => Promise<Observations>;
  podUsage: (pod: Pod) => Promise<PodUsage | undefined>;
  /** The pods that may be evicted: admitted, not terminating, not finished. */
  activePods: () => Pod[];
  /** What the node can free before a pod is evicted for a disk signal. */
  reclaimers: NodeReclaimers;
  /** Whether the images live on the filesystem of --root (then every reclaimer serves both signals). */
  sharedImageFs: () => boolean;
  /** Evicts one pod: status Failed/Evicted with `message`, an event, its containers killed within `graceSeconds`. */
  evict: (pod: Pod, graceSeconds: number, message: string) => Promise<void>;
  /** The conditions changed (the Node is written at once rather than at the next heartbeat). */
  onConditions?: (conditions: PressureCondition[]) => void;
  log?: (msg: string) => void;
}

export class EvictionManager {
  private state = emptyEvictionState();
  private current: PressureCondition[] = [];
  private timer?: { cancel(): void };
  private running?: Promise<Pod[]>;
  private again = false;
  private stopped = false;

  constructor(private readonly o: EvictionManagerOptions) {}

  /** The pressure conditions of the last round. */
  conditions(): PressureCondition[] {
    return this.current;
  }

  /** Admission under pressure: why `pod` may not start now, or undefined. */
  admit(pod: Pod): { reason: string; message: string } | undefined {
    return admitUnderPressure(pod, this.current);
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Runs a round now (or right after the one in progress); resolves with the pods it evicted. */
  poke(): Promise<Pod[]> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.synchronize()
      .catch((err) => {
        this.o.log?.(`eviction manager: ${err instanceof Error ? err.message : String(err)}`);
        return [] as Pod[];
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.poke();
        }
      });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      void this.poke().then(() => this.schedule());
    }, this.o.intervalMs);
  }

  /** One round: observe, report, reclaim, evict at most one pod. */
  async synchronize(): Promise<Pod[]> {
    const overLimit = await this.localStorageEviction();
    if (this.o.thresholds.length === 0) return overLimit;
    const obs = await this.o.observe();
    const ev = evaluate(this.o.thresholds, obs, this.state, this.o.clock.now(), this.o.transitionMs);
    this.state = ev.state;
    if (ev.conditions.join() !== this.current.join()) {
      this.current = ev.conditions;
      this.o.log?.(`node conditions: ${ev.conditions.length ? ev.conditions.join(", ") : "no pressure"}`);
      this.o.onConditions?.(ev.conditions);
    }
    if (overLimit.length) return overLimit;
    const t = ev.reclaim;
    if (!t) return [];
    if (await this.reclaimedEnough(t, obs)) return [];
    const pods = this.o.activePods().filter((p) => !isCriticalPod(p));
    const usage = new Map<Pod, PodUsage | undefined>();
    for (const p of pods) usage.set(p, await this.o.podUsage(p).catch(() => undefined));
    for (const pod of rankForEviction(t.signal, pods, (p) => usage.get(p))) {
      const message = evictionMessage(t, obs, pod, usage.get(pod));
      this.o.log?.(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
      await this.o.evict(pod, evictionGracePeriod(t, pod, this.o.maxPodGraceSeconds), message);
      return [pod];
    }
    return [];
  }

  /** Node-level reclaim first; true when afterwards no threshold is met any more (counting minimum reclaim). */
  private async reclaimedEnough(t: Threshold, before: Observations): Promise<boolean> {
    const reclaimers = this.o.reclaimers.forSignal(t.signal, this.o.sharedImageFs());
    if (reclaimers.length === 0) return false;
    await runReclaimers(reclaimers, bytesToReclaim(t, before), this.o.log);
    const obs = await this.o.observe();
    return !this.o.thresholds.some((x) => thresholdMet(x, obs, true));
  }

  /** Evicts, at once, every pod over its ephemeral-storage limits (the kubelet does so whatever the signals say). */
  private async localStorageEviction(): Promise<Pod[]> {
    const out: Pod[] = [];
    for (const pod of this.o.activePods().filter((p) => hasEphemeralStorageLimit(p) && !isCriticalPod(p))) {
      const usage = await this.o.podUsage(pod).catch(() => undefined);
      const message = usage && localStorageViolation(pod, usage);
      if (!message) continue;
      this.o.log?.(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
      await this.o.evict(pod, 0, message);
      out.push(pod);
    }
    return out;
  }
}
