import { encodeSpec, execCommand, EXEC_SPEC_FD } from "./shim-argv.js";
export function startExec(runner, shim, launch, opts) {
    const cmd = execCommand(shim, launch);
    const spec = encodeSpec(cmd.spec);
    const child = runner.spawn(cmd.argv, {
        stdio: [opts.stdin ? "pipe" : "ignore", "pipe", opts.tty ? "ignore" : "pipe", opts.tty ? "pipe" : "ignore", "pipe"],
    });
    const specPipe = child.stdio[EXEC_SPEC_FD];
    specPipe?.on("error", () => undefined);
    specPipe?.end(spec);
    const control = opts.tty ? child.stdio[3] : null;
    control?.on("error", () => undefined);
    child.stdin?.on("error", () => undefined);
    const exit = new Promise((resolve) => {
        child.on("error", () => resolve(127));
        child.on("close", (code, signal) => resolve(code ?? (signal ? 137 : 1)));
    });
    return {
        stdin: opts.stdin ? child.stdin : null,
        stdout: child.stdout,
        stderr: opts.tty ? null : child.stderr,
        resize(width, height) {
            control?.write(`${width} ${height}\n`);
        },
        exit,
        kill() {
            // The shim kills the command's whole process tree on SIGTERM and reaps it.
            child.kill("SIGTERM");
        },
    };
}
//# sourceMappingURL=exec-session.js.map