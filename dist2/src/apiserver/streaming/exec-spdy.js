import { ResizeParser, statusV1, statusV4, usesJsonStatus } from "./exec-request.js";
import { execOptions, GoneSignal, runExec } from "./exec-session.js";
import { SpdySession } from "../../wire/spdy-session.js";
import { attachSocket, socketTransport } from "../../wire/transports.js";
/** X-Stream-Protocol-Version values we accept, preferred first (v5 over SPDY is v4, client-go remotecommand/v5.go). */
export const EXEC_SPDY_PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** After the outcome is sent, the client closes the connection; this is how long we wait for it to do so. */
const CLIENT_CLOSE_TIMEOUT_MS = 10_000;
/**
 * The streams the client will open (client-go tools/remotecommand/v2.go, v3.go createStreams), read from the raw
 * query so that an invalid request still gets its Status on the error stream.
 */
function expectedStreams(query, protocol) {
    const on = (name) => query.get(name) === "true" || query.get(name) === "1";
    const types = ["error"];
    if (on("stdin"))
        types.push("stdin");
    if (on("stdout"))
        types.push("stdout");
    if (on("stderr") && !on("tty"))
        types.push("stderr");
    if (on("tty") && protocol !== "channel.k8s.io" && protocol !== "v2.channel.k8s.io")
        types.push("resize");
    return types;
}
/** Serves one exec/attach session on a socket upgraded to SPDY/3.1. */
export function serveExecSpdy(socket, head, protocol, ctx) {
    new SpdyExecSession(socket, head, protocol, ctx);
}
/** One session: collects the client's streams, runs the command, reports the outcome. */
class SpdyExecSession {
    protocol;
    ctx;
    opts = null;
    problem = null;
    expected;
    streams = new Map();
    gone = new GoneSignal();
    session;
    state = "waiting";
    timer;
    lingering;
    constructor(socket, head, protocol, ctx) {
        this.protocol = protocol;
        this.ctx = ctx;
        try {
            this.opts = execOptions(ctx);
        }
        catch (error) {
            this.problem = error;
        }
        this.expected = expectedStreams(ctx.query, protocol);
        this.session = new SpdySession(socketTransport(socket), {
            role: "server",
            onStream: (stream) => this.onStream(stream),
            onClose: () => this.onClose(),
        });
        this.timer = setTimeout(() => this.session.close(), STREAM_CREATION_TIMEOUT_MS);
        attachSocket(socket, this.session, head);
    }
    onStream(stream) {
        const type = stream.headers["streamtype"] ?? "";
        if (this.state !== "waiting" || !this.expected.includes(type) || this.streams.has(type))
            return void stream.destroy();
        stream.reply();
        this.streams.set(type, stream);
        if (this.streams.size === this.expected.length)
            this.start();
    }
    onClose() {
        clearTimeout(this.timer);
        clearTimeout(this.lingering);
        if (this.state !== "finished")
            this.gone.fire();
        this.state = "finished";
    }
    start() {
        clearTimeout(this.timer);
        this.state = "running";
        // Only stdin and resize carry client data; anything sent on the others is discarded.
        for (const [type, s] of this.streams)
            if (type !== "stdin" && type !== "resize")
                s.resume();
        const resize = new ResizeParser();
        this.streams.get("resize")?.on("data", (chunk) => resize.push(chunk));
        const { opts, streams } = this;
        const channels = {
            stdin: (opts?.stdin && streams.get("stdin")) || null,
            stdout: (opts?.stdout && streams.get("stdout")) || null,
            stderr: (opts?.stderr && streams.get("stderr")) || null,
            onResize: (handler) => resize.setHandler(handler),
            onGone: (handler) => this.gone.on(handler),
            finish: (outcome) => this.finish(outcome),
        };
        if (opts)
            return void runExec(this.ctx, opts, channels);
        streams.get("stdin")?.resume();
        this.finish({ error: this.problem });
    }
    /** The outcome on the error stream, FIN on ours; the client then closes the connection (or we do, later). */
    finish(outcome) {
        if (this.state === "finished")
            return;
        this.state = "finished";
        const status = usesJsonStatus(this.protocol) ? statusV4(outcome) : statusV1(outcome);
        for (const [type, s] of this.streams) {
            if (type === "error")
                s.end(status);
            else if (!s.writableEnded)
                s.end();
        }
        this.lingering = setTimeout(() => this.session.close(false), CLIENT_CLOSE_TIMEOUT_MS);
    }
}
//# sourceMappingURL=exec-spdy.js.map