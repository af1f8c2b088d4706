/**
 * How a pod sandbox gets its network (the CNI's job in Kubernetes). The runtime calls setUp after the sandbox's
 * namespaces exist and tearDown before they go. The loopback-only network is what a pod has with no pod network:
 * the shim brings `lo` up in the new namespace, and nothing else is attached.
 */
import type { Pod } from "../api/types.js";
import type { SandboxRecord } from "../runtime/pod-runtime.js";

export interface NetworkAttachment {
  /** Pod IPs, first is primary (status.podIP). */
  ips: string[];
  /** What tearDown needs to find again (interface names, lease ids): persisted in the sandbox record. */
  state?: Record<string, string>;
}

export interface PodNetwork {
  /** Daemon start: create the node's bridge/rules if needed, collect leases of pods that no longer exist. */
  start(livePodUids: Set<string>): Promise<void>;
  setUp(pod: Pod, sandbox: SandboxRecord): Promise<NetworkAttachment>;
  /** Idempotent: the sandbox's namespace may already be gone. */
  tearDown(sandbox: SandboxRecord): Promise<void>;
  /** The address of this node that pods and hostPort/NodePort users reach (status.hostIP). */
  hostIP(): string;
  /**
   * `nodelet reset` and `nodelet daemon --cleanup-on-exit`: remove everything this network made on the host (bridge,
   * rules, routes, leases), leaving it as before. Works without start(); idempotent. Optional: the loopback-only
   * network makes nothing.
   */
  reset?(): Promise<void>;
}

export class LoopbackOnlyNetwork implements PodNetwork {
  constructor(private readonly nodeIP = "127.0.0.1") {}
  async start(): Promise<void> {}
  async setUp(): Promise<NetworkAttachment> {
    return { ips: [] };
  }
  async tearDown(): Promise<void> {}
  hostIP(): string {
    return this.nodeIP;
  }
}
