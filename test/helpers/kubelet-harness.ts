/**
 * The kubelet's control loop assembled around a FakeRuntime, an in-memory store and a FakeClock: the real
 * Kubelet, PodSync, Prober, hooks, admission and mirror pods, with nothing real underneath — so tests drive time
 * and container exits and read back statuses and events, without root and without sleeping.
 */
import type { Event, Node, PersistentVolumeClaim, Pod } from "../../src/api/types.js";
import { admitCreate } from "../../src/api/admission.js";
import type { ImageService } from "../../src/images/node-images.js";
import { ImageManager } from "../../src/kubelet/image-manager.js";
import { Backoff } from "../../src/kubelet/backoff.js";
import { FakeClock } from "../../src/kubelet/clock.js";
import { fieldPathOf } from "../../src/kubelet/container-killer.js";
import { EventRecorder } from "../../src/kubelet/events.js";
import { Kubelet } from "../../src/kubelet/kubelet.js";
import { HookRunner } from "../../src/kubelet/lifecycle-hooks.js";
import { MirrorPods } from "../../src/kubelet/mirror-pods.js";
import { NodeAdmission, type Allocatable } from "../../src/kubelet/node-admission.js";
import { PodDialer } from "../../src/kubelet/pod-dialer.js";
import { StorePodObjects } from "../../src/kubelet/pod-objects.js";
import { PodSync } from "../../src/kubelet/pod-sync.js";
import { Prober } from "../../src/kubelet/prober.js";
import { LinuxProbeExecutor } from "../../src/kubelet/probe-runner.js";
import { ProbeState } from "../../src/kubelet/probe-state.js";
import { openStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { HostRunner } from "../../src/sys/runner.js";
import { FakeRuntime } from "./fake-runtime.js";

export const NODE = "node1";

export interface Harness {
  clock: FakeClock;
  store: Store;
  runtime: FakeRuntime;
  kubelet: Kubelet;
  prober: Prober;
  backoff: Backoff;
  allocatable: Allocatable;
  /** Creates a pod through admission (defaults, binding), as the API server would. */
  create(pod: Partial<Pod> & { metadata: { name: string }; spec: Pod["spec"] }): Pod;
  get(name: string): Pod | undefined;
  events(name?: string): Event[];
  /** Lets every pending promise and microtask run (the workers' async steps), without moving time. */
  settle(): Promise<void>;
  /** Moves fake time forward in steps, settling after each, so timers and their async work interleave. */
  advance(ms: number, step?: number): Promise<void>;
  close(): Promise<void>;
}

export async function makeKubelet(opts: { allocatable?: Allocatable } = {}): Promise<Harness> {
  const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
  const store = openStore(":memory:", { now: () => new Date(clock.now()) });
  store.create({ apiVersion: "v1", kind: "Node", metadata: { name: NODE } });
  const runtime = new FakeRuntime(clock);
  const events = new EventRecorder(store, clock, "kubelet", NODE);
  const backoff = new Backoff(clock);
  const probes = new ProbeState();
  const allocatable = opts.allocatable ?? { cpuMilli: 4000, memoryBytes: 8 * 2 ** 30, pods: 110 };
  let kubelet: Kubelet | undefined;
  const dialer = new PodDialer(new HostRunner());
  const prober = new Prober({
    clock,
    state: probes,
    executor: new LinuxProbeExecutor(runtime, dialer, clock),
    unhealthy: (pod, name, message) => events.record(pod, "Warning", "Unhealthy", message, fieldPathOf(pod, name)),
    wake: (uid) => kubelet?.wake(uid),
    random: () => 0,
  });
  const admission = new NodeAdmission(() => allocatable, () => kubelet?.activePods() ?? [], (uid) => runtime.sandbox(uid) !== undefined, undefined, {
    claim: (ns, name) => store.get<PersistentVolumeClaim>("PersistentVolumeClaim", ns, name),
    pods: () => [...(kubelet?.workers.values() ?? [])].flatMap((w) => (w.current ? [w.current] : [])),
  }, () => store.get<Node>("Node", "", NODE));
  // Every image is present (as if built on the node) except "missing"; pulls fail as a registry without it would.
  const images: ImageService = {
    present: async (ref) => (ref === "missing" ? undefined : { id: "x", size: 1, local: true }),
    pull: async (ref) => {
      throw new Error(`manifest unknown: ${ref}`);
    },
  };
  const imageManager = new ImageManager({ images, events, clock, backoff: new Backoff(clock), pullSecrets: () => [] });
  const syncer = new PodSync({
    store, runtime, clock, events, backoff, probes, prober, imageManager,
    hooks: new HookRunner(runtime, dialer, clock),
    objects: new StorePodObjects(store, () => clock.now()),
    hostIP: () => "10.0.0.1",
    admit: (pod) => admission.admit(pod),
  });
  kubelet = new Kubelet({
    nodeName: NODE, store, runtime, syncer, clock,
    mirrors: new MirrorPods(store, NODE),
    onPodGone: (uid) => admission.forget(uid),
    log: () => undefined,
  });
  await kubelet.start();
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    clock, store, runtime, kubelet, prober, backoff, allocatable,
    create: (pod) => store.create(admitCreate({ apiVersion: "v1", kind: "Pod", ...pod }, { nodeName: NODE })),
    get: (name) => store.get<Pod>("Pod", "default", name),
    events: (name) => store.list<Event>("Event").items.filter((e) => !name || e.involvedObject.name === name),
    settle,
    async advance(ms, step = 500) {
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        await settle();
      }
    },
    async close() {
      prober.stop();
      await kubelet.stop();
      store.close();
    },
  };
}
