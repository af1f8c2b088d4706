/**
 * A hollow node (kubemark's idea): the control plane sees a real node agent — its Node registered and kept current
 * (checked every 10 s, written on change or every 5 min) by the kubelet's own NodeHeartbeat (over made-up facts: 4 CPUs, 32 GiB, 110 pods), its heartbeat
 * Lease renewed every 10 s by the kubelet's own NodeLease, and the pods bound to it reported Running and Ready (FakeKubelet restricted to the node)
 * — without a runtime, so a hundred of them fit in a few processes. Everything goes through the Store it is given
 * (a RemoteStore over the control plane's API in the scale benchmark). stop() ends the watch and the heartbeat; the
 * Node and its Lease stay in the cluster, as a stopped kubelet's do.
 */
import { NodeHeartbeat } from "../../src/kubelet/node-heartbeat.js";
import { NodeLease } from "../../src/kubelet/node-lease.js";
import { realClock, type Clock } from "../../src/sys/clock.js";
import type { Store } from "../../src/store/store.js";
import { FakeKubelet } from "./fake-kubelet.js";

export const HOLLOW_FACTS = {
  cpuCores: 4,
  memoryBytes: 32 * 1024 ** 3,
  ephemeralBytes: 100 * 1024 ** 3,
  swapBytes: 0,
  kernel: "hollow",
  osImage: "hollow node",
  bootID: "hollow",
  machineID: "hollow",
};

/** hollow-007: zero-padded so that the names sort as the numbers do. */
export const hollowName = (i: number): string => `hollow-${String(i).padStart(3, "0")}`;

export class HollowNode {
  private readonly kubelet: FakeKubelet;
  private readonly lease: NodeLease;
  private readonly heartbeat: NodeHeartbeat;

  constructor(
    store: Store,
    readonly name: string,
    hostIP: string,
    clock: Clock = realClock,
  ) {
    this.kubelet = new FakeKubelet(store, { nodeName: name, hostIP });
    this.lease = new NodeLease({ store, nodeName: name, clock });
    const settings = { name, hostIP, reserved: { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0 }, evictionHard: [], maxPods: 110, worker: true };
    this.heartbeat = new NodeHeartbeat({ store, facts: { ...HOLLOW_FACTS, hostname: name }, settings, pressure: () => [], clock });
  }

  /** Registers (or refreshes) the Node, starts the heartbeats and the pod watch. */
  start(): void {
    this.heartbeat.start();
    this.lease.start();
    this.kubelet.start();
  }

  stop(): void {
    this.kubelet.stop();
    this.lease.stop();
    this.heartbeat.stop();
  }
}
