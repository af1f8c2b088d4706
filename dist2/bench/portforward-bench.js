/**
 * `make bench`, port-forward (issue 3): TCP throughput of `nodelet port-forward` (CLI → unix socket → daemon →
 * pod, both relays handing bulk connections to the splice relay) against host → pod directly and host → host over
 * loopback, all with iperf3 (an image built from the host's iperf3 with `nodelet image build --from-host`).
 */
import { spawn, spawnSync } from "node:child_process";
import { NODELET, TestDaemon, eventually } from "../test/helpers/daemon.js";
import { printTable } from "./lib.js";
const SECONDS = Number(process.env.PF_BENCH_SECONDS ?? 3);
/** One iperf3 run; a run that reports no result (the server still starting, a busy server) is tried again. */
function iperf(args, tries = 3) {
    for (let i = 1;; i++) {
        try {
            return iperfOnce(args);
        }
        catch (err) {
            if (i >= tries)
                throw err;
            spawnSync("sleep", ["0.5"]);
        }
    }
}
function iperfOnce(args) {
    const r = spawnSync("iperf3", [...args, "-t", String(SECONDS), "-J"], { encoding: "utf8" });
    if (r.status !== 0)
        throw new Error(`iperf3 ${args.join(" ")}: ${r.stderr || r.stdout}`);
    const out = JSON.parse(r.stdout);
    const bps = out.end?.sum_received?.bits_per_second;
    if (bps === undefined)
        throw new Error(`iperf3 ${args.join(" ")}: ${out.error ?? "no result"}`);
    return bps / 1e9;
}
function best(n, f) {
    let top = 0;
    for (let i = 0; i < n; i++)
        top = Math.max(top, f());
    return top;
}
export async function portForwardBench() {
    const d = new TestDaemon("pfbench");
    await d.start();
    const children = [];
    try {
        await d.cli(["image", "build", "--from-host", "/usr/bin/iperf3", "--tag", "iperf3"]);
        await d.cli(["run", "perf", "--image", "iperf3", "--command", "--", "/usr/bin/iperf3", "-s"]);
        const pod = await eventually(async () => {
            const r = await d.cli(["get", "pod", "perf", "-o", "json"]);
            const p = r.code === 0 ? JSON.parse(r.stdout) : undefined;
            return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
        }, 20_000, "iperf3 pod");
        const loop = spawn("iperf3", ["-s", "-B", "127.0.0.1", "-p", "5298"], { stdio: "ignore" });
        children.push(loop);
        const pf = spawn(process.execPath, [NODELET, "port-forward", "pod/perf", "5297:5201"], { env: { ...process.env, NODELET_SOCKET: d.socket }, stdio: ["ignore", "pipe", "ignore"] });
        children.push(pf);
        let out = "";
        pf.stdout.on("data", (b) => (out += b.toString()));
        await eventually(async () => out.includes("Forwarding from"), 10_000, "port-forward");
        await new Promise((r) => setTimeout(r, 300));
        const loopback = best(2, () => iperf(["-c", "127.0.0.1", "-p", "5298", "-R"]));
        const direct = best(2, () => iperf(["-c", pod.status.podIP, "-R"]));
        const forwarded = best(2, () => iperf(["-c", "127.0.0.1", "-p", "5297", "-R"]));
        console.log(`\n## port-forward throughput (iperf3, ${SECONDS} s, best of 2, pod → client)\n`);
        printTable(["path", "Gbit/s", "of loopback"], [
            ["host → host, loopback", loopback.toFixed(2), "1.00"],
            ["pod → host (pod IP)", direct.toFixed(2), (direct / loopback).toFixed(2)],
            ["pod → nodelet port-forward → client", forwarded.toFixed(2), (forwarded / loopback).toFixed(2)],
        ]);
    }
    finally {
        for (const c of children)
            c.kill("SIGINT");
        await d.cleanup();
    }
}
if (process.argv[1]?.endsWith("portforward-bench.js"))
    await portForwardBench();
//# sourceMappingURL=portforward-bench.js.map