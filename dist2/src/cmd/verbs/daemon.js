/**
 * `nodelet daemon [--root DIR] [--socket PATH] [--cgroup-parent PATH] [--listen HOST:PORT] ...`: runs the node
 * agent in the foreground until SIGTERM/SIGINT (pods keep running unless --cleanup-on-exit). Without cleanup the
 * daemon is gone within about a second: the pod workers are stopped (bounded), then the store is closed; a stop
 * still busy after 15 s (120 s with --cleanup-on-exit) is cut off with the step it was stuck in named.
 */
import { report } from "../../cli/context.js";
import { parseDaemonConfig } from "../daemon-config.js";
import { tuneDaemonHeap } from "../daemon-heap.js";
import { boundedStop } from "../daemon-stop.js";
import { realClock } from "../../sys/clock.js";
/** How long a stop may take before the daemon exits anyway: pods keep running, so only its own steps count. */
const STOP_BOUND_MS = 15_000;
/** With --cleanup-on-exit every pod is stopped first, each with its grace period (the kubelet's default 30 s). */
const CLEANUP_STOP_BOUND_MS = 120_000;
export { DAEMON_FLAGS as FLAGS } from "../daemon-config.js";
export async function main(argv) {
    try {
        const cfg = parseDaemonConfig(argv);
        tuneDaemonHeap();
        const { startDaemon } = await import("../daemon.js");
        const daemon = await startDaemon(cfg);
        await new Promise((resolve) => {
            process.once("SIGTERM", resolve);
            process.once("SIGINT", resolve);
        });
        process.stderr.write(`stopping${cfg.cleanupOnExit ? " (removing every pod)" : " (pods keep running)"}\n`);
        const began = Date.now();
        const bound = cfg.cleanupOnExit ? CLEANUP_STOP_BOUND_MS : STOP_BOUND_MS;
        const r = await boundedStop((step) => daemon.stop(cfg.cleanupOnExit, step), realClock, bound);
        if (r.result === "late") {
            process.stderr.write(`stopping: still ${r.step} after ${bound / 1000} s; exiting anyway (the next start resumes what was left)\n`);
            process.exit(1);
        }
        process.stderr.write(`stopped in ${Date.now() - began} ms\n`);
        // The store is closed; what a bounded stop left behind (a container's grace period still being waited out)
        // must not keep the process, and the next start resumes it.
        process.exit(0);
    }
    catch (err) {
        return report(err);
    }
}
//# sourceMappingURL=daemon.js.map