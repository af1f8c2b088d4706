/**
 * `nodelet dashboard [--port N]`: opens the node's web view for a user of the unix socket. Prints a one-time login
 * URL on its first line, then serves on 127.0.0.1 until interrupted (src/ui/dashboard.ts).
 */
import { flag, parseArgs, type FlagSpec } from "../../cli/args.js";
import { DEFAULT_SOCKET_PATH } from "../../wire/defaults.js";
import { startDashboard } from "../../ui/dashboard.js";

export const FLAGS: FlagSpec[] = [
  { name: "port", value: true, help: "the local port (default: a free one)" },
  { name: "socket", value: true, help: "the daemon's unix socket (default /run/nodelet/nodelet.sock, or NODELET_SOCKET)" },
  { name: "help", short: "h", value: false },
];

export async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS);
  const portText = flag(p, "port") ?? "0";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    process.stderr.write(`error: --port: invalid value "${portText}": a port number 0-65535\n`);
    return 1;
  }
  const socketPath = flag(p, "socket") ?? process.env.NODELET_SOCKET ?? DEFAULT_SOCKET_PATH;
  const d = await startDashboard({ socketPath, port });
  process.stdout.write(`${d.loginUrl}\n`);
  process.stdout.write(`serving the node's web view at http://127.0.0.1:${d.port}/ui/ (daemon socket ${socketPath}); the URL above logs in once; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await d.close();
  return 0;
}
