/**
 * The scheduler's loop (schedule_one.go scheduleOne) over the Store: follows Pods and Nodes (and the storage and
 * selector objects the plugins read) through watches into its cache (cache.ts); queues the pending pods of its
 * schedulerName (unbound, not deleting, not gated); one pod at a time takes the cache's snapshot, runs the cycle
 * (framework.ts) and then either assumes it on the chosen node and starts its binding cycle, or records why not.
 * The binding cycle PreBinds its WaitForFirstConsumer claims (a chosen volume's claimRef, or the selected-node
 * annotation for the node's provisioner), waits beside the next scheduling cycles until they are bound (at most
 * bindTimeoutSeconds), and binds it through the pods/binding rules (store/pod-binding.ts) with a `Scheduled` event;
 * a provisioner that gave up (it removes the annotation) or the timeout unreserves it and it is retried after its
 * backoff. Why not: PodScheduled False (reason Unschedulable, or SchedulerError) with the FailedScheduling message
 * as a Warning event, and parks the pod until a cluster event (a node added or changed, a bound pod gone, a
 * storage object changed) moves it back. Pods for another scheduler are left alone.
 *
 * A pod no node takes runs DefaultPreemption (preemption.ts): when pods of lower priority on some node make room,
 * those victims get the DisruptionTarget condition (reason PreemptionByScheduler) and are deleted through the API
 * (gracefully, as any deletion) with a `Preempted` event, lower-priority pods nominated to that node lose their
 * nomination, and the pod is nominated there (status.nominatedNodeName) to be bound once the victims are gone;
 * otherwise the FailedScheduling message ends with the victim search's verdict per node.
 *
 * Construct it with the store, the API writer its preemptions delete through, an event sink (the controllers'
 * EventRecorder fits) and a clock; start() begins, stop() ends the watches and the timer.
 */
import { ApiError } from "../api/errors.js";
import { withCondition } from "../api/pod-binding.js";
import { ANN_SELECTED_NODE } from "../api/storage-annotations.js";
import type { ObjectWriter } from "../api/object-api.js";
import type { PodDisruptionBudget } from "../api/policy-types.js";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition, WatchEvent } from "../api/types.js";
import { rfc3339 } from "../store/metadata.js";
import { bindPodInStore } from "../store/pod-binding.js";
import type { Store } from "../store/store.js";
import { fitErrorMessage, NO_NODES_AVAILABLE, schedulePod, type FitError, type Profile } from "./framework.js";
import { BIND_TIMEOUT_ERROR, checkBindings, DEFAULT_BIND_TIMEOUT_MS, podVolumesOn, type PodVolumes } from "./plugins/volume-binding.js";
import { preempt, PREEMPTION_BY_SCHEDULER } from "./preemption.js";
import { defaultProfile, DEFAULT_SCHEDULER_NAME, type ProfileConfig } from "./profile.js";
import { SchedulingQueue } from "./queue.js";
import { CACHED_KINDS, SchedulerCache } from "./cache.js";
import { nodeSchedulingPropertiesChange } from "./cluster-events.js";

