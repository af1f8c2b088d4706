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
  return (await runShimReport(runner, cmd, owner)).numbers;
}

/**
 * What an "ok" line carries: the pids, then `NAME=NS` words, the shim's timing marks of a container start
 * (shim/marks.h), in CLOCK_MONOTONIC milliseconds (the clock of process.hrtime).
 */
export interface ShimReport {
  numbers: number[];
  marks: Map<string, number>;
}

export async function runShimReport(runner: Runner, cmd: ShimCommand | string[], owner?: string): Promise<ShimReport> {
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
  if (line.startsWith("ok")) return parseOkLine(line);
  const why = line.replace(/^error\s*/, "") || r.stderr.trim() || `${argv[1]} exited with status ${r.code} before answering`;
  throw new ShimError(why);
}

export function parseOkLine(line: string): ShimReport {
  const report: ShimReport = { numbers: [], marks: new Map() };
  for (const word of line.split(" ").slice(1).filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+)$/.exec(word);
    if (m) report.marks.set(m[1], Number(BigInt(m[2]) / 1000n) / 1000);
    else report.numbers.push(Number(word));
  }
  return report;
}
