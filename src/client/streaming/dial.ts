/**
 * Opens a WebSocket to the API server over a connection the caller provides (a unix socket, TCP or TLS — the
 * transport is not our business here), using Node's HTTP client for the request and the 101 reply.
 * The wire protocol modules (src/wire) are shared with the server (src/apiserver/streaming).
 */
import { request } from "node:http";
import type { Duplex } from "node:stream";
import { WsConnection } from "../../wire/websocket-conn.js";
import { checkServerHandshake, clientHandshake } from "../../wire/websocket-handshake.js";
import type { Status } from "../../api/types.js";

/** Opens a fresh connection to the API server, ready for one HTTP/1.1 request (TLS already negotiated if any). */
export type ApiConnect = () => Duplex | Promise<Duplex>;

export interface StreamClientOptions {
  /** Extra request headers, e.g. `Authorization: Bearer ...`. */
  headers?: Record<string, string>;
  /** Host header; defaults to "localhost". */
  host?: string;
}

/** A streaming request the server refused (non-101), or a session that ended in a Failure Status. */
export class StreamError extends Error {
  constructor(
    message: string,
    readonly status?: Status,
  ) {
    super(message);
    this.name = "StreamError";
  }
}

export interface DialedWebSocket {
  ws: WsConnection;
  /** The negotiated subprotocol ("" if the server chose none). */
  protocol: string;
}

/**
 * Sends the upgrade request for `pathAndQuery` offering `protocols` (preferred first). Resolves once the server
 * switched protocols; rejects with a StreamError carrying the server's Status when it answers otherwise. On
 * rejection the connection is closed.
 */
export function dialWebSocket(
  connect: ApiConnect,
  pathAndQuery: string,
  protocols: string[],
  opts: StreamClientOptions = {},
): Promise<DialedWebSocket> {
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
          .then(
            (socket) => oncreate(null, socket),
            (e: unknown) => oncreate(e instanceof Error ? e : new Error(String(e)), undefined as unknown as Duplex),
          );
        return undefined;
      },
    });
    req.on("upgrade", (res, socket: Duplex, head: Buffer) => {
      try {
        const protocol = checkServerHandshake(res.headers, key, protocols);
        resolve({ ws: new WsConnection(socket, "client", head), protocol });
      } catch (e) {
        socket.destroy();
        reject(e);
      }
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
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
function refusal(code: number, body: string): StreamError {
  try {
    const status = JSON.parse(body) as Status;
    if (status.kind === "Status" && status.message) return new StreamError(status.message, status);
  } catch {
    // not JSON: fall through
  }
  return new StreamError(`unable to upgrade connection: HTTP ${code}${body ? `: ${body.trim()}` : ""}`);
}
