const MAX_OUTPUT = 10 * 1024;
const SHIM_TIMEOUT_LINE = /^nodelet-shim exec: timed out after .*\n?/m;
const SHIM_FAILED = 125;
const KILLED = 137;
/**
 * Runs `command` in the running container `id`. With timeoutSeconds the shim kills the tree after that long; an
 * abort signal kills it early (the pod is being deleted). Rejects only when the exec cannot start at all.
 */
export async function execInContainer(runtime, id, command, timeoutSeconds, signal) {
    const session = await runtime.exec(id, { command, stdin: false, stdout: true, stderr: true, tty: false }, timeoutSeconds);
    const out = [];
    const err = [];
    session.stdout?.on("data", (d) => out.push(d));
    session.stderr?.on("data", (d) => err.push(d));
    const onAbort = () => session.kill();
    signal?.addEventListener("abort", onAbort, { once: true });
    // A last resort if the shim itself hangs: its own timeout should have fired long before.
    const guard = timeoutSeconds !== undefined ? setTimeout(() => session.kill(), (timeoutSeconds + 10) * 1000) : undefined;
    guard?.unref();
    try {
        const exitCode = await session.exit;
        const stderrText = Buffer.concat(err).toString();
        const timedOut = exitCode === KILLED && SHIM_TIMEOUT_LINE.test(stderrText);
        const cleanErr = stderrText.replace(SHIM_TIMEOUT_LINE, "");
        const output = (Buffer.concat(out).toString() + cleanErr).slice(0, MAX_OUTPUT);
        return { exitCode, output, stderr: cleanErr, timedOut, shimFailed: exitCode === SHIM_FAILED && /^nodelet-shim exec:/m.test(cleanErr) };
    }
    finally {
        if (guard)
            clearTimeout(guard);
        signal?.removeEventListener("abort", onAbort);
    }
}
//# sourceMappingURL=container-exec.js.map