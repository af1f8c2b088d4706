/**
 * `nodelet daemon [--root DIR] [--socket PATH] [--cgroup-parent PATH] [--listen HOST:PORT] ...`: runs the node
 * agent in the foreground until SIGTERM/SIGINT (pods keep running unless --cleanup-on-exit). Without cleanup the
 * daemon is gone within about a second: the pod workers are stopped (bounded), then the store is closed.
 */
import { report } from "../../cli/context.js";
import { parseDaemonConfig } from "../daemon-config.js";
export { DAEMON_FLAGS as FLAGS } from "../daemon-config.js";

export async function main(argv: string[]): Promise<number> {
  try {
    const cfg = parseDaemonConfig(argv);
    const { startDaemon } = await import("../daemon.js");
    const daemon = await startDaemon(cfg);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    process.stderr.write(`stopping${cfg.cleanupOnExit ? " (removing every pod)" : " (pods keep running)"}\n`);
    const began = Date.now();
    await daemon.stop();
    process.stderr.write(`stopped in ${Date.now() - began} ms\n`);
    // The store is closed; what a bounded stop left behind (a container's grace period still being waited out)
    // must not keep the process, and the next start resumes it.
    process.exit(0);
  } catch (err) {
    return report(err);
  }
}
