import { StreamError } from "./dial.js";
export const RAW_UPGRADE = "nodelet-tcp";
/** Opens the tunnel; resolves with the connection and any stream bytes that arrived with the 101. */
export async function dialRawTunnel(connect, pathAndQuery, opts = {}) {
    const socket = await connect();
    // The tunnel carries half-closes: the server's EOF must not end our side while our peer still sends.
    socket.allowHalfOpen = true;
    const headers = { Host: opts.host ?? "localhost", Connection: "Upgrade", Upgrade: RAW_UPGRADE, ...opts.headers };
    socket.write(`GET ${pathAndQuery} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
    return new Promise((resolve, reject) => {
        let buf = Buffer.alloc(0);
        const fail = (e) => {
            cleanup();
            socket.destroy();
            reject(e);
        };
        const onData = (chunk) => {
            buf = Buffer.concat([buf, chunk]);
            const end = buf.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const head = buf.subarray(0, end).toString("latin1");
            const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
            if (code === 101) {
                cleanup();
                socket.pause();
                resolve({ socket, early: buf.subarray(end + 4) });
                return;
            }
            // An error reply: its body is a Status (Content-Length bytes); report its message.
            const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            const body = buf.subarray(end + 4);
            if (body.length < length)
                return;
            let status;
            try {
                status = JSON.parse(body.subarray(0, length).toString());
            }
            catch {
                status = undefined;
            }
            fail(new StreamError(status?.message ?? `the server refused the tunnel (HTTP ${code})`, status));
        };
        const onEnd = () => fail(new StreamError("the server closed the connection before answering"));
        const cleanup = () => {
            socket.off("data", onData);
            socket.off("end", onEnd);
            socket.off("error", fail);
        };
        socket.on("data", onData);
        socket.on("end", onEnd);
        socket.on("error", fail);
    });
}
//# sourceMappingURL=raw-tunnel.js.map