/**
 * Assembles the kubelet from its parts (wiring only): probe results and the prober, lifecycle hooks, the pod
 * sync, node admission, the eviction manager, persisted back-off, static pods with their mirrors, event expiry,
 * and the Kubelet that drives them. The daemon gives it the store, the runtime and the node's settings; stop() leaves pods running.
 */
import { join } from "node:path";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition } from "../api/types.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import type { Store } from "../store/store.js";
import type { Runner } from "../sys/runner.js";
import { monotonicMs, type StartTraces } from "../sys/start-trace.js";
import { Backoff } from "./backoff.js";
import type { ImageService } from "../images/node-images.js";
import { ImageManager } from "./image-manager.js";
import { pullSecretsOf } from "./pull-secrets.js";
import { BackoffStore } from "./backoff-store.js";
import type { Clock } from "./clock.js";
import { EventRecorder, type EventLimits } from "./events.js";
import { Kubelet } from "./kubelet.js";
import { HookRunner } from "./lifecycle-hooks.js";
import { MirrorPods } from "./mirror-pods.js";
import { NodeAdmission } from "./node-admission.js";
import type { NodeHeartbeat } from "./node-heartbeat.js";
import { PodDialer } from "./pod-dialer.js";
import { isStaticPod, StorePodObjects } from "./pod-objects.js";
import { PodSync, SEEN_SPAN } from "./pod-sync.js";
import { Prober } from "./prober.js";
import { LinuxProbeExecutor } from "./probe-runner.js";
import { ProbeState } from "./probe-state.js";
import { StaticPodSource } from "./static-pods.js";
import { fieldPathOf } from "./container-killer.js";
import type { PodUsage, PressureCondition } from "./eviction.js";
import { EvictionManager } from "./eviction-manager.js";
import type { Observations, Threshold } from "./node-pressure.js";
import type { NodeReclaimers } from "./node-reclaim.js";
import { rfc3339 } from "../api/time.js";
import type { Registry } from "../metrics/registry.js";
import { PodStartTracker, registerKubeletMetrics } from "./kubelet-metrics.js";

export interface NodeAgentOptions {
  nodeName: string;
  store: Store;
  runtime: PodRuntime & { resync?(): Promise<void> };
  runner: Runner;
  clock: Clock;
  /** What the node offers pods (admission reads it; the daemon passes its NodeHeartbeat). */
  heartbeat: Pick<NodeHeartbeat, "allocatable">;
  hostIP: () => string;
  /** Where the kubelet keeps its own state (back-off). */
  stateDir: string;
  /** The static pod manifest directory. */
  manifests: string;
  resyncMs: number;
  /** The node's event rate limit (--event-qps, --event-burst). */
  eventLimits?: EventLimits;
  log: (msg: string) => void;
  /** Environment variables for the Services of a namespace (enableServiceLinks). */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Record<string, string>;
  eviction: EvictionSettings;
  /** The node's images: what is present, and pulls (image-manager.ts applies the pull policies over it). */
  images: ImageService;
  /** Where the kubelet's metrics go (kubelet-metrics.ts); none when absent. */
  metrics?: Registry;
  /** Times the steps of each pod start (`nodelet explain pod NAME --timing`); untimed when absent. */
  traces?: StartTraces;
}

/** The eviction manager's settings and where it reads the node's signals and each pod's usage. */
export interface EvictionSettings {
  thresholds: Threshold[];
  transitionMs: number;
  maxPodGraceSeconds: number;
  intervalMs: number;
  observe: () => Promise<Observations>;
  podUsage: (pod: Pod) => Promise<PodUsage | undefined>;
  /** Node-level reclaimers (dead containers, unused images), by the filesystem they free. */
  reclaimers: NodeReclaimers;
  sharedImageFs: () => boolean;
  onConditions?: (conditions: PressureCondition[]) => void;
}

export interface NodeAgent {
  kubelet: Kubelet;
  prober: Prober;
  events: EventRecorder;
  staticPods: StaticPodSource;
  eviction: EvictionManager;
  /** Stops watching and probing; pods keep running. */
  stop(): Promise<void>;
}

