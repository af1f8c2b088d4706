/**
 * Opens a WebSocket to the API server over a connection the caller provides (a unix socket, TCP or TLS — the
 * transport is not our business here), using Node's HTTP client for the request and the 101 reply.
 * The wire protocol modules (src/wire) are shared with the server (src/apiserver/streaming).
 */
import { request } from "node:http";
import { WsConnection } from "../../wire/websocket-conn.js";
import { checkServerHandshake, clientHandshake } from "../../wire/websocket-handshake.js";
/** A streaming request the server refused (non-101), or a session that ended in a Failure Status. */
export class StreamError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = "StreamError";
    }
}
/**
 * Sends the upgrade request for `pathAndQuery` offering `protocols` (preferred first). Resolves once the server
 * switched protocols; rejects with a StreamError carrying the server's Status when it answers otherwise. On
 * rejection the connection is closed.
 */
export function dialWebSocket(connect, pathAndQuery, protocols, opts = {}) {
    const { key, headers } = clientHandshake(protocols);
    return new Promise((resolve, reject) => {
        const req = request({
            method: "GET",
            path: pathAndQuery,
            host: opts.host ?? "localhost",
            headers: { ...opts.headers, ...headers },
            createConnection: (_options, oncreate) => {
                Promise.resolve()
                    .then(connect)
                    .then((socket) => oncreate(null, socket), (e) => oncreate(e instanceof Error ? e : new Error(String(e)), undefined));
                return undefined;
            },
        });
        req.on("upgrade", (res, socket, head) => {
            try {
                const protocol = checkServerHandshake(res.headers, key, protocols);
                resolve({ ws: new WsConnection(socket, "client", head), protocol });
            }
            catch (e) {
                socket.destroy();
                reject(e);
            }
        });
        req.on("response", (res) => {
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () => {
                req.destroy();
                reject(refusal(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")));
            });
        });
        req.on("error", reject);
        req.end();
    });
}
/** The server's refusal as an error: its Status message when the body is one. */
function refusal(code, body) {
    try {
        const status = JSON.parse(body);
        if (status.kind === "Status" && status.message)
            return new StreamError(status.message, status);
    }
    catch {
        // not JSON: fall through
    }
    return new StreamError(`unable to upgrade connection: HTTP ${code}${body ? `: ${body.trim()}` : ""}`);
}
//# sourceMappingURL=dial.js.map