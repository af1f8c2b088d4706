/**
 * Streaming subresources (exec, attach, portforward): the protocol side. The API server's router authenticates,
 * finds the pod, checks its phase, then hands the raw upgraded socket here.
 *
 * CONTRACT placeholder: implemented by the streaming work; the signature is fixed.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Pod } from "../../api/types.js";
import type { PodIO } from "../pod-io.js";

export interface StreamContext {
  subresource: "exec" | "attach" | "portforward";
  pod: Pod;
  io: PodIO;
  query: URLSearchParams;
}

/**
 * Takes over an HTTP Upgrade request (WebSocket GET, or SPDY/3.1 POST) for a pod subresource and serves it until
 * the session ends. Never throws: protocol errors are answered on the socket.
 */
export function handleStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: StreamContext): void {
  void req;
  void head;
  void ctx;
  socket.end("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n");
}
