import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { ResizeParser, statusV1, statusV4, usesJsonStatus } from "./exec-request.js";
import { execOptions, GoneSignal, runExec } from "./exec-session.js";
/** Subprotocols we accept, preferred first; "" = a client that offers none (legacy binary channels). */
export const EXEC_WEBSOCKET_PROTOCOLS = [
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v4.base64.channel.k8s.io",
    "channel.k8s.io",
    "base64.channel.k8s.io",
    "",
];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** Serves one exec/attach session on an upgraded WebSocket; closes it when done. */
export function serveExecWebSocket(ws, protocol, ctx) {
    const conn = new ChannelConn(ws, framingFor(protocol));
    let opts = null;
    let problem = null;
    try {
        opts = execOptions(ctx);
    }
    catch (error) {
        problem = error;
    }
    const stdin = conn.inbound(STDIN);
    if (!opts?.stdin)
        stdin.resume(); // unread stdin must not stall the socket
    const resize = new ResizeParser();
    const gone = new GoneSignal();
    let finished = false;
    conn.inbound(RESIZE).on("data", (chunk) => resize.push(chunk));
    conn.start(() => {
        if (!finished)
            gone.fire();
    });
    const channels = {
        stdin: opts?.stdin ? stdin : null,
        stdout: opts?.stdout ? conn.outbound(STDOUT) : null,
        stderr: opts?.stderr ? conn.outbound(STDERR) : null,
        onResize: (handler) => resize.setHandler(handler),
        onGone: (handler) => gone.on(handler),
        finish(outcome) {
            if (finished)
                return;
            finished = true;
            const status = usesJsonStatus(protocol) ? statusV4(outcome) : statusV1(outcome);
            if (status.length)
                conn.send(ERROR, status);
            ws.close(1000);
        },
    };
    if (!opts)
        return channels.finish({ error: problem });
    // Like the kubelet: an empty message on the first writable channel tells older clients the streams are ready.
    conn.send(opts.stdout ? STDOUT : opts.stderr ? STDERR : ERROR, Buffer.alloc(0));
    void runExec(ctx, opts, channels);
}
//# sourceMappingURL=exec-websocket.js.map