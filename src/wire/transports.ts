/**
 * Byte transports a SPDY session runs over: a raw upgraded socket (kubectl's POST + `Upgrade: SPDY/3.1`), or the
 * binary messages of a WebSocket (`SPDY/3.1+portforward.k8s.io`, client-go tools/portforward/tunneling_connection.go:
 * message boundaries carry no meaning, each message is just more bytes).
 */
import type { Duplex } from "node:stream";
import type { ByteTransport, SpdySession } from "./spdy-session.js";
import type { WsConnection } from "./websocket-conn.js";
import { closeSoon } from "./sockets.js";
import { DrainQueue } from "./drain-queue.js";

/** Frames written straight to a socket, each batch corked into one writev. */
export function socketTransport(socket: Duplex): ByteTransport {
  const drain = new DrainQueue(socket);
  return {
    write(chunks) {
      if (socket.destroyed || !socket.writable) return true;
      socket.cork();
      for (const c of chunks) socket.write(c);
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
export function webSocketTransport(ws: WsConnection): ByteTransport {
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
export function attachSocket(socket: Duplex, session: SpdySession, head: Buffer = Buffer.alloc(0)): void {
  const gone = (): void => session.transportClosed();
  socket.on("data", (chunk: Buffer) => session.receive(chunk));
  socket.on("end", gone);
  socket.on("close", gone);
  socket.on("error", gone);
  if (head.length) session.receive(head);
}
