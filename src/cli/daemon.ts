/**
 * `nodelet daemon [--root DIR] [--socket PATH] [--cgroup-parent PATH] [--listen HOST:PORT] ...`: runs the node
 * agent in the foreground until SIGTERM/SIGINT (pods keep running unless --cleanup-on-exit).
 */
import { report } from "./context.js";
import { parseDaemonConfig } from "../cmd/daemon-config.js";
export { DAEMON_FLAGS as FLAGS } from "../cmd/daemon-config.js";

export async function main(argv: string[]): Promise<number> {
  try {
    const cfg = parseDaemonConfig(argv);
    const { startDaemon } = await import("../cmd/daemon.js");
    const daemon = await startDaemon(cfg);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    process.stderr.write(`stopping${cfg.cleanupOnExit ? " (removing every pod)" : " (pods keep running)"}\n`);
    await daemon.stop();
    return 0;
  } catch (err) {
    return report(err);
  }
}
