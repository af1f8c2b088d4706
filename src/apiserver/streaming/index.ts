/**
 * Streaming subresources (exec, attach, portforward): the protocol side. The API server's router authenticates,
 * finds the pod, checks its phase, then hands the raw upgraded socket here.
 *
 * What is served (see the modules for the wire details):
 *   exec/attach   WebSocket  v5.channel.k8s.io (kubectl's default), v4, v4.base64, channel.k8s.io, base64, none
 *                 SPDY/3.1   X-Stream-Protocol-Version v4, v3, v2, channel.k8s.io (kubectl's fallback)
 *   portforward   WebSocket  SPDY/3.1+portforward.k8s.io — SPDY tunnelled in binary messages (kubectl's default)
 *                 SPDY/3.1   X-Stream-Protocol-Version portforward.k8s.io (kubectl's fallback)
 *                 WebSocket  v5/v4/v4.base64 channel.k8s.io, portforward.k8s.io or none, with `ports=` — the
 *                            kubelet's channel protocol (nodelet's CLI over TLS)
 *                 nodelet-tcp  the raw stream of one port, no framing (nodelet's CLI on the unix socket; see
 *                            portforward-raw.ts)
 *
 * For the router: register on the HTTP(S) server's "upgrade" event (kubectl's SPDY fallback is a POST with
 * `Upgrade: SPDY/3.1`, which Node also delivers there), authenticate, find the pod, check its phase (exec/attach
 * refuse Succeeded/Failed pods, port-forward needs Running), then call handleStreamUpgrade with the raw socket and
 * `head`. To refuse before that, `rejectUpgrade(socket, apiError.toStatus())` writes the HTTP error and closes.
 * Invalid exec queries and unknown containers are reported here, after the upgrade, as kubectl expects.
 *
 * For the runtime (PodIO): exec/attach errors thrown as ApiError reach kubectl as their message; portForward
 * should return a socket created with `allowHalfOpen: true`, so that a client's half-close reaches the pod while
 * the pod's answer still flows back.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { StreamContext } from "./context.js";
import { ApiError } from "../../api/errors.js";
import { EXEC_SPDY_PROTOCOLS, serveExecSpdy } from "./exec-spdy.js";
import { EXEC_WEBSOCKET_PROTOCOLS, serveExecWebSocket } from "./exec-websocket.js";
import { RAW_UPGRADE, serveRawPortForward } from "./portforward-raw.js";
import { portForwardSession } from "./portforward-spdy.js";
import { parsePorts, PORTFORWARD_CHANNEL_PROTOCOLS, servePortForwardWebSocket } from "./portforward-websocket.js";
import { attachSocket, socketTransport, webSocketTransport } from "../../wire/transports.js";
import { failure, rejectUpgrade, writeSwitchingProtocols } from "./upgrade-response.js";
import { headerList } from "../../wire/sockets.js";
import { WsConnection } from "../../wire/websocket-conn.js";
import {
  checkWebSocketRequest,
  offeredProtocols,
  selectProtocol,
  serverHandshakeHeaders,
} from "../../wire/websocket-handshake.js";

export { rejectUpgrade } from "./upgrade-response.js";

export type { StreamContext } from "./context.js";

/** kubectl's port-forward WebSocket subprotocol (k8s.io/apimachinery/pkg/util/portforward/constants.go). */
export const PORTFORWARD_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";
const PORTFORWARD_SPDY_PROTOCOL = "portforward.k8s.io";

/**
 * Takes over an HTTP Upgrade request (WebSocket GET, or SPDY/3.1 POST) for a pod subresource and serves it until
 * the session ends. Never throws: protocol errors are answered on the socket, and the socket is closed on every path.
 */
