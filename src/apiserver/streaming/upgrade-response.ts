/**
 * Raw HTTP/1.1 responses written on an upgrade socket, before the stream protocol takes over: the 101 that switches
 * protocols, and the error replies (a metav1.Status body) that refuse an upgrade.
 */
import type { Duplex } from "node:stream";
import type { Status } from "../../api/types.js";
import { closeSoon } from "../../wire/sockets.js";

const REASONS: Record<number, string> = {
  101: "Switching Protocols",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  426: "Upgrade Required",
  500: "Internal Server Error",
};

/** Writes `101 Switching Protocols` with the given headers. The socket then belongs to the stream protocol. */
export function writeSwitchingProtocols(socket: Duplex, headers: Record<string, string>): void {
  const lines = ["HTTP/1.1 101 Switching Protocols"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(lines.join("\r\n") + "\r\n\r\n");
}

/**
 * Refuses the upgrade with an HTTP error whose body is `status` (JSON), then closes the socket once written.
 * kubectl reports the Status message ("unable to upgrade connection: ..."); a refused WebSocket upgrade also makes
 * it retry over SPDY (client-go tools/remotecommand/fallback.go), which gets the same answer.
 */
export function rejectUpgrade(socket: Duplex, status: Status, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(status));
  const lines = [
    `HTTP/1.1 ${status.code} ${REASONS[status.code] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${body.length}`,
    "Connection: close",
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n"), body]));
  closeSoon(socket);
}

/** A Failure Status, as the API server would send it. */
export function failure(code: number, reason: string, message: string): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}