/** The kubelet, once made: the prober, admission and static pods call back into it. */
interface Late {
  kubelet?: Kubelet;
  running: boolean;
  /** Kill grace periods of evictions in progress, by pod uid. */
  evictionGrace: Map<string, number>;
  /** Pods whose Scheduled event is recorded (once admitted: a pod refused as unschedulable gets FailedScheduling instead). */
  announced: Set<string>;
}

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const { store, clock, log } = o;
  // Events are stored after the turn that recorded them: a start's status write is not held up by them.
  const events = new EventRecorder(store, clock, "kubelet", o.nodeName, o.eventLimits, true);
  const backoff = new Backoff(clock);
  const backoffStore = new BackoffStore(join(o.stateDir, "kubelet", "backoff.json"), backoff, log);
  await backoffStore.attach();
  const late: Late = { running: false, evictionGrace: new Map(), announced: new Set() };
  const eviction = evictionManager(o, events, late);
  const starts = o.metrics && new PodStartTracker(o.metrics, () => clock.now());
  const stopMetrics = o.metrics && registerKubeletMetrics(o.metrics, o.runtime);
  const { syncer, prober, admission, imageManager } = podSync(o, events, backoff, late, eviction, starts);
  const staticPods = new StaticPodSource({
    dir: o.manifests,
    nodeName: o.nodeName,
    clock,
    // Changes seen before the kubelet has started are picked up by start().
    onChange: (pods) => late.running && late.kubelet?.staticPodsChanged(pods),
    onError: (file, message) => staticPodError(o, events, file, message),
  });
  const kubelet = new Kubelet({
    nodeName: o.nodeName, store, runtime: o.runtime, syncer, clock, log,
    resyncMs: o.resyncMs,
    mirrors: new MirrorPods(store, o.nodeName, log),
    // The Scheduled event is recorded once the pod is admitted (podSync's admit): an unschedulable pod gets FailedScheduling.
    onPodEvent: (pod) => {
      starts?.seen(pod.metadata.uid!);
      traceStart(o, pod);
    },
    onPodGone: (uid) => {
      starts?.forget(uid);
      o.traces?.forget(uid);
      late.announced.delete(uid);
      // As the scheduler requeues on a pod's deletion: a pod left unscheduled (its ReadWriteOncePod claim was in use) tries again now.
      for (const p of late.kubelet?.activePods() ?? []) if (!late.announced.has(p.metadata.uid!)) late.kubelet?.wake(p.metadata.uid!);
      admission.forget(uid);
      imageManager.forgetPod(uid);
      late.evictionGrace.delete(uid);
    },
  });
  late.kubelet = kubelet;
  // A lost monitor is the lost runtime shim of the kubelet's world: the container's end is reported (and it
  // restarts per its policy through ContainerDied); the event says why it ended. An unreadable exit record holds
  // its container as it is; the event says why nothing happens.
  o.runtime.onEvent((ev) => {
    if (ev.type === "WarmSandboxDiscarded") {
      const pod = kubelet.workers.get(ev.podUid)?.current;
      if (pod) events.record(pod, "Warning", ev.type, ev.message);
      return;
    }
    if (ev.type !== "MonitorLost" && ev.type !== "ExitRecordUnreadable") return;
    const pod = kubelet.workers.get(ev.podUid)?.current;
    if (pod) events.record(pod, "Warning", ev.type, `Container ${ev.name}: ${ev.message}`, fieldPathOf(pod, ev.name));
  });
  await staticPods.start();
  await kubelet.start(staticPods.pods());
  late.running = true;
  kubelet.staticPodsChanged(staticPods.pods());
  eviction.start();
  return {
    kubelet,
    prober,
    events,
    staticPods,
    eviction,
    async stop() {
      stopMetrics?.();
      eviction.stop();
      staticPods.stop();
      prober.stop();
      await kubelet.stop();
      events.flush();
      await backoffStore.flush();
    },
  };
}

