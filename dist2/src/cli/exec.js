/**
 * `nodelet exec POD [-c CTR] [-i] [-t] -- CMD ARGS...`: runs a command in a container through the API server's
 * exec subresource (WebSocket, v5.channel.k8s.io); the command's exit code is ours.
 */
import { resolveResource } from "../api/resources.js";
import { resourcePath } from "../client/index.js";
import { execSession, StreamError } from "../client/streaming/index.js";
import { boolFlag, flag, GLOBAL_FLAGS, parseArgs, UsageError } from "./args.js";
import { streamConnection } from "./connect.js";
import { report } from "./context.js";
export const FLAGS = [
    ...GLOBAL_FLAGS,
    { name: "container", short: "c", value: true },
    { name: "stdin", short: "i", value: false },
    { name: "tty", short: "t", value: false },
    { name: "quiet", short: "q", value: false },
];
export async function main(argv) {
    try {
        const p = parseArgs(argv, FLAGS);
        const pod = p.positional[0]?.replace(/^(pods?|po)\//, "");
        if (!pod)
            throw new UsageError("expected 'exec POD -- COMMAND [args...]'");
        if (p.rest.length === 0)
            throw new UsageError("you must specify at least one command for the container");
        const ns = flag(p, "namespace") ?? "default";
        const query = new URLSearchParams();
        for (const word of p.rest)
            query.append("command", word);
        const container = flag(p, "container");
        if (container)
            query.set("container", container);
        const tty = boolFlag(p, "tty") && process.stdin.isTTY === true;
        if (boolFlag(p, "tty") && !tty && !boolFlag(p, "quiet"))
            process.stderr.write("Unable to use a TTY - input is not a terminal or the right kind of file\n");
        const stdin = boolFlag(p, "stdin") ? process.stdin : null;
        const { connect, options } = await streamConnection(p);
        const restore = tty ? rawMode() : () => undefined;
        try {
            return await execSession(connect, resourcePath(resolveResource("pods"), ns, pod, "exec"), query, {
                ...options,
                stdin,
                stdout: process.stdout,
                stderr: process.stderr,
                tty,
                resizeEvents: tty ? terminalSizes() : undefined,
            });
        }
        finally {
            restore();
            if (stdin)
                process.stdin.pause();
        }
    }
    catch (err) {
        if (err instanceof StreamError) {
            process.stderr.write(`error: ${err.message}\n`);
            return 1;
        }
        return report(err);
    }
}
function rawMode() {
    process.stdin.setRawMode?.(true);
    return () => process.stdin.setRawMode?.(false);
}
/** The terminal's size now and after every SIGWINCH. */
async function* terminalSizes() {
    const size = () => ({ width: process.stdout.columns ?? 80, height: process.stdout.rows ?? 24 });
    yield size();
    for (;;) {
        await new Promise((r) => process.stdout.once("resize", r));
        yield size();
    }
}
//# sourceMappingURL=exec.js.map