/**
 * `nodelet reset [--root DIR]`: see cmd/reset.ts. What to remove comes from the root's record of its daemon's
 * settings; the daemon's other flags are used only for a root without one (and a flag that differs is reported).
 */
import { report } from "../../cli/context.js";
import { parseArgs } from "../../cli/args.js";
import { DAEMON_FLAGS, parseDaemonConfig } from "../daemon-config.js";
export { DAEMON_FLAGS as FLAGS } from "../daemon-config.js";
export async function main(argv) {
    try {
        const cfg = parseDaemonConfig(argv);
        const given = new Set(parseArgs(argv, DAEMON_FLAGS).flags.keys());
        const { reset } = await import("../reset.js");
        // The runtime's waits use unref'd timers (right for the daemon); here, while one waits on a process to die,
        // nothing else may be in the event loop, and Node would exit in the middle of the reset with status 0.
        const keepAlive = setInterval(() => undefined, 60_000);
        try {
            await reset(cfg, (m) => process.stderr.write(`${m}\n`), given);
        }
        finally {
            clearInterval(keepAlive);
        }
        process.stdout.write(`nodelet reset: ${cfg.root} cleaned; no pod, cgroup or rule of this node is left\n`);
        return 0;
    }
    catch (err) {
        return report(err);
    }
}
//# sourceMappingURL=reset.js.map