/**
 * One `exec` into a running container: the shim's exec mode with pipes for stdio and, with a TTY, a control pipe
 * (fd 3) carrying window sizes. Wraps it as the ExecSession the API server frames for the client.
 */
import type { Writable } from "node:stream";
import type { ExecOptions, ExecSession } from "../api/pod-io.js";
import type { Runner } from "../sys/runner.js";
import { encodeSpec, execCommand, EXEC_SPEC_FD, type ExecLaunch } from "./shim-argv.js";

export function startExec(runner: Runner, shim: string, launch: ExecLaunch, opts: Omit<ExecOptions, "container" | "command">): ExecSession {
  const cmd = execCommand(shim, launch);
  const spec = encodeSpec(cmd.spec);
  const child = runner.spawn(cmd.argv, {
    stdio: [opts.stdin ? "pipe" : "ignore", "pipe", opts.tty ? "ignore" : "pipe", opts.tty ? "pipe" : "ignore", "pipe"],
  });
  const specPipe = child.stdio[EXEC_SPEC_FD] as Writable | null;
  specPipe?.on("error", () => undefined);
  specPipe?.end(spec);
  const control = opts.tty ? (child.stdio[3] as Writable | null) : null;
  control?.on("error", () => undefined);
  child.stdin?.on("error", () => undefined);
  const exit = new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 137 : 1)));
  });
  return {
    stdin: opts.stdin ? child.stdin : null,
    stdout: child.stdout,
    stderr: opts.tty ? null : child.stderr,
    resize(width: number, height: number) {
      control?.write(`${width} ${height}\n`);
    },
    exit,
    kill() {
      // The shim kills the command's whole process tree on SIGTERM and reaps it.
      child.kill("SIGTERM");
    },
  };
}
