import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { dialWebSocket, StreamError } from "./dial.js";
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/**
 * Runs an exec or attach session. `path` is the subresource path (`/api/v1/namespaces/NS/pods/NAME/exec`); `query`
 * carries `command` (repeated) and `container`; the stream flags are set from `streams`. Resolves with the remote
 * exit code; rejects with StreamError when the server refuses or reports a failure other than an exit code.
 * The connection is closed on every path; `stdin` is unpiped (not ended) when the session ends.
 */
export async function execSession(connect, path, query, streams) {
    const tty = Boolean(streams.tty);
    const q = new URLSearchParams(query);
    q.set("stdin", String(Boolean(streams.stdin)));
    q.set("stdout", String(Boolean(streams.stdout)));
    if (streams.stderr && !tty)
        q.set("stderr", "true");
    else
        q.delete("stderr");
    q.set("tty", String(tty));
    const { ws, protocol } = await dialWebSocket(connect, `${path}?${q}`, ["v5.channel.k8s.io", "v4.channel.k8s.io"], streams);
    const conn = new ChannelConn(ws, framingFor(protocol));
    const outputs = [drainTo(conn.inbound(STDOUT), streams.stdout), drainTo(conn.inbound(STDERR), tty ? null : streams.stderr)];
    const status = [];
    conn.inbound(ERROR).on("data", (c) => status.push(c));
    const stdinSink = conn.outbound(STDIN, true);
    streams.stdin?.pipe(stdinSink);
    const stopResize = sendResizes(conn, streams.resizeEvents);
    try {
        const closed = await new Promise((resolve) => conn.start(resolve));
        await Promise.all(outputs);
        if (closed.error)
            throw new StreamError(`exec session failed: ${closed.error.message}`);
        if (closed.code === undefined)
            throw new StreamError("exec session: connection closed without a status");
        return decodeStatus(Buffer.concat(status));
    }
    finally {
        streams.stdin?.unpipe(stdinSink);
        stopResize();
        ws.close(); // no-op after the server's Close; otherwise ends the session from our side
    }
}
/** Copies a channel to a local stream (without ending it: it may be process.stdout); resolves at channel end. */
function drainTo(channel, to) {
    return new Promise((resolve) => {
        channel.on("end", resolve);
        if (!to)
            return void channel.resume();
        channel.on("data", (chunk) => {
            if (!to.write(chunk)) {
                channel.pause();
                to.once("drain", () => channel.resume());
            }
        });
    });
}
function sendResizes(conn, events) {
    if (!events)
        return () => undefined;
    const it = events[Symbol.asyncIterator]();
    let stopped = false;
    void (async () => {
        for (;;) {
            const next = await it.next().catch(() => ({ done: true, value: undefined }));
            if (stopped || next.done)
                return;
            const { width, height } = next.value;
            conn.send(RESIZE, Buffer.from(JSON.stringify({ Width: width, Height: height }) + "\n"));
        }
    })();
    return () => {
        stopped = true;
        void it.return?.();
    };
}
/** The error channel's Status → exit code (client-go remotecommand/v4.go errorDecoderV4). Empty means success. */
export function decodeStatus(raw) {
    if (raw.length === 0)
        return 0;
    let status;
    try {
        status = JSON.parse(raw.toString("utf8"));
    }
    catch {
        throw new StreamError(`error stream protocol error: ${raw.toString("utf8")}`);
    }
    if (status.status === "Success")
        return 0;
    if (status.reason === "NonZeroExitCode") {
        const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
        const code = Number(cause?.message);
        if (Number.isInteger(code))
            return code;
    }
    throw new StreamError(status.message ?? "error executing remote command", status);
}
//# sourceMappingURL=exec.js.map