/**
 * `nodelet control-plane [--etcd-servers URL,...] [--listen HOST:PORT] [--leader-elect=false] ...`: the API server
 * and the controllers of a cluster (cmd/control-plane.ts), in the foreground until SIGTERM/SIGINT; a leader releases
 * its Lease on the way out, so a standby takes over at its next attempt.
 */
import { report } from "../../cli/context.js";
import { parseControlPlaneConfig } from "../role-config.js";
import { CONTROL_PLANE_V8_FLAGS, tuneDaemonHeap } from "../daemon-heap.js";
import { boundedStop } from "../daemon-stop.js";
import { realClock } from "../../sys/clock.js";
export { CONTROL_PLANE_FLAGS as FLAGS } from "../role-config.js";

const STOP_BOUND_MS = 15_000;

export async function main(argv: string[]): Promise<number> {
  try {
    const cfg = parseControlPlaneConfig(argv);
    tuneDaemonHeap(CONTROL_PLANE_V8_FLAGS);
    const { startControlPlane } = await import("../control-plane.js");
    const cp = await startControlPlane(cfg);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    process.stderr.write("stopping\n");
    const r = await boundedStop(() => cp.stop(), realClock, STOP_BOUND_MS);
    if (r.result === "late") process.stderr.write(`stopping: still ${r.step} after ${STOP_BOUND_MS / 1000} s; exiting anyway\n`);
    process.exit(r.result === "late" ? 1 : 0);
  } catch (err) {
    return report(err);
  }
}
