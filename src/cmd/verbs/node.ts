/**
 * `nodelet node --server https://HOST:PORT --token TOKEN [--ca-cert-hash sha256:HEX|--ca-file FILE] | --kubeconfig
 * FILE [--node-name N] ...`: this machine's kubelet, service proxy and node DNS, joined to a control plane
 * (cmd/node-role.ts), in the foreground until SIGTERM/SIGINT. Pods keep running when it stops (unless
 * --cleanup-on-exit), as with `nodelet daemon`.
 */
import { report } from "../../cli/context.js";
import { parseNodeConfig } from "../role-config.js";
import { tuneDaemonHeap } from "../daemon-heap.js";
import { boundedStop } from "../daemon-stop.js";
import { realClock } from "../../sys/clock.js";
export { NODE_FLAGS as FLAGS } from "../role-config.js";

const STOP_BOUND_MS = 15_000;

export async function main(argv: string[]): Promise<number> {
  try {
    const cfg = parseNodeConfig(argv);
    tuneDaemonHeap();
    const { startNodeRole } = await import("../node-role.js");
    const node = await startNodeRole(cfg);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    process.stderr.write("stopping (pods keep running)\n");
    const r = await boundedStop(() => node.stop(), realClock, STOP_BOUND_MS);
    if (r.result === "late") process.stderr.write(`stopping: still ${r.step} after ${STOP_BOUND_MS / 1000} s; exiting anyway\n`);
    process.exit(r.result === "late" ? 1 : 0);
  } catch (err) {
    return report(err);
  }
}
