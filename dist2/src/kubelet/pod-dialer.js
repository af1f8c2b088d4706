/**
 * Reaching a TCP port of a pod from the node, for probes and lifecycle hooks: straight to the pod IP when the pod
 * has one (hostNetwork pods: 127.0.0.1), else inside the pod's network namespace through
 * `nsenter --net=/proc/PAUSE/ns/net socat` (the pattern NodeIO.portForward uses, and the one the kubelet's
 * dockershim used for port-forward), so probes work before and after the pod network exists.
 *
 * Failures are DialErrors whose message reads like Go's net errors, because the kubelet puts those texts in its
 * Unhealthy events: `dial tcp 10.244.0.5:8080: connect: connection refused`, `dial tcp ...: i/o timeout`.
 */
import { connect } from "node:net";
import { Duplex } from "node:stream";
export class DialError extends Error {
    host;
    port;
    kind;
    constructor(host, port, kind, detail) {
        super(`dial tcp ${host}:${port}: ${detail}`);
        this.host = host;
        this.port = port;
        this.kind = kind;
        this.name = "DialError";
    }
}
/** The endpoint probes use for a sandbox: an explicit host wins, then the pod IP, then its namespace. */
export function podEndpoint(sandbox, host) {
    if (host)
        return { host };
    if (sandbox.hostNetwork)
        return { host: "127.0.0.1" };
    if (sandbox.ips[0])
        return { host: sandbox.ips[0] };
    return { host: "127.0.0.1", netnsPid: sandbox.pid };
}
export class PodDialer {
    runner;
    constructor(runner) {
        this.runner = runner;
    }
    dial(endpoint, port, timeoutMs) {
        return endpoint.netnsPid === undefined ? dialDirect(endpoint.host, port, timeoutMs) : this.dialInNamespace(endpoint.netnsPid, endpoint.host, port, timeoutMs);
    }
    /** socat inside the namespace; `-d -d` makes it say when it connected, or why it could not. */
    dialInNamespace(pid, host, port, timeoutMs) {
        const secs = Math.max(0.1, timeoutMs / 1000).toFixed(1);
        const child = this.runner.spawn(["nsenter", `--net=/proc/${pid}/ns/net`, "socat", "-d", "-d", "STDIO", `TCP:${host}:${port},connect-timeout=${secs}`], {
            stdio: ["pipe", "pipe", "pipe"],
        });
        return new Promise((resolve, reject) => {
            let log = "";
            let settled = false;
            const fail = (err) => {
                if (settled)
                    return;
                settled = true;
                child.kill("SIGKILL");
                reject(err);
            };
            const timer = setTimeout(() => fail(new DialError(host, port, "timeout", "i/o timeout")), timeoutMs + 500);
            child.on("error", (err) => fail(new DialError(host, port, "other", `nsenter: ${err.message}`)));
            child.stdin.on("error", () => undefined);
            child.stderr.on("data", (d) => {
                log += d.toString();
                if (settled || !log.includes("starting data transfer loop"))
                    return;
                settled = true;
                clearTimeout(timer);
                const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
                // Destroying a Duplex.from stream reports an AbortError; its users see errors on their own side.
                stream.on("error", () => undefined);
                stream.on("close", () => child.kill("SIGKILL"));
                resolve(stream);
            });
            // "close", not "exit": socat's last words on stderr must have arrived.
            child.on("close", () => {
                clearTimeout(timer);
                fail(socatError(host, port, log));
            });
        });
    }
}
function socatError(host, port, log) {
    if (/Connection refused/.test(log))
        return new DialError(host, port, "refused", "connect: connection refused");
    if (/timed out/i.test(log))
        return new DialError(host, port, "timeout", "i/o timeout");
    if (/No route to host/.test(log))
        return new DialError(host, port, "other", "connect: no route to host");
    const line = log.split("\n").find((l) => / E /.test(l));
    return new DialError(host, port, "other", line ? line.replace(/^.* E /, "") : "cannot enter the pod's network namespace");
}
function dialDirect(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
        const sock = connect({ host, port, allowHalfOpen: true });
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new DialError(host, port, "timeout", "i/o timeout"));
        }, timeoutMs);
        sock.once("connect", () => {
            clearTimeout(timer);
            resolve(sock);
        });
        sock.once("error", (err) => {
            clearTimeout(timer);
            reject(goDialError(host, port, err));
        });
    });
}
function goDialError(host, port, err) {
    switch (err.code) {
        case "ECONNREFUSED":
            return new DialError(host, port, "refused", "connect: connection refused");
        case "EHOSTUNREACH":
            return new DialError(host, port, "other", "connect: no route to host");
        case "ENETUNREACH":
            return new DialError(host, port, "other", "connect: network is unreachable");
        case "ETIMEDOUT":
            return new DialError(host, port, "timeout", "i/o timeout");
        default:
            return new DialError(host, port, "other", err.message);
    }
}
//# sourceMappingURL=pod-dialer.js.map