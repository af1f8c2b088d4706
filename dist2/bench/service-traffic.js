/**
 * Data-path cost of each proxy mode: short HTTP requests (wrk) and bulk TCP (iperf3) from a client network
 * namespace — the client pod's, with the host's wrk and iperf3 entered into it — through the service's cluster IP
 * and straight to the pod IP, on the same pod, so the difference is the proxy's. (From a namespace outside the
 * cluster CIDR every connection would be masqueraded to the gateway address, and tens of thousands of short
 * connections from one address to one pod port soon collide with the pod's TIME_WAIT entries: a measurement of
 * port reuse, not of the proxy.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { background, inPid, sh } from "../test/helpers/netns.js";
function ms(v, unit) {
    const n = Number(v);
    return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}
/** wrk with latency percentiles; requests/s and p50/p99 in ms. */
export async function wrk(clientPid, url, seconds = 5) {
    const r = await sh(inPid(clientPid, ["wrk", "-t2", "-c16", `-d${seconds}s`, "--latency", url]), undefined, (seconds + 30) * 1000);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
    const pct = (p) => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(r.stdout);
        return m ? ms(m[1], m[2]) : NaN;
    };
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
    const errors = (sock ? sock.slice(1).reduce((a, n) => a + Number(n), 0) : 0) + non2xx;
    if (process.env.BENCH_VERBOSE)
        process.stderr.write(`wrk ${url}:\n${r.stdout}${r.stderr}\n`);
    return { rps, p50: pct("50"), p99: pct("99"), errors };
}
/** iperf3 from the client's namespace to host:port for `seconds`; Gbit/s received. */
export async function iperf(clientPid, host, port, seconds = 5) {
    const r = await sh(inPid(clientPid, ["iperf3", "-c", host, "-p", String(port), "-t", String(seconds), "-J"]), undefined, (seconds + 30) * 1000);
    try {
        const j = JSON.parse(r.stdout);
        return j.end.sum_received.bits_per_second / 1e9;
    }
    catch {
        return NaN;
    }
}
/** The pid of a pod's sandbox (its network namespace), from the daemon's state dir. */
export async function sandboxPid(c, pod) {
    const p = (await c.pod(pod));
    const rec = JSON.parse(readFileSync(join(c.d.root, "pods", p.metadata.uid, "sandbox.json"), "utf8"));
    return rec.pid;
}
/**
 * Two busybox httpd (the host's binary) in the pod's network namespace, answering the pod's name: one on
 * `direct` for requests to the pod IP, one on `viaService` for requests through the service. Separate ports
 * keep the two runs' connections apart: the pod's TIME_WAIT sockets remember each client port with the TCP
 * timestamp offset of the address the client dialled (the pod IP or the service IP), so a new connection through
 * the other path on a port used a moment ago would be refused and retried a second later.
 */
export async function httpServers(c, pod, direct, viaService) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-bench-www-"));
    writeFileSync(join(dir, "index.html"), `${pod}\n`);
    const pid = await sandboxPid(c, pod);
    const servers = [direct, viaService].map((port) => background(inPid(pid, ["busybox", "httpd", "-f", "-p", String(port), "-h", dir])));
    await new Promise((r) => setTimeout(r, 300));
    return {
        stop() {
            for (const s of servers)
                s.stop();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
/** An iperf3 server inside the pod's network namespace (the host's binary), until stop(). */
export async function iperfServer(c, pod, port) {
    const server = background(inPid(await sandboxPid(c, pod), ["iperf3", "-s", "-p", String(port)]));
    await new Promise((r) => setTimeout(r, 300));
    return server;
}
//# sourceMappingURL=service-traffic.js.map