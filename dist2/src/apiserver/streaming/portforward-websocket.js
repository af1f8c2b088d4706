import { ApiError } from "../../api/errors.js";
import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
export const PORTFORWARD_CHANNEL_PROTOCOLS = [
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v4.base64.channel.k8s.io",
    "portforward.k8s.io",
    "",
];
/** The `ports` (API server) or `port` (kubelet) query values, repeated or comma-separated. Throws BadRequest. */
export function parsePorts(query) {
    const raw = [...query.getAll("ports"), ...query.getAll("port")];
    if (raw.length === 0)
        throw ApiError.badRequest('query parameter "ports" is required');
    const ports = [];
    for (const item of raw.flatMap((r) => r.split(","))) {
        const port = Number(item);
        if (!/^\d+$/.test(item) || port < 1 || port > 65535) {
            throw ApiError.badRequest(`invalid port "${item}": must be between 1 and 65535`);
        }
        ports.push(port);
    }
    return ports;
}
/** Serves the forwarded ports on an upgraded WebSocket; closes it (1000) once every pod connection has closed. */
export function servePortForwardWebSocket(ws, protocol, ports, ctx) {
    const conn = new ChannelConn(ws, framingFor(protocol));
    const upstreams = new Set();
    let open = ports.length;
    let over = false;
    const oneDone = () => {
        if (--open === 0)
            ws.close(1000);
    };
    ports.forEach((_, i) => conn.inbound(2 * i + 1).resume()); // clients send nothing useful on error channels
    const inbound = ports.map((_, i) => conn.inbound(2 * i));
    conn.start(() => {
        over = true;
        for (const u of upstreams)
            u.destroy();
    });
    ports.forEach((port, i) => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16LE(port, 0);
        conn.send(2 * i, prefix);
        conn.send(2 * i + 1, prefix);
        ctx.io.portForward(ctx.pod, port).then((upstream) => {
            if (over)
                return void upstream.destroy();
            upstreams.add(upstream);
            upstream.on("error", () => undefined); // "close" follows
            upstream.on("close", () => {
                upstreams.delete(upstream);
                oneDone();
            });
            inbound[i].pipe(upstream);
            upstream.pipe(conn.outbound(2 * i, true));
        }, (e) => {
            const { namespace, name } = ctx.pod.metadata;
            const why = e instanceof Error ? e.message : String(e);
            conn.send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${namespace ?? "default"}/${name}: ${why}`));
            inbound[i].resume();
            oneDone();
        });
    });
}
//# sourceMappingURL=portforward-websocket.js.map