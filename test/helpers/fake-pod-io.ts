/**
 * A PodIO for tests: logs come from strings (per container), metrics are fixed numbers, exec/attach/port-forward
 * are recorded and answered by simple in-memory streams. `follow` streams stay open until `endLogs()`.
 */
import { PassThrough, Readable, type Duplex } from "node:stream";
import { ApiError } from "../../src/api/errors.js";
import type { Pod, PodMetrics } from "../../src/api/types.js";
import type { ExecOptions, ExecSession, LogOptions, PodIO } from "../../src/api/pod-io.js";
import { rfc3339 } from "../../src/api/time.js";

export interface FakePodIOOptions {
  /** Log text per container name (the same for every pod); missing containers log "". */
  logs?: Record<string, string>;
  /** Usage reported for every container: CPU in nanocores, memory in KiB. */
  cpuNanos?: number;
  memoryKi?: number;
  /** Per-pod usage of each container (autoscaler tests), over cpuNanos/memoryKi; read on every request. */
  usage?: (pod: Pod) => { cpuNanos: number; memoryKi: number };
  /** The metrics' timestamp (a fixed time without it). */
  now?: () => number;
}

export class FakePodIO implements PodIO {
  readonly logCalls: { pod: string; opts: LogOptions }[] = [];
  readonly execCalls: { pod: string; opts: ExecOptions }[] = [];
  private readonly following = new Set<PassThrough>();

  constructor(private readonly opts: FakePodIOOptions = {}) {}

  async logs(pod: Pod, opts: LogOptions): Promise<Readable> {
    this.logCalls.push({ pod: pod.metadata.name ?? "", opts });
    let text = this.opts.logs?.[opts.container] ?? "";
    if (opts.tailLines !== undefined) text = tail(text, opts.tailLines);
    if (opts.limitBytes !== undefined) text = text.slice(0, opts.limitBytes);
    if (!opts.follow) return Readable.from([Buffer.from(text)]);
    const out = new PassThrough();
    out.write(text);
    this.following.add(out);
    out.on("close", () => this.following.delete(out));
    return out;
  }

  /** Appends to every followed log. */
  appendLogs(text: string): void {
    for (const s of this.following) s.write(text);
  }

  /** Ends every followed log. */
  endLogs(): void {
    for (const s of this.following) s.end();
  }

  get followers(): number {
    return this.following.size;
  }

  async exec(pod: Pod, opts: ExecOptions): Promise<ExecSession> {
    this.execCalls.push({ pod: pod.metadata.name ?? "", opts });
    const stdout = new PassThrough();
    stdout.end(`${opts.command.join(" ")}\n`);
    return { stdin: null, stdout, stderr: null, resize: () => undefined, exit: Promise.resolve(0), kill: () => undefined };
  }

  async attach(pod: Pod, opts: Omit<ExecOptions, "command">): Promise<ExecSession> {
    return this.exec(pod, { ...opts, command: ["attach"] });
  }

  async portForward(_pod: Pod, port: number): Promise<Duplex> {
    throw new ApiError("BadRequest", `fake port-forward to ${port} refused`);
  }

  async metrics(pod: Pod): Promise<PodMetrics> {
    return {
      apiVersion: "metrics.k8s.io/v1beta1",
      kind: "PodMetrics",
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: new Date().toISOString() },
      timestamp: this.opts.now ? rfc3339(this.opts.now()) : "2026-11-27T04:19:27Z",
      window: "10s",
      containers: pod.spec.containers.map((c) => {
        const u = this.opts.usage?.(pod) ?? { cpuNanos: this.opts.cpuNanos ?? 1_500_000, memoryKi: this.opts.memoryKi ?? 10240 };
        return { name: c.name, usage: { cpu: `${u.cpuNanos}n`, memory: `${u.memoryKi}Ki` } };
      }),
    };
  }
}

function tail(text: string, n: number): string {
  const lines = text.split("\n");
  const trailing = lines[lines.length - 1] === "" ? lines.pop() : undefined;
  const kept = n === 0 ? [] : lines.slice(-n);
  return kept.join("\n") + (trailing !== undefined && kept.length ? "\n" : "");
}
