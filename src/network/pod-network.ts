/**
 * How a pod sandbox gets its network (the CNI's job in Kubernetes). The runtime calls prepare before the sandbox,
 * attach once its namespaces exist (abort if making them failed) and tearDown before they go. The loopback-only network is what a pod has with no pod network:
 * the shim brings `lo` up in the new namespace, and nothing else is attached.
 */
import type { Pod } from "../api/types.js";
import type { Runner } from "../sys/runner.js";
import { detectNodeIP } from "./node-ip.js";

/**
 * What the network needs to know of a pod's sandbox (the runtime's SandboxRecord is one): whose it is, its pause
 * process (whose network namespace the pod's interface goes into) and what attach/setUp returned to tear it down.
 */
export interface NetworkSandbox {
  podUid: string;
  namespace: string;
  name: string;
  pid: number;
  /** The attachment's `state`, as the runtime persisted it in the sandbox record. */
  network?: Record<string, string>;
}

export interface NetworkAttachment {
  /** Pod IPs, first is primary (status.podIP). */
  ips: string[];
  /** What tearDown needs to find again (interface names, lease ids): persisted in the sandbox record. */
  state?: Record<string, string>;
}

/**
 * A network the sandbox builds itself as it creates its namespaces (no exec; see shim/netlink.c): prepared before
 * the sandbox (address allocated, the shim's flags decided), attached once it exists, aborted if it failed.
 */
export interface PreparedNetwork {
  /** Flags for `nodelet-shim sandbox`. */
  shimArgs: string[];
  ips: string[];
  /** What the shim does, as the `ip` commands a person would type (for `nodelet explain`). */
  equivalent: string[];
  /** Opaque to the runtime: handed back to attach/abort. */
  token: unknown;
}

export interface PodNetwork {
  /** Daemon start: create the node's bridge/rules if needed, collect leases of pods that no longer exist. */
  start(livePodUids: Set<string>): Promise<void>;
  /** The one protocol: prepare before the sandbox, attach once it exists, or abort if making it failed. */
  prepare(pod: Pod, podUid: string): Promise<PreparedNetwork>;
  attach(pod: Pod, sandbox: NetworkSandbox, prepared: PreparedNetwork): Promise<NetworkAttachment>;
  abort(prepared: PreparedNetwork, podUid: string): Promise<void>;
  /** Idempotent: the sandbox's namespace may already be gone. */
  tearDown(sandbox: NetworkSandbox): Promise<void>;
  /**
   * A warm sandbox (made ahead, attached under its own id) claimed by a pod: its attachment — address, veth, routes —
   * becomes the pod's, with the pod's hostPorts. Throws (FieldError for a hostPort held by another pod) with nothing
   * changed. Optional: a network without it gets no warm sandboxes.
   */
  claim?(pod: Pod, podUid: string, warm: NetworkSandbox): Promise<NetworkAttachment>;
  /**
   * Why a sandbox's attachment is no longer whole — its lease gone or given to another, its veth gone (the kernel
   * removes it with a dead network namespace) or on another bridge — or undefined. Optional: checked before a warm
   * sandbox is claimed or adopted.
   */
  attachmentBroken?(sandbox: NetworkSandbox): string | undefined;
  /** How many pod addresses are still free (undefined: no limit); the warm pool never holds the last ones. */
  freeAddresses?(): number | undefined;
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
  /** `nodeIP` as given (--node-ip), else detected at start() when a runner is given, else 127.0.0.1. */
  constructor(
    private nodeIP?: string,
    private readonly runner?: Runner,
  ) {}
  async start(): Promise<void> {
    if (this.nodeIP === undefined && this.runner) this.nodeIP = await detectNodeIP(this.runner, { owner: "node" });
  }
  /** Nothing to make: the shim brings `lo` up in every new network namespace. */
  async prepare(): Promise<PreparedNetwork> {
    return { shimArgs: [], ips: [], equivalent: [], token: undefined };
  }
  async attach(): Promise<NetworkAttachment> {
    return { ips: [] };
  }
  async abort(): Promise<void> {}
  async tearDown(): Promise<void> {}
  /** A warm sandbox has only its loopback: nothing to move. */
  async claim(): Promise<NetworkAttachment> {
    return { ips: [] };
  }
  hostIP(): string {
    return this.nodeIP ?? "127.0.0.1";
  }
}