export function handleStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: StreamContext): void {
  socket.on("error", () => socket.destroy()); // each protocol adds its own cleanup; this one keeps a reset harmless
  const tcp = socket as Duplex & { setNoDelay?: (on: boolean) => void; setTimeout?: (ms: number) => void };
  tcp.setNoDelay?.(true); // interactive sessions: no Nagle delay on keystrokes and prompts
  tcp.setTimeout?.(0); // long-lived: the HTTP server's idle timeout no longer applies
  try {
    const upgrade = (req.headers.upgrade ?? "").toLowerCase();
    if (upgrade === "websocket") return upgradeWebSocket(req, socket, head, ctx);
    if (upgrade === "spdy/3.1") return upgradeSpdy(req, socket, head, ctx);
    if (upgrade === RAW_UPGRADE && ctx.subresource === "portforward") {
      void serveRawPortForward(socket, head, ctx).catch((e: unknown) => rejectUpgrade(socket, (e instanceof ApiError ? e : new ApiError("InternalError", String(e))).toStatus()));
      return;
    }
    rejectUpgrade(socket, failure(400, "BadRequest", `unsupported upgrade "${req.headers.upgrade ?? ""}": use websocket or SPDY/3.1`));
  } catch (e) {
    if (e instanceof ApiError) rejectUpgrade(socket, e.toStatus());
    else rejectUpgrade(socket, failure(500, "InternalError", e instanceof Error ? e.message : String(e)));
  }
}

function upgradeWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: StreamContext): void {
  const invalid = checkWebSocketRequest(req);
  if (invalid) return rejectUpgrade(socket, failure(400, "BadRequest", invalid));
  const supported: readonly string[] =
    ctx.subresource === "portforward"
      ? [PORTFORWARD_TUNNEL_PROTOCOL, ...PORTFORWARD_CHANNEL_PROTOCOLS]
      : EXEC_WEBSOCKET_PROTOCOLS;
  const offered = offeredProtocols(req.headers);
  const protocol = selectProtocol(offered, supported);
  if (protocol === null) {
    const message = `requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${supported.filter(Boolean).join(" ")}]`;
    return rejectUpgrade(socket, failure(400, "BadRequest", message));
  }
  const tunnel = protocol === PORTFORWARD_TUNNEL_PROTOCOL;
  const ports = ctx.subresource === "portforward" && !tunnel ? parsePorts(ctx.query) : [];
  writeSwitchingProtocols(socket, serverHandshakeHeaders(String(req.headers["sec-websocket-key"]), protocol));
  const ws = new WsConnection(socket, "server", head);
  if (ctx.subresource !== "portforward") return serveExecWebSocket(ws, protocol, ctx);
  if (!tunnel) return servePortForwardWebSocket(ws, protocol, ports, ctx);
  const session = portForwardSession(webSocketTransport(ws), ctx);
  ws.start({
    data: (_op, payload) => session.receive(payload), // message boundaries are meaningless in the tunnel
    closed: (info) => session.transportClosed(info.error),
  });
}

/** SPDY/3.1 upgrade with X-Stream-Protocol-Version negotiation (apimachinery pkg/util/httpstream Handshake). */
function upgradeSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: StreamContext): void {
  const supported = ctx.subresource === "portforward" ? [PORTFORWARD_SPDY_PROTOCOL] : EXEC_SPDY_PROTOCOLS;
  const offered = headerList(req.headers["x-stream-protocol-version"]);
  // A client that names no version gets the oldest protocol, as the kubelet does.
  const protocol = offered.length === 0 ? supported[supported.length - 1] : offered.find((p) => supported.includes(p));
  if (!protocol) {
    const message = `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${supported.join(" ")}]`;
    return rejectUpgrade(socket, failure(403, "Forbidden", message), {
      "X-Accepted-Stream-Protocol-Versions": supported.join(", "),
    });
  }
  const headers: Record<string, string> = { Connection: "Upgrade", Upgrade: "SPDY/3.1" };
  if (offered.length) headers["X-Stream-Protocol-Version"] = protocol;
  writeSwitchingProtocols(socket, headers);
  if (ctx.subresource !== "portforward") return serveExecSpdy(socket, head, protocol, ctx);
  attachSocket(socket, portForwardSession(socketTransport(socket), ctx), head);
}