export interface SchedulerEvents {
  event(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export interface SchedulerOptions {
  store: Store;
  /** Where preemption's victims are marked and deleted: the API, so deletion is graceful as any other. */
  api: Pick<ObjectWriter, "updateStatus" | "delete">;
  events: SchedulerEvents;
  clock: SchedulerClock;
  profile?: ProfileConfig;
  log?: (msg: string) => void;
  random?: () => number;
  /** VolumeBinding's bindTimeoutSeconds in ms: how long PreBind waits for the claims (600 s by default). */
  bindTimeoutMs?: number;
}

/** How the framework words a PreBind plugin's error (RunPreBindPlugins). */
const PREBIND_VOLUME_BINDING = 'running PreBind plugin "VolumeBinding": ';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A pod whose binding cycle waits in PreBind for its claims. */
interface BindingWait {
  pod: Pod;
  node: string;
  written: PodVolumes;
  timer: { cancel(): void };
}

/** Whether the pod waits for this scheduler. */
export function isPendingFor(pod: Pod, schedulerName: string): boolean {
  return (
    !pod.spec.nodeName &&
    !pod.metadata.deletionTimestamp &&
    (pod.spec.schedulerName || DEFAULT_SCHEDULER_NAME) === schedulerName &&
    !pod.spec.schedulingGates?.length &&
    pod.status?.phase !== "Succeeded" &&
    pod.status?.phase !== "Failed"
  );
}

/** Kinds whose change may make an unschedulable pod fit (besides Nodes and bound pods). */
const STORAGE_KINDS = new Set(["PersistentVolume", "PersistentVolumeClaim", "StorageClass"]);

export class Scheduler {
  readonly profile: Profile;
  private readonly queue: SchedulingQueue;
  /** Every object a cycle reads, fed by the watches: a cycle makes no store call but the binding's writes. */
  private readonly cache = new SchedulerCache();
  private stops: (() => void)[] = [];
  private timer?: { cancel(): void; at: number };
  private startIndex = 0;
  private running = false;
  /** Binding cycles waiting for their claims, by pod uid. */
  private readonly waiting = new Map<string, BindingWait>();
  private readonly log: (msg: string) => void;

  constructor(private readonly o: SchedulerOptions) {
    this.profile = defaultProfile(o.profile);
    this.queue = new SchedulingQueue(() => o.clock.now());
    this.log = o.log ?? (() => undefined);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const s = this.o.store;
    for (const kind of CACHED_KINDS) this.stops.push(s.watch(kind, { resourceVersion: "0" }, (ev) => this.onEvent(kind, ev)));
    this.wake(0);
  }

  stop(): void {
    this.running = false;
    for (const s of this.stops) s();
    this.stops = [];
    this.timer?.cancel();
    this.timer = undefined;
    for (const [uid, w] of this.waiting) {
      w.timer.cancel();
      this.cache.forget(uid);
    }
    this.waiting.clear();
  }

  /** Pods whose binding cycle waits for their volumes (tests, logs). */
  bindingWaits(): number {
    return this.waiting.size;
  }

  /** Queue sizes (tests, logs). */
  queueCounts(): ReturnType<SchedulingQueue["counts"]> {
    return this.queue.counts();
  }

  /** The cache takes every event first, so the queue's reactions and the next cycle see the same cluster. */
  private onEvent(kind: string, ev: WatchEvent): void {
    const oldPod = kind === "Pod" ? this.cache.pod((ev.object as Pod).metadata.uid ?? "") : undefined;
    const oldNode = kind === "Node" ? this.cache.node(ev.object.metadata.name ?? "") : undefined;
    this.cache.apply(kind, ev);
    if (kind === "Node") this.onNode(ev, oldNode);
    else if (kind === "Pod") this.onPod(ev, oldPod);
    else if (STORAGE_KINDS.has(kind)) this.clusterEvent();
    if (this.waiting.size > 0 && (kind === "Pod" || kind === "Node" || STORAGE_KINDS.has(kind))) for (const uid of [...this.waiting.keys()]) this.checkWaiting(uid);
  }

  /** A node added, or changed in a way that may let a pod fit (not a heartbeat), moves unschedulable pods back. */
  private onNode(ev: WatchEvent, old: Node | undefined): void {
    if (ev.type === "ADDED" || (ev.type === "MODIFIED" && (!old || nodeSchedulingPropertiesChange(ev.object as Node, old).length > 0))) this.clusterEvent();
  }

  /** Called after the cache took the event: `old` is what the watch showed before. */
  private onPod(ev: WatchEvent, old: Pod | undefined): void {
    if (ev.type !== "ADDED" && ev.type !== "MODIFIED" && ev.type !== "DELETED") return;
    const p = ev.object as Pod;
    if (ev.type === "DELETED") {
      this.queue.delete(p);
      if (old?.spec.nodeName) this.clusterEvent();
      return;
    }
    if (isPendingFor(p, this.profile.schedulerName)) {
      this.queue.add(p);
      this.wake(0);
    } else {
      this.queue.delete(p);
      // A bound pod that finished frees its node's room.
      const finished = (x?: Pod) => x?.status?.phase === "Succeeded" || x?.status?.phase === "Failed";
      if (p.spec.nodeName && finished(p) && !finished(old)) this.clusterEvent();
    }
  }

  private clusterEvent(): void {
    this.queue.moveAllToActiveOrBackoff();
    this.wake(0);
  }

  /** Runs the loop after `ms` (or sooner if already due). */
  private wake(ms: number): void {
    if (!this.running) return;
    const at = this.o.clock.now() + ms;
    if (this.timer && this.timer.at <= at) return;
    this.timer?.cancel();
    const t = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, ms);
    this.timer = { cancel: () => t.cancel(), at };
  }

  /** Schedules every active pod, then sleeps until the next backoff ends. */
  private drain(): void {
    for (let pod = this.queue.pop(); pod && this.running; pod = this.queue.pop()) {
      try {
        this.scheduleOne(pod);
      } catch (err) {
        this.log(`scheduler: ${pod.metadata.namespace}/${pod.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
        this.queue.failed(pod, false);
      }
    }
    const next = this.queue.nextWakeup();
    if (next !== undefined) this.wake(Math.max(0, next - this.o.clock.now()));
  }

  private scheduleOne(queued: Pod): void {
    const pod = this.cache.pod(queued.metadata.uid ?? "");
    if (!pod || !isPendingFor(pod, this.profile.schedulerName)) {
      this.queue.done(queued);
      return;
    }
    const result = schedulePod(pod, this.cache.snapshot(), this.profile, { startIndex: this.startIndex, random: this.o.random });
    if (result.kind === "noNodes") return this.fail(pod, "SchedulerError", NO_NODES_AVAILABLE, false);
    this.startIndex = result.nextStartIndex;
    if (result.kind === "unschedulable") return this.postFilter(pod, result);
    // Reserve: the pod holds the node's room in the cache while its binding cycle runs beside the next cycles.
    this.cache.assume(pod, result.node);
    this.bindingCycle(pod, result.node, podVolumesOn(result.ctx, result.node));
  }

  /**
   * The binding cycle (upstream's goroutine per pod): VolumeBinding's PreBind writes the chosen volumes' claimRef and
   * the selected-node annotation, then waits, off the scheduling loop, until the PV controller (and the node's
   * provisioner) bound every claim, at most bindTimeoutSeconds; then the pods/binding. A failure or the timeout
   * unreserves the pod and sends it back to the queue (backoff) with a FailedScheduling event in upstream's words.
   */
  private bindingCycle(pod: Pod, node: string, volumes: PodVolumes): void {
    let written: PodVolumes;
    try {
      written = this.preBindWrites(volumes, node);
    } catch (err) {
      return this.bindingFailed(pod, `${PREBIND_VOLUME_BINDING}${errorText(err)}`);
    }
    if (written.bind.length === 0 && written.provision.length === 0) return this.bind(pod, node);
    const uid = pod.metadata.uid ?? "";
    const timer = this.o.clock.setTimeout(() => this.bindingFailed(pod, `${PREBIND_VOLUME_BINDING}binding volumes: ${BIND_TIMEOUT_ERROR}`), this.o.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS);
    this.waiting.set(uid, { pod, node, written, timer });
    this.checkWaiting(uid);
  }

  /** bindAPIUpdate: each write returns the version the wait then expects the cache to reach. */
  private preBindWrites(volumes: PodVolumes, node: string): PodVolumes {
    const out: PodVolumes = { bind: [], provision: [] };
    for (const { volume, claim } of volumes.bind) {
      const ref = { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
      out.bind.push({ claim, volume: this.o.store.update<PersistentVolume>({ ...volume, spec: { ...volume.spec, claimRef: ref } }, { resourceVersion: volume.metadata.resourceVersion }) });
    }
    for (const claim of volumes.provision) {
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === node) {
        out.provision.push(claim);
        continue;
      }
      const annotated = { ...claim, metadata: { ...claim.metadata, annotations: { ...claim.metadata.annotations, [ANN_SELECTED_NODE]: node } } };
      out.provision.push(this.o.store.update<PersistentVolumeClaim>(annotated, { resourceVersion: claim.metadata.resourceVersion }));
    }
    return out;
  }

  /** One check of a waiting pod's claims (on each claim, volume or pod event): bind, fail, or keep waiting. */
  private checkWaiting(uid: string): void {
    const w = this.waiting.get(uid);
    if (!w) return;
    const name = w.pod.metadata.name ?? "";
    const node = this.cache.node(w.node);
    const verdict = !this.cache.pod(uid)
      ? `pod does not exist any more: pods "${name}" not found`
      : !node
        ? `failed to get node "${w.node}": node "${w.node}" not found`
        : checkBindings(w.written, node, this.cache);
    if (verdict === false) return;
    this.waiting.delete(uid);
    w.timer.cancel();
    if (verdict === true) this.bind(w.pod, w.node);
    else this.bindingFailed(w.pod, `${PREBIND_VOLUME_BINDING}binding volumes: ${verdict}`);
  }

  /** DefaultBinder: the pods/binding, then the `Scheduled` event. */
  private bind(pod: Pod, node: string): void {
    try {
      bindPodInStore(this.o.store, { namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", node, uid: pod.metadata.uid, now: this.stamp() });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) {
        // Bound or deleted meanwhile: its own event says what became of it.
        this.cache.forget(pod.metadata.uid ?? "");
        this.queue.done(pod);
        return;
      }
      return this.bindingFailed(pod, `running Bind plugin "DefaultBinder": ${errorText(err)}`);
    }
    this.queue.done(pod);
    this.o.events.event(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace ?? "default"}/${pod.metadata.name} to ${node}`);
  }

  /**
   * handleBindingCycleError: unreserve (the cache forgets the assumption, which may let parked pods fit: they move
   * back), then the failure as any: FailedScheduling, PodScheduled False (SchedulerError), backoff.
   */
  private bindingFailed(pod: Pod, message: string): void {
    const uid = pod.metadata.uid ?? "";
    const w = this.waiting.get(uid);
    this.waiting.delete(uid);
    w?.timer.cancel();
    this.cache.forget(uid);
    const current = this.cache.pod(uid);
    if (!current) {
      this.queue.done(pod);
      return;
    }
    this.fail(current, "SchedulerError", message, false);
    this.clusterEvent();
  }

  private stamp(): string {
    return rfc3339(new Date(this.o.clock.now()));
  }

  /**
   * DefaultPreemption after a FitError: the victims marked and deleted, lower nominations cleared, the pod nominated
   * (its FailedScheduling message then has no "preemption:" part, as upstream's); or the victim search's verdict.
   */
  private postFilter(pod: Pod, err: FitError): void {
    const pdbs = this.o.store.list<PodDisruptionBudget>("PodDisruptionBudget").items;
    const r = preempt(err, this.profile, { pdbs, now: this.o.clock.now(), random: this.o.random });
    if (r.kind === "none") return this.fail(pod, "Unschedulable", fitErrorMessage(err, r.message), true, r.clearNomination ? "" : undefined);
    for (const victim of r.victims) this.preemptVictim(pod, victim, r.node);
    for (const p of r.lowerNominated) this.clearNomination(p);
    this.fail(pod, "Unschedulable", fitErrorMessage(err), true, r.node);
  }

  /** prepareCandidate for one victim: DisruptionTarget, the deletion (already gone is fine), the Preempted event. */
  private preemptVictim(preemptor: Pod, victim: Pod, node: string): void {
    const ns = victim.metadata.namespace ?? "default";
    const name = victim.metadata.name ?? "";
    const current = this.o.store.get<Pod>("Pod", ns, name);
    if (!current || current.metadata.uid !== victim.metadata.uid) return;
    const want: PodCondition = { type: "DisruptionTarget", status: "True", reason: PREEMPTION_BY_SCHEDULER, message: `${this.profile.schedulerName}: preempting to accommodate a higher priority pod` };
    const old = current.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    try {
      if (!old || old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
        const conditions = withCondition(current.status?.conditions, want, this.stamp());
        this.o.api.updateStatus<Pod>({ ...current, status: { ...current.status, conditions } });
      }
      this.o.api.delete("Pod", ns, name, { uid: victim.metadata.uid });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    this.o.events.event(victim, "Normal", "Preempted", `Preempted by pod ${preemptor.metadata.uid} on node ${node}`);
  }

  /** ClearNominatedNodeName: a pod gone or changed meanwhile is left to its next cycle. */
  private clearNomination(pod: Pod): void {
    const current = this.o.store.get<Pod>("Pod", pod.metadata.namespace ?? "default", pod.metadata.name ?? "");
    if (!current || current.metadata.uid !== pod.metadata.uid || !current.status?.nominatedNodeName) return;
    const { nominatedNodeName: _cleared, ...status } = current.status;
    try {
      this.o.store.update<Pod>({ ...current, status }, { subresource: "status", resourceVersion: current.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
  }

  /**
   * handleSchedulingFailure: the event, PodScheduled False with the reason and message (and the nomination
   * preemption decided: a node, "" to clear it, undefined to keep it), and back to the queue.
   */
  private fail(pod: Pod, reason: "Unschedulable" | "SchedulerError", message: string, unschedulable: boolean, nominatedNodeName?: string): void {
    this.o.events.event(pod, "Warning", "FailedScheduling", message);
    const conditions = withCondition(pod.status?.conditions, { type: "PodScheduled", status: "False", reason, message }, this.stamp());
    const { nominatedNodeName: kept, ...rest } = pod.status ?? {};
    const nominated = nominatedNodeName ?? kept;
    const status = { ...rest, conditions, ...(nominated ? { nominatedNodeName: nominated } : {}) };
    try {
      this.o.store.update<Pod>({ ...pod, status }, { subresource: "status", resourceVersion: pod.metadata.resourceVersion });
    } catch (err) {
      // The pod changed meanwhile: its update re-queued it, and the next attempt writes the condition.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
    this.queue.failed(pod, unschedulable);
  }
}
