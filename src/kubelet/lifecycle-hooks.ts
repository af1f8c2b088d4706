/**
 * Lifecycle hooks (pkg/kubelet/lifecycle/handlers.go HandlerRunner): postStart and preStop handlers of kind exec
 * (in the container), httpGet (to the pod, as a probe reaches it) and sleep. A hook fails on a non-zero exit or a
 * transport error — an HTTP status code does not fail an httpGet hook, as upstream. The failure message is the
 * kubelet's wording (handlers.go, with the CRI's "command '...' exited with N: STDERR"); it goes into the container's
 * status (PostStartHookError), the log, and the FailedPostStartHook / FailedPreStopHook event (hookEventMessage).
 */
import type { Container, LifecycleHandler, Pod } from "../api/types.js";
import type { PodRuntime } from "../runtime/pod-runtime.js";
import type { Clock } from "./clock.js";
import { execInContainer } from "./container-exec.js";
import { httpGet } from "./http-get.js";
import { podEndpoint, type Dialer } from "./pod-dialer.js";
import { resolveContainerPort } from "./probe-runner.js";

export interface HookTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  /** Aborts a running hook (the pod is being deleted while its postStart hangs). */
  signal?: AbortSignal;
}

/** `name_namespace(uid)`, the kubelet's format.Pod. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? "default"}(${pod.metadata.uid})`;
}

/**
 * The event message for a failed hook: the failure message, whole up to the 1024 characters the events API allows
 * a note. Kubelets before 1.22 put this message in the event; later ones write only "PostStartHook failed" and keep
 * the reason for their log, because a hook's output may hold secrets. nodelet keeps the reason in the event, where
 * `describe pod` shows it: a hook should not print secrets.
 */
export function hookEventMessage(msg: string): string {
  const MAX = 1024;
  return msg.length <= MAX ? msg : `${msg.slice(0, MAX - 3)}...`;
}

/** How long an httpGet hook may take when nothing else bounds it. */
const DEFAULT_HTTP_HOOK_SECONDS = 60;

export class HookRunner {
  constructor(
    private readonly runtime: PodRuntime,
    private readonly dialer: Dialer,
    private readonly clock: Clock,
  ) {}

  /** Runs the handler; resolves undefined when it succeeded, else the failure message. `budgetSeconds` bounds it. */
  async run(handler: LifecycleHandler, t: HookTarget, budgetSeconds?: number): Promise<string | undefined> {
    try {
      if (handler.exec) return await this.exec(handler.exec.command ?? [], t, budgetSeconds);
      if (handler.httpGet) return await this.http(handler, t, budgetSeconds);
      if (handler.sleep) return await this.sleep(handler.sleep.seconds, t.signal, budgetSeconds);
      return `Cannot run handler: invalid handler: ${handler.tcpSocket ? "tcpSocket is not supported as a lifecycle handler" : "no handler set"}`;
    } catch (err) {
      return `Cannot run handler: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private async exec(command: string[], t: HookTarget, budgetSeconds?: number): Promise<string | undefined> {
    const r = await execInContainer(this.runtime, t.containerId, command, budgetSeconds, t.signal);
    if (r.exitCode === 0) return undefined;
    const err = r.timedOut ? `command ${JSON.stringify(command.join(" "))} timed out` : `command '${command.join(" ")}' exited with ${r.exitCode}: ${r.stderr}`;
    return `Exec lifecycle hook ([${command.join(" ")}]) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(formatPod(t.pod))} failed - error: ${err}, message: ${JSON.stringify(r.output)}`;
  }

  private async http(handler: LifecycleHandler, t: HookTarget, budgetSeconds?: number): Promise<string | undefined> {
    const h = handler.httpGet!;
    const sandbox = this.runtime.sandbox(t.pod.metadata.uid!);
    try {
      if (!sandbox || sandbox.state !== "ready") throw new Error("the pod sandbox is not ready");
      const port = resolveContainerPort(h.port, t.container);
      const req = { scheme: h.scheme ?? "HTTP", port, path: h.path ?? "/", headers: h.httpHeaders ?? [] } as const;
      await httpGet(this.dialer, podEndpoint(sandbox, h.host), req, (budgetSeconds ?? DEFAULT_HTTP_HOOK_SECONDS) * 1000, this.clock);
      return undefined;
    } catch (err) {
      return `HTTP lifecycle hook (${h.path ?? "/"}) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(formatPod(t.pod))} failed - error: ${(err as Error).message}`;
    }
  }

  /** The sleep action: waits, bounded by the budget (the rest of the grace period) and the abort signal. */
  private sleep(seconds: number, signal?: AbortSignal, budgetSeconds?: number): Promise<undefined> {
    const ms = Math.min(seconds, budgetSeconds ?? seconds) * 1000;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(undefined), ms);
      signal?.addEventListener("abort", () => {
        timer.cancel();
        resolve(undefined);
      }, { once: true });
    });
  }
}
