import { execInContainer } from "./container-exec.js";
import { grpcHealthCheck } from "./grpc-health.js";
import { HttpGetError, httpGet } from "./http-get.js";
import { podEndpoint } from "./pod-dialer.js";
/**
 * A probe's port: a number, the containerPort of a named port, or a number written as a string — the kubelet's
 * probe.ResolveContainerPort, whose Go errors ("strconv.Atoi: parsing \"http\": invalid syntax") end up in events.
 */
export function resolveContainerPort(port, c) {
    let n;
    if (typeof port === "number")
        n = port;
    else {
        const named = c.ports?.find((p) => p.name === port);
        if (named)
            n = named.containerPort;
        else if (/^[+-]?\d+$/.test(port))
            n = Number(port);
        else
            throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
    }
    if (n > 0 && n < 65536)
        return n;
    throw new Error(`invalid port number: ${n}`);
}
export class LinuxProbeExecutor {
    runtime;
    dialer;
    constructor(runtime, dialer) {
        this.runtime = runtime;
        this.dialer = dialer;
    }
    async run(handler, timeoutSeconds, target) {
        try {
            if (handler.exec)
                return await this.exec(handler.exec.command ?? [], timeoutSeconds, target);
            if (handler.httpGet)
                return await this.http(handler, timeoutSeconds, target);
            if (handler.tcpSocket)
                return await this.tcp(handler, timeoutSeconds, target);
            if (handler.grpc)
                return await this.grpc(handler, timeoutSeconds, target);
            return { result: "unknown", output: "missing probe handler" };
        }
        catch (err) {
            return { result: "unknown", output: err instanceof Error ? err.message : String(err) };
        }
    }
    endpoint(target, host) {
        const sandbox = this.runtime.sandbox(target.pod.metadata.uid);
        if (!sandbox || sandbox.state !== "ready")
            throw new Error("the pod sandbox is not ready");
        return podEndpoint(sandbox, host);
    }
    /** pkg/probe/exec: exit 0 passes; a timeout fails with `command "..." timed out`; a shim failure is an error. */
    async exec(command, timeoutSeconds, target) {
        const r = await execInContainer(this.runtime, target.containerId, command, timeoutSeconds);
        if (r.timedOut)
            return { result: "failure", output: `command ${JSON.stringify(command.join(" "))} timed out` };
        if (r.shimFailed)
            return { result: "unknown", output: r.stderr.trim() };
        return { result: r.exitCode === 0 ? "success" : "failure", output: r.output };
    }
    /** pkg/probe/http: 2xx and 3xx pass; other codes fail with `HTTP probe failed with statuscode: N`. */
    async http(handler, timeoutSeconds, target) {
        const h = handler.httpGet;
        const port = resolveContainerPort(h.port, target.container);
        const endpoint = this.endpoint(target, h.host);
        try {
            const res = await httpGet(this.dialer, endpoint, { scheme: h.scheme ?? "HTTP", port, path: h.path ?? "/", headers: h.httpHeaders ?? [] }, timeoutSeconds * 1000);
            if (res.status >= 200 && res.status < 400)
                return { result: "success", output: res.body };
            return { result: "failure", output: `HTTP probe failed with statuscode: ${res.status}` };
        }
        catch (err) {
            if (err instanceof HttpGetError)
                return { result: "failure", output: err.message };
            throw err;
        }
    }
    /** pkg/probe/tcp: a connection within the timeout passes; the dial error is the failure's output. */
    async tcp(handler, timeoutSeconds, target) {
        const t = handler.tcpSocket;
        const port = resolveContainerPort(t.port, target.container);
        try {
            const conn = await this.dialer.dial(this.endpoint(target, t.host), port, timeoutSeconds * 1000);
            conn.destroy();
            return { result: "success", output: "" };
        }
        catch (err) {
            if (err.name === "DialError")
                return { result: "failure", output: err.message };
            throw err;
        }
    }
    async grpc(handler, timeoutSeconds, target) {
        const g = handler.grpc;
        const port = resolveContainerPort(g.port, target.container);
        const health = await grpcHealthCheck(this.dialer, this.endpoint(target), port, g.service ?? "", timeoutSeconds * 1000);
        return health.ok ? { result: "success", output: "" } : { result: "failure", output: health.message };
    }
}
//# sourceMappingURL=probe-runner.js.map