/** `nodelet reset [--root DIR] ...`: see cmd/reset.ts. Takes the daemon's flags to find what it made. */
import { report } from "./context.js";
import { parseDaemonConfig } from "../cmd/daemon-config.js";
export { DAEMON_FLAGS as FLAGS } from "../cmd/daemon-config.js";

export async function main(argv: string[]): Promise<number> {
  try {
    const cfg = parseDaemonConfig(argv);
    const { reset } = await import("../cmd/reset.js");
    await reset(cfg, (m) => process.stderr.write(`${m}\n`));
    process.stdout.write(`nodelet reset: ${cfg.root} cleaned; no pod, cgroup or rule of this node is left\n`);
    return 0;
  } catch (err) {
    return report(err);
  }
}
