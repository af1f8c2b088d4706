/**
 * Running the shim and reading its one-line answer (`ok ...` or `error MESSAGE`). The shim's long-lived processes
 * (pause, monitor) detach from it and the invoked process exits right after answering, so this is an ordinary
 * command run through the Runner (and so recorded, and forked by the spawner).
 */
import type { Runner } from "../sys/runner.js";
import { encodeSpec, redactedSpec, type ShimCommand } from "./shim-argv.js";

export class ShimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShimError";
  }
}

/** Runs the shim (argv, and its spec on stdin when it has one) and returns the numbers after "ok". */
export async function runShim(runner: Runner, cmd: ShimCommand | string[], owner?: string): Promise<number[]> {
  const { argv, spec } = Array.isArray(cmd) ? { argv: cmd, spec: undefined } : cmd;
  let input: Buffer | undefined;
  try {
    input = spec && encodeSpec(spec);
  } catch (err) {
    throw new ShimError((err as Error).message);
  }
  const recordInput = spec && !Array.isArray(cmd) ? `${redactedSpec(cmd).join("\0")}\0` : undefined;
  const r = await runner.run(argv, { owner, allowFail: true, input, recordInput });
  const line = r.stdout.split("\n")[0] ?? "";
  if (line.startsWith("ok")) return line.split(" ").slice(1).filter(Boolean).map(Number);
  const why = line.replace(/^error\s*/, "") || r.stderr.trim() || `${argv[1]} exited with status ${r.code} before answering`;
  throw new ShimError(why);
}