/** The pod sync with what it drives: probes (and the prober), hooks, admission. */
function podSync(o: NodeAgentOptions, events: EventRecorder, backoff: Backoff, late: Late, eviction: EvictionManager, starts?: PodStartTracker) {
  const { store, runtime, clock, log } = o;
  const dialer = new PodDialer(o.runner);
  const probes = new ProbeState();
  const prober = new Prober({
    clock,
    state: probes,
    executor: new LinuxProbeExecutor(runtime, dialer, clock),
    unhealthy: (pod, name, message) => events.record(pod, "Warning", "Unhealthy", message, fieldPathOf(pod, name)),
    wake: (uid) => late.kubelet?.wake(uid),
  });
  const admission = new NodeAdmission(
    () => o.heartbeat.allocatable(),
    () => late.kubelet?.activePods() ?? [],
    (uid) => runtime.sandbox(uid) !== undefined,
    (pod) => eviction.admit(pod),
    {
      claim: (ns, name) => store.get<PersistentVolumeClaim>("PersistentVolumeClaim", ns, name),
      volume: (name) => store.get<PersistentVolume>("PersistentVolume", "", name),
      pods: () => [...(late.kubelet?.workers.values() ?? [])].flatMap((w) => (w.current ? [w.current] : [])),
    },
    () => store.get<Node>("Node", "", o.nodeName),
  );
  const imageManager = new ImageManager({
    images: o.images, events, clock, backoff: new Backoff(clock, 10_000, 300_000),
    pullSecrets: (pod) => pullSecretsOf(store, pod),
  });
  const syncer = new PodSync({
    store, runtime, clock, events, backoff, probes, prober, log, imageManager,
    hooks: new HookRunner(runtime, dialer, clock),
    objects: new StorePodObjects(store, () => clock.now()),
    hostIP: o.hostIP,
    allocatable: () => store.get<Node>("Node", "", o.nodeName)?.status?.allocatable,
    serviceEnv: o.serviceEnv,
    admit: (pod) => {
      const refused = admission.admit(pod);
      if (!refused?.unschedulable && !late.announced.has(pod.metadata.uid!)) {
        late.announced.add(pod.metadata.uid!);
        scheduled(events, pod, o.nodeName);
      }
      return refused;
    },
    graceOverride: (uid) => late.evictionGrace.get(uid),
    podStarts: starts,
    traces: o.traces,
  });
  return { syncer, prober, admission, imageManager };
}

/** A pod seen for the first time that is not running yet (not one re-adopted after a restart): its start is traced. */
function traceStart(o: NodeAgentOptions, pod: Pod): void {
  const uid = pod.metadata.uid!;
  if (!o.traces || o.runtime.sandbox(uid) || pod.status?.phase === "Running") return;
  o.traces.open(uid);
  const now = monotonicMs();
  o.traces.add(uid, SEEN_SPAN, now, now);
}

/** The scheduler's event, which a one-node cluster's binding stands for (not for static pods: nothing schedules them). */
function scheduled(events: EventRecorder, pod: Pod, nodeName: string): void {
  if (pod.status?.startTime || isStaticPod(pod)) return;
  events.record(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, undefined, "default-scheduler");
}

/** A manifest that cannot be used: a Warning event on the Node and a log line; the other files still run. */
function staticPodError(o: NodeAgentOptions, events: EventRecorder, file: string, message: string): void {
  o.log(`static pod manifest ${file} skipped: ${message}`);
  const node = { apiVersion: "v1", kind: "Node", metadata: { name: o.nodeName, uid: o.nodeName, namespace: "default" } };
  events.record(node, "Warning", "FailedStaticPodManifest", `cannot use static pod manifest ${file}: ${message}`);
}

/**
 * The eviction manager over this node: candidates are the running, admitted pods; node-level reclaim is the
 * daemon's reclaimers (eviction-wiring.ts); an eviction fails the pod as the kubelet's killPodNow status
 * function does (phase Failed, reason Evicted, the message, a DisruptionTarget condition), records the Evicted
 * event, and has the pod's worker stop it with the eviction's grace period.
 */
function evictionManager(o: NodeAgentOptions, events: EventRecorder, late: Late): EvictionManager {
  const { store, runtime, clock } = o;
  return new EvictionManager({
    ...o.eviction,
    clock,
    log: o.log,
    activePods: () => (late.kubelet?.activePods() ?? []).filter((p) => runtime.sandbox(p.metadata.uid!)?.state === "ready" && p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded"),
    evict: async (pod, graceSeconds, message) => {
      const uid = pod.metadata.uid!;
      const fresh = store.get<Pod>("Pod", pod.metadata.namespace ?? "default", pod.metadata.name!);
      if (!fresh || fresh.metadata.uid !== uid) return;
      const now = rfc3339(clock.now());
      const disruption: PodCondition = { type: "DisruptionTarget", status: "True", lastProbeTime: null, lastTransitionTime: now, reason: "TerminationByKubelet", message };
      const conditions = [...(fresh.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget"), disruption];
      late.evictionGrace.set(uid, graceSeconds);
      events.record(fresh, "Warning", "Evicted", message);
      const updated = store.update<Pod>({ ...fresh, status: { ...fresh.status, phase: "Failed", reason: "Evicted", message, conditions } }, { subresource: "status" });
      late.kubelet?.workers.get(uid)?.refresh(updated);
      late.kubelet?.wake(uid);
    },
  });
}
