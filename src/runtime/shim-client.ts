/**
 * Starting the shim and reading its one-line answer (`ok ...` or `error MESSAGE`). The shim's long-lived
 * processes (pause, monitor) are detached from us, so the daemon can die and restart without touching them.
 */
import type { Runner } from "../sys/runner.js";

export class ShimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShimError";
  }
}

/** Runs the shim with argv and returns the numbers after "ok". */
export function runShim(runner: Runner, argv: string[], owner?: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = runner.spawn(argv, { owner, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    let err = "";
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      const line = out.slice(0, nl);
      settle(() => {
        if (line.startsWith("ok")) resolve(line.split(" ").slice(1).filter(Boolean).map(Number));
        else reject(new ShimError(line.replace(/^error\s*/, "") || "shim failed"));
      });
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => (err += d));
    child.on("error", (e) => settle(() => reject(new ShimError(`cannot start ${argv[0]}: ${e.message}`))));
    child.on("close", (code) =>
      settle(() => reject(new ShimError(err.trim() || out.trim() || `${argv[1]} exited with status ${code} before answering`))),
    );
    // The monitor lives on after answering; never let it keep the daemon's event loop alive.
    child.unref();
  });
}
