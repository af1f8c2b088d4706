/**
 * The sockets of the userspace proxy: a TCP listener that splices each accepted connection to an endpoint (trying
 * the next endpoint when one refuses, as kube-proxy's userspace proxier did), and a UDP socket that relays each
 * client's datagrams through a socket of its own connected to the endpoint, with the replies sent back from the
 * service address. Both bind the service address itself (the service CIDR is routed to the node: node-route.ts).
 */
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";
import { key } from "./balancer.js";
const CONNECT_TIMEOUT_MS = 2000;
const UDP_IDLE_MS = 30_000;
export async function listenTcp(host, port, lb) {
    const conns = new Set();
    const server = createServer({ noDelay: true }, (client) => {
        conns.add(client);
        client.once("close", () => conns.delete(client));
        client.on("error", () => client.destroy());
        splice(client, lb, new Set(), conns);
    });
    await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port, exclusive: true }, () => resolve());
    });
    return {
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            for (const c of conns)
                c.destroy();
        }),
    };
}
/** Connects to an endpoint and pipes both ways; on a failed connect tries the next, then resets the client. */
function splice(client, lb, tried, conns) {
    const ep = lb.pick(client.remoteAddress ?? "", tried);
    if (!ep) {
        client.resetAndDestroy();
        return;
    }
    const upstream = connect({ host: ep.ip, port: ep.port, noDelay: true, timeout: CONNECT_TIMEOUT_MS });
    conns.add(upstream);
    upstream.once("close", () => conns.delete(upstream));
    upstream.once("connect", () => {
        upstream.setTimeout(0);
        client.pipe(upstream);
        upstream.pipe(client);
        upstream.on("error", () => client.destroy());
        upstream.on("close", () => client.end());
        client.on("close", () => upstream.destroy());
    });
    const retry = () => {
        if (upstream.connecting || upstream.pending) {
            upstream.destroy();
            tried.add(key(ep));
            splice(client, lb, tried, conns);
        }
    };
    upstream.once("timeout", retry);
    upstream.once("error", retry);
}
export async function listenUdp(host, port, lb) {
    const sock = createSocket({ type: "udp4" });
    const sessions = new Map();
    sock.on("message", (msg, from) => relay(sock, sessions, lb, msg, from));
    await new Promise((resolve, reject) => {
        sock.once("error", reject);
        sock.bind(port, host, () => resolve());
    });
    sock.on("error", () => undefined);
    return {
        close: async () => {
            for (const s of sessions.values()) {
                clearTimeout(s.timer);
                s.out.close();
            }
            sessions.clear();
            await new Promise((resolve) => sock.close(() => resolve()));
        },
    };
}
function relay(sock, sessions, lb, msg, from) {
    const id = `${from.address}:${from.port}`;
    let s = sessions.get(id);
    if (!s) {
        const ep = lb.pick(from.address);
        if (!ep)
            return;
        const session = { out: createSocket("udp4"), queue: [] };
        session.out.on("message", (reply) => sock.send(reply, from.port, from.address));
        session.out.on("error", () => undefined);
        session.out.connect(ep.port, ep.ip, () => {
            for (const m of session.queue ?? [])
                session.out.send(m);
            session.queue = undefined;
        });
        sessions.set(id, (s = session));
    }
    const session = s;
    clearTimeout(session.timer);
    session.timer = setTimeout(() => {
        sessions.delete(id);
        session.out.close();
    }, UDP_IDLE_MS);
    session.timer.unref();
    if (session.queue)
        session.queue.push(msg);
    else
        session.out.send(msg);
}
//# sourceMappingURL=userspace-listeners.js.map