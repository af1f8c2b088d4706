/**
 * Client side of port-forward for the nodelet CLI. Choice: the kubelet's WebSocket channel protocol, one WebSocket
 * per accepted local connection (`GET .../portforward?ports=R`, subprotocol `v5.channel.k8s.io`, else v4). Each
 * connection is independent (no head-of-line blocking, nothing shared to tear down on one error), needs no SPDY
 * client, and works over the unix socket as over TCP. With v5 (nodelet's server) half-close is carried both ways
 * by the close signal [0xFF, 0]; with a v4 server the connection simply ends when either side closes.
 */
import { createServer } from "node:net";
import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { relay } from "../../sys/relay.js";
import { dialWebSocket } from "./dial.js";
import { dialRawTunnel } from "./raw-tunnel.js";
/**
 * Listens on each local port and forwards every accepted connection to the pod's remote port through the API
 * server. `podPath` is the pod's URL path (`/api/v1/namespaces/NS/pods/NAME`).
 */
export async function portForward(connect, podPath, mappings, opts = {}) {
    const servers = [];
    const sockets = new Set();
    const bound = [];
    try {
        for (const m of mappings) {
            const mapping = { ...m }; // its local port is filled in once bound
            const server = createServer({ allowHalfOpen: true, noDelay: true }, (local) => {
                sockets.add(local);
                local.on("close", () => sockets.delete(local));
                opts.onConnection?.(mapping);
                if (opts.transport === "raw")
                    forwardRaw(connect, podPath, local, mapping, opts);
                else
                    forwardConnection(connect, podPath, local, mapping, opts);
            });
            servers.push(server);
            await listen(server, m.local, opts.address ?? "127.0.0.1");
            mapping.local = server.address().port;
            bound.push(mapping);
        }
    }
    catch (e) {
        for (const s of servers)
            s.close();
        throw e;
    }
    return {
        ports: bound,
        get active() {
            return sockets.size;
        },
        async close() {
            const closing = servers.map((s) => new Promise((resolve) => s.close(() => resolve())));
            for (const s of sockets)
                s.destroy();
            await Promise.all(closing);
        },
    };
}
function listen(server, port, host) {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
}
/** One local connection ⇄ one raw tunnel, relayed (and, for bulk transfers, spliced in the kernel). */
function forwardRaw(connect, podPath, local, m, opts) {
    local.pause();
    local.on("error", () => local.destroy());
    dialRawTunnel(connect, `${podPath}/portforward?ports=${m.remote}`, opts).then(({ socket, early }) => {
        if (local.destroyed)
            return void socket.destroy();
        if (early.length)
            local.write(early);
        void relay(local, socket, { shimPath: opts.shimPath });
        local.resume();
        socket.resume();
    }, (e) => {
        opts.onError?.(new Error(`an error occurred forwarding ${m.local} -> ${m.remote}: ${e instanceof Error ? e.message : String(e)}`), m);
        local.destroy();
    });
}
/** One local connection ⇄ one WebSocket; both are closed on every path. */
function forwardConnection(connect, podPath, local, m, opts) {
    local.pause();
    local.on("error", () => local.destroy());
    const fail = (e) => {
        opts.onError?.(e instanceof Error ? e : new Error(String(e)), m);
        local.destroy();
    };
    dialWebSocket(connect, `${podPath}/portforward?ports=${m.remote}`, ["v5.channel.k8s.io", "v4.channel.k8s.io"], opts).then(({ ws, protocol }) => {
        if (local.destroyed)
            return ws.close();
        const conn = new ChannelConn(ws, framingFor(protocol));
        const errorText = [];
        // The server starts each channel with the port as 2 bytes little-endian (kubelet portforward/websocket.go).
        conn.inbound(1, 2).on("data", (c) => errorText.push(c));
        const data = conn.inbound(0, 2);
        data.pipe(local); // the server's close signal (or the WebSocket's end) ends our local write side
        local.pipe(conn.outbound(0, true)); // local EOF → close signal (v5)
        local.on("close", () => ws.close());
        conn.start((info) => {
            const text = Buffer.concat(errorText).toString("utf8");
            if (text)
                fail(new Error(`an error occurred forwarding ${m.local} -> ${m.remote}: ${text}`));
            else if (info.error || info.code === undefined)
                local.destroy();
        });
    }, (e) => fail(new Error(`error upgrading connection for ${m.local} -> ${m.remote}: ${e instanceof Error ? e.message : String(e)}`)));
}
//# sourceMappingURL=port-forward.js.map