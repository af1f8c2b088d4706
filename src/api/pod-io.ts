/**
 * What the API server needs from the node to serve the pod subresources that are not stored objects:
 * logs, exec, attach, port-forward and metrics. The kubelet/runtime implements it; the API server only frames
 * bytes (HTTP chunked, WebSocket channels, SPDY streams) around these streams. A fake implementation serves tests.
 */
import type { Duplex, Readable, Writable } from "node:stream";
import type { Node, NodeMetrics, Pod, PodMetrics } from "./types.js";

/** Query options of GET /api/v1/namespaces/NS/pods/NAME/log (k8s.io/api core/v1 PodLogOptions). */
export interface LogOptions {
  container: string;
  follow?: boolean;
  previous?: boolean;
  /** Only the last N lines. */
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

export interface ExecOptions {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** A running exec (or attach) session. With a TTY, stderr is null and output arrives on stdout. */
export interface ExecSession {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Terminal size changes from the client (channel 4 / the resize stream). */
  resize(width: number, height: number): void;
  /** Resolves with the process's exit code once it has exited and its output has been drained. */
  exit: Promise<number>;
  /** Ends the session early (the client went away): kills the process and its children. */
  kill(): void;
}

export interface PodIO {
  /** The container's log, decoded from the CRI log format, as a byte stream (text/plain). Throws ApiError. */
  logs(pod: Pod, opts: LogOptions): Promise<Readable>;
  /** Runs a command inside a container. Throws ApiError (BadRequest when the container is not running). */
  exec(pod: Pod, opts: ExecOptions): Promise<ExecSession>;
  /** Attaches to the container's main process stdio (kubectl attach / run --attach). */
  attach(pod: Pod, opts: Omit<ExecOptions, "command">): Promise<ExecSession>;
  /** A TCP connection to `port` on the pod (inside its network namespace). */
  portForward(pod: Pod, port: number): Promise<Duplex>;
  /** CPU and memory usage from cgroup accounting (metrics.k8s.io PodMetrics). */
  metrics(pod: Pod): Promise<PodMetrics>;
  /**
   * A node's NodeMetrics from its kubelet, where the pods' IO reaches other nodes (the control plane); the
   * all-in-one daemon reports its own node instead (ServerContext.nodeUsage).
   */
  nodeMetrics?(node: Node): Promise<NodeMetrics>;
}
