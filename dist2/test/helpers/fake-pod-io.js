/**
 * A PodIO for tests: logs come from strings (per container), metrics are fixed numbers, exec/attach/port-forward
 * are recorded and answered by simple in-memory streams. `follow` streams stay open until `endLogs()`.
 */
import { PassThrough, Readable } from "node:stream";
import { ApiError } from "../../src/api/errors.js";
export class FakePodIO {
    opts;
    logCalls = [];
    execCalls = [];
    following = new Set();
    constructor(opts = {}) {
        this.opts = opts;
    }
    async logs(pod, opts) {
        this.logCalls.push({ pod: pod.metadata.name ?? "", opts });
        let text = this.opts.logs?.[opts.container] ?? "";
        if (opts.tailLines !== undefined)
            text = tail(text, opts.tailLines);
        if (opts.limitBytes !== undefined)
            text = text.slice(0, opts.limitBytes);
        if (!opts.follow)
            return Readable.from([Buffer.from(text)]);
        const out = new PassThrough();
        out.write(text);
        this.following.add(out);
        out.on("close", () => this.following.delete(out));
        return out;
    }
    /** Appends to every followed log. */
    appendLogs(text) {
        for (const s of this.following)
            s.write(text);
    }
    /** Ends every followed log. */
    endLogs() {
        for (const s of this.following)
            s.end();
    }
    get followers() {
        return this.following.size;
    }
    async exec(pod, opts) {
        this.execCalls.push({ pod: pod.metadata.name ?? "", opts });
        const stdout = new PassThrough();
        stdout.end(`${opts.command.join(" ")}\n`);
        return { stdin: null, stdout, stderr: null, resize: () => undefined, exit: Promise.resolve(0), kill: () => undefined };
    }
    async attach(pod, opts) {
        return this.exec(pod, { ...opts, command: ["attach"] });
    }
    async portForward(_pod, port) {
        throw new ApiError("BadRequest", `fake port-forward to ${port} refused`);
    }
    async metrics(pod) {
        return {
            apiVersion: "metrics.k8s.io/v1beta1",
            kind: "PodMetrics",
            metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: new Date().toISOString() },
            timestamp: "2026-11-27T04:19:27Z",
            window: "10s",
            containers: pod.spec.containers.map((c) => ({
                name: c.name,
                usage: { cpu: `${this.opts.cpuNanos ?? 1_500_000}n`, memory: `${this.opts.memoryKi ?? 10240}Ki` },
            })),
        };
    }
}
function tail(text, n) {
    const lines = text.split("\n");
    const trailing = lines[lines.length - 1] === "" ? lines.pop() : undefined;
    const kept = n === 0 ? [] : lines.slice(-n);
    return kept.join("\n") + (trailing !== undefined && kept.length ? "\n" : "");
}
//# sourceMappingURL=fake-pod-io.js.map