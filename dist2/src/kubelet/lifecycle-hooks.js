import { execInContainer } from "./container-exec.js";
import { httpGet } from "./http-get.js";
import { podEndpoint } from "./pod-dialer.js";
import { resolveContainerPort } from "./probe-runner.js";
/** `name_namespace(uid)`, the kubelet's format.Pod. */
export function formatPod(pod) {
    return `${pod.metadata.name}_${pod.metadata.namespace ?? "default"}(${pod.metadata.uid})`;
}
/**
 * The event message for a failed hook: the failure message, whole up to the 1024 characters the events API allows
 * a note. Kubelets before 1.22 put this message in the event; later ones write only "PostStartHook failed" and keep
 * the reason for their log, because a hook's output may hold secrets. nodelet keeps the reason in the event, where
 * `describe pod` shows it: a hook should not print secrets.
 */
export function hookEventMessage(msg) {
    const MAX = 1024;
    return msg.length <= MAX ? msg : `${msg.slice(0, MAX - 3)}...`;
}
/** How long an httpGet hook may take when nothing else bounds it. */
const DEFAULT_HTTP_HOOK_SECONDS = 60;
export class HookRunner {
    runtime;
    dialer;
    clock;
    constructor(runtime, dialer, clock) {
        this.runtime = runtime;
        this.dialer = dialer;
        this.clock = clock;
    }
    /** Runs the handler; resolves undefined when it succeeded, else the failure message. `budgetSeconds` bounds it. */
    async run(handler, t, budgetSeconds) {
        try {
            if (handler.exec)
                return await this.exec(handler.exec.command ?? [], t, budgetSeconds);
            if (handler.httpGet)
                return await this.http(handler, t, budgetSeconds);
            if (handler.sleep)
                return await this.sleep(handler.sleep.seconds, t.signal, budgetSeconds);
            return `Cannot run handler: invalid handler: ${handler.tcpSocket ? "tcpSocket is not supported as a lifecycle handler" : "no handler set"}`;
        }
        catch (err) {
            return `Cannot run handler: ${err instanceof Error ? err.message : String(err)}`;
        }
    }
    async exec(command, t, budgetSeconds) {
        const r = await execInContainer(this.runtime, t.containerId, command, budgetSeconds, t.signal);
        if (r.exitCode === 0)
            return undefined;
        const err = r.timedOut ? `command ${JSON.stringify(command.join(" "))} timed out` : `command '${command.join(" ")}' exited with ${r.exitCode}: ${r.stderr}`;
        return `Exec lifecycle hook ([${command.join(" ")}]) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(formatPod(t.pod))} failed - error: ${err}, message: ${JSON.stringify(r.output)}`;
    }
    async http(handler, t, budgetSeconds) {
        const h = handler.httpGet;
        const sandbox = this.runtime.sandbox(t.pod.metadata.uid);
        try {
            if (!sandbox || sandbox.state !== "ready")
                throw new Error("the pod sandbox is not ready");
            const port = resolveContainerPort(h.port, t.container);
            const req = { scheme: h.scheme ?? "HTTP", port, path: h.path ?? "/", headers: h.httpHeaders ?? [] };
            await httpGet(this.dialer, podEndpoint(sandbox, h.host), req, (budgetSeconds ?? DEFAULT_HTTP_HOOK_SECONDS) * 1000);
            return undefined;
        }
        catch (err) {
            return `HTTP lifecycle hook (${h.path ?? "/"}) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(formatPod(t.pod))} failed - error: ${err.message}`;
        }
    }
    /** The sleep action: waits, bounded by the budget (the rest of the grace period) and the abort signal. */
    sleep(seconds, signal, budgetSeconds) {
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
//# sourceMappingURL=lifecycle-hooks.js.map