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
import { checkWebSocketRequest, offeredProtocols, selectProtocol, serverHandshakeHeaders, } from "../../wire/websocket-handshake.js";
export { rejectUpgrade } from "./upgrade-response.js";
/** kubectl's port-forward WebSocket subprotocol (k8s.io/apimachinery/pkg/util/portforward/constants.go). */
export const PORTFORWARD_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";
const PORTFORWARD_SPDY_PROTOCOL = "portforward.k8s.io";
/**
 * Takes over an HTTP Upgrade request (WebSocket GET, or SPDY/3.1 POST) for a pod subresource and serves it until
 * the session ends. Never throws: protocol errors are answered on the socket, and the socket is closed on every path.
 */
export function handleStreamUpgrade(req, socket, head, ctx) {
    socket.on("error", () => socket.destroy()); // each protocol adds its own cleanup; this one keeps a reset harmless
    const tcp = socket;
    tcp.setNoDelay?.(true); // interactive sessions: no Nagle delay on keystrokes and prompts
    tcp.setTimeout?.(0); // long-lived: the HTTP server's idle timeout no longer applies
    try {
        const upgrade = (req.headers.upgrade ?? "").toLowerCase();
        if (upgrade === "websocket")
            return upgradeWebSocket(req, socket, head, ctx);
        if (upgrade === "spdy/3.1")
            return upgradeSpdy(req, socket, head, ctx);
        if (upgrade === RAW_UPGRADE && ctx.subresource === "portforward") {
            void serveRawPortForward(socket, head, ctx).catch((e) => rejectUpgrade(socket, (e instanceof ApiError ? e : new ApiError("InternalError", String(e))).toStatus()));
            return;
        }
        rejectUpgrade(socket, failure(400, "BadRequest", `unsupported upgrade "${req.headers.upgrade ?? ""}": use websocket or SPDY/3.1`));
    }
    catch (e) {
        if (e instanceof ApiError)
            rejectUpgrade(socket, e.toStatus());
        else
            rejectUpgrade(socket, failure(500, "InternalError", e instanceof Error ? e.message : String(e)));
    }
}
function upgradeWebSocket(req, socket, head, ctx) {
    const invalid = checkWebSocketRequest(req);
    if (invalid)
        return rejectUpgrade(socket, failure(400, "BadRequest", invalid));
    const supported = ctx.subresource === "portforward"
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
    if (ctx.subresource !== "portforward")
        return serveExecWebSocket(ws, protocol, ctx);
    if (!tunnel)
        return servePortForwardWebSocket(ws, protocol, ports, ctx);
    const session = portForwardSession(webSocketTransport(ws), ctx);
    ws.start({
        data: (_op, payload) => session.receive(payload), // message boundaries are meaningless in the tunnel
        closed: (info) => session.transportClosed(info.error),
    });
}
/** SPDY/3.1 upgrade with X-Stream-Protocol-Version negotiation (apimachinery pkg/util/httpstream Handshake). */
function upgradeSpdy(req, socket, head, ctx) {
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
    const headers = { Connection: "Upgrade", Upgrade: "SPDY/3.1" };
    if (offered.length)
        headers["X-Stream-Protocol-Version"] = protocol;
    writeSwitchingProtocols(socket, headers);
    if (ctx.subresource !== "portforward")
        return serveExecSpdy(socket, head, protocol, ctx);
    attachSocket(socket, portForwardSession(socketTransport(socket), ctx), head);
}
//# sourceMappingURL=index.js.map