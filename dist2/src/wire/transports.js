import { closeSoon } from "./sockets.js";
import { DrainQueue } from "./drain-queue.js";
/** Frames written straight to a socket, each batch corked into one writev. */
export function socketTransport(socket) {
    const drain = new DrainQueue(socket);
    return {
        write(chunks) {
            if (socket.destroyed || !socket.writable)
                return true;
            socket.cork();
            for (const c of chunks)
                socket.write(c);
            socket.uncork();
            return !socket.writableNeedDrain;
        },
        onDrain: (cb) => drain.wait(cb),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        end: () => closeSoon(socket),
    };
}
/** Frames carried in binary WebSocket messages, one message per batch. */
export function webSocketTransport(ws) {
    return {
        write: (chunks) => (ws.open ? ws.sendBinary(...chunks) : true),
        onDrain: (cb) => ws.onDrain(cb),
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        end: () => ws.close(),
    };
}
/**
 * Feeds a socket to a SPDY session: `head` first, then every chunk. The session ends when the socket ends, fails
 * or closes — "end" counts too: sockets from Node's HTTP server are half-open capable, so a peer that hangs up
 * sends FIN and "close" would never come unless we end our side.
 */
export function attachSocket(socket, session, head = Buffer.alloc(0)) {
    const gone = () => session.transportClosed();
    socket.on("data", (chunk) => session.receive(chunk));
    socket.on("end", gone);
    socket.on("close", gone);
    socket.on("error", gone);
    if (head.length)
        session.receive(head);
}
//# sourceMappingURL=transports.js.map