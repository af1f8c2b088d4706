/**
 * Runs one probe once (pkg/kubelet/prober/prober.go runProbe and pkg/probe/{exec,http,tcp,grpc}): exec in the
 * container, httpGet, tcpSocket or grpc to the pod. The outcome is the kubelet's: success, failure (with the output
 * the Unhealthy event shows), or unknown (an error: the worker throws the result away and the event says "errored").
 */
import type { Container, Pod, ProbeHandler } from "../api/types.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import type { Clock } from "./clock.js";
import { execInContainer } from "./container-exec.js";
import { grpcHealthCheck } from "./grpc-health.js";
import { HttpGetError, httpGet } from "./http-get.js";
import { podEndpoint, type Dialer } from "./pod-dialer.js";

export type ProbeResult = "success" | "failure" | "unknown";

export interface ProbeOutcome {
  result: ProbeResult;
  /** Failure: what the probe said; unknown: the error. */
  output: string;
}

export interface ProbeTarget {
  pod: Pod;
  container: Container;
  containerId: string;
}

/** Runs one probe; never rejects. */
export interface ProbeExecutor {
  run(handler: ProbeHandler, timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome>;
}

/**
 * A probe's port: a number, the containerPort of a named port, or a number written as a string — the kubelet's
 * probe.ResolveContainerPort, whose Go errors ("strconv.Atoi: parsing \"http\": invalid syntax") end up in events.
 */
export function resolveContainerPort(port: number | string, c: Container): number {
  let n: number;
  if (typeof port === "number") n = port;
  else {
    const named = c.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

export class LinuxProbeExecutor implements ProbeExecutor {
  constructor(
    private readonly runtime: PodRuntime,
    private readonly dialer: Dialer,
    private readonly clock: Clock,
  ) {}

  async run(handler: ProbeHandler, timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome> {
    try {
      if (handler.exec) return await this.exec(handler.exec.command ?? [], timeoutSeconds, target);
      if (handler.httpGet) return await this.http(handler, timeoutSeconds, target);
      if (handler.tcpSocket) return await this.tcp(handler, timeoutSeconds, target);
      if (handler.grpc) return await this.grpc(handler, timeoutSeconds, target);
      return { result: "unknown", output: "missing probe handler" };
    } catch (err) {
      return { result: "unknown", output: err instanceof Error ? err.message : String(err) };
    }
  }

  private endpoint(target: ProbeTarget, host?: string) {
    const sandbox = this.runtime.sandbox(target.pod.metadata.uid!);
    if (!sandbox || sandbox.state !== "ready") throw new Error("the pod sandbox is not ready");
    return podEndpoint(sandbox, host);
  }

  /** pkg/probe/exec: exit 0 passes; a timeout fails with `command "..." timed out`; a shim failure is an error. */
  private async exec(command: string[], timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome> {
    const r = await execInContainer(this.runtime, target.containerId, command, timeoutSeconds);
    if (r.timedOut) return { result: "failure", output: `command ${JSON.stringify(command.join(" "))} timed out` };
    if (r.shimFailed) return { result: "unknown", output: r.stderr.trim() };
    return { result: r.exitCode === 0 ? "success" : "failure", output: r.output };
  }

  /** pkg/probe/http: 2xx and 3xx pass; other codes fail with `HTTP probe failed with statuscode: N`. */
  private async http(handler: ProbeHandler, timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome> {
    const h = handler.httpGet!;
    const port = resolveContainerPort(h.port, target.container);
    const endpoint = this.endpoint(target, h.host);
    try {
      const res = await httpGet(this.dialer, endpoint, { scheme: h.scheme ?? "HTTP", port, path: h.path ?? "/", headers: h.httpHeaders ?? [] }, timeoutSeconds * 1000, this.clock);
      if (res.status >= 200 && res.status < 400) return { result: "success", output: res.body };
      return { result: "failure", output: `HTTP probe failed with statuscode: ${res.status}` };
    } catch (err) {
      if (err instanceof HttpGetError) return { result: "failure", output: err.message };
      throw err;
    }
  }

  /** pkg/probe/tcp: a connection within the timeout passes; the dial error is the failure's output. */
  private async tcp(handler: ProbeHandler, timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome> {
    const t = handler.tcpSocket!;
    const port = resolveContainerPort(t.port, target.container);
    try {
      const conn = await this.dialer.dial(this.endpoint(target, t.host), port, timeoutSeconds * 1000);
      conn.destroy();
      return { result: "success", output: "" };
    } catch (err) {
      if ((err as Error).name === "DialError") return { result: "failure", output: (err as Error).message };
      throw err;
    }
  }

  private async grpc(handler: ProbeHandler, timeoutSeconds: number, target: ProbeTarget): Promise<ProbeOutcome> {
    const g = handler.grpc!;
    const port = resolveContainerPort(g.port, target.container);
    const health = await grpcHealthCheck(this.dialer, this.endpoint(target), port, g.service ?? "", timeoutSeconds * 1000, this.clock);
    return health.ok ? { result: "success", output: "" } : { result: "failure", output: health.message };
  }
}
