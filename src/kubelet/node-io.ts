/**
 * PodIO for this node: the kubelet's streaming server (logs, exec, attach, port-forward) and its metrics, over the
 * runtime. Errors are the ones the real kubelet/API server return, so kubectl prints the familiar messages.
 */
import { anyContainer } from "../api/ephemeral-containers.js";
import { connect } from "node:net";
import { Duplex } from "node:stream";
import { ApiError } from "../api/errors.js";
import type { ContainerMetrics, Pod, PodMetrics } from "../api/types.js";
import type { ExecOptions, ExecSession, LogOptions, PodIO } from "../api/pod-io.js";
import { readContainerLog } from "../runtime/cri-log.js";
import type { ContainerRecord, PodRuntime } from "../runtime/pod-runtime.js";
import { isoNow, type Clock } from "../sys/clock.js";
import type { Runner } from "../sys/runner.js";
import { attachSession } from "./attach-session.js";
import { MetricsSampler } from "./metrics-sampler.js";
import { runtimeUid } from "./pod-objects.js";
import { rfc3339 } from "../api/time.js";

export class NodeIO implements PodIO {
  private readonly sampler: MetricsSampler;

  constructor(
    private readonly runtime: PodRuntime,
    private readonly runner: Runner,
    private readonly clock: Clock,
  ) {
    this.sampler = new MetricsSampler((id) => runtime.usage(id), clock);
  }

  /** The newest container (and the one before it) of a name in a pod. */
  private instances(pod: Pod, name: string): ContainerRecord[] {
    return this.runtime
      .containers(runtimeUid(pod))
      .filter((c) => c.name === name)
      .sort((a, b) => b.attempt - a.attempt);
  }

  private checkContainer(pod: Pod, name: string): void {
    if (!anyContainer(pod, name)) {
      throw ApiError.badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
    }
  }

  async logs(pod: Pod, opts: LogOptions) {
    this.checkContainer(pod, opts.container);
    const [latest, previous] = this.instances(pod, opts.container);
    const target = opts.previous ? previous : latest;
    if (!target) {
      if (opts.previous) {
        throw ApiError.badRequest(`previous terminated container "${opts.container}" in pod "${pod.metadata.name}" not found`);
      }
      const waiting = pod.status?.containerStatuses?.find((s) => s.name === opts.container)?.state.waiting?.reason ?? "ContainerCreating";
      throw ApiError.badRequest(`container "${opts.container}" in pod "${pod.metadata.name}" is waiting to start: ${waiting}`);
    }
    const sinceMs = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds ? this.clock.now() - opts.sinceSeconds * 1000 : undefined;
    return readContainerLog(target.logPath, {
      tailLines: opts.tailLines,
      timestamps: opts.timestamps,
      limitBytes: opts.limitBytes,
      sinceMs,
      follow: opts.follow && !opts.previous,
      isRunning: () => this.runtime.container(target.id)?.state === "running",
      exited: (ms) => this.runtime.waitForExit(target.id, ms),
    });
  }

  private running(pod: Pod, name: string): ContainerRecord {
    this.checkContainer(pod, name);
    const [latest] = this.instances(pod, name);
    if (!latest || latest.state !== "running") {
      throw ApiError.badRequest(`container ${name} is not running in pod ${pod.metadata.name}`);
    }
    return latest;
  }

  async exec(pod: Pod, opts: ExecOptions): Promise<ExecSession> {
    const c = this.running(pod, opts.container);
    if (opts.command.length === 0) throw ApiError.badRequest("you must specify at least one command for the container");
    return this.runtime.exec(c.id, opts);
  }

  /** Attach to the container's main process: its terminal or stdio, as the kubelet does (attach-session.ts). */
  async attach(pod: Pod, opts: Omit<ExecOptions, "command">): Promise<ExecSession> {
    const c = this.running(pod, opts.container);
    const spec = anyContainer(pod, opts.container)!;
    return attachSession(this.runtime, c, spec, opts);
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    const sandbox = this.runtime.sandbox(runtimeUid(pod));
    if (!sandbox || sandbox.state !== "ready") throw ApiError.badRequest(`pod ${pod.metadata.name} has no running sandbox`);
    const ip = sandbox.hostNetwork ? "127.0.0.1" : sandbox.ips[0];
    if (ip) return dial(ip, port);
    // A pod with no pod network (loopback only): enter its network namespace, as the kubelet once did with
    // nsenter + socat.
    const child = this.runner.spawn(["nsenter", `--net=/proc/${sandbox.pid}/ns/net`, "socat", "STDIO", `TCP:127.0.0.1:${port}`], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    return Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  }

  async metrics(pod: Pod): Promise<PodMetrics> {
    const running = this.runtime.containers(runtimeUid(pod)).filter((c) => c.state === "running");
    const containers: ContainerMetrics[] = [];
    for (const c of running) {
      const u = await this.sampler.sample(c.id);
      containers.push({ name: c.name, usage: { cpu: `${Math.round(u.cpuNanoCores)}n`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` } });
    }
    return {
      apiVersion: "metrics.k8s.io/v1beta1",
      kind: "PodMetrics",
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels, creationTimestamp: isoNow(this.clock) },
      timestamp: rfc3339(this.clock.now()),
      window: `${Math.round(this.sampler.windowMs / 1000)}s`,
      containers,
    };
  }
}

function dial(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, allowHalfOpen: true });
    sock.once("connect", () => resolve(sock));
    sock.once("error", (err) => reject(ApiError.badRequest(`error forwarding port ${port} to pod: ${err.message}`)));
  });
}
