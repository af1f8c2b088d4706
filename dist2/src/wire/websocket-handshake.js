/**
 * RFC 6455 §4 opening handshake, server and client halves. Subprotocols are compared as plain strings: the npm `ws`
 * library rejects `SPDY/3.1+portforward.k8s.io` because `/` is not an RFC 7230 token character, but kubectl offers
 * exactly that (client-go tools/portforward/tunneling_dialer.go), so we must accept it.
 */
import { createHash, randomBytes } from "node:crypto";
import { headerList } from "./sockets.js";
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key) {
    return createHash("sha1").update(key + GUID).digest("base64");
}
/** Why a request is not a valid WebSocket upgrade (RFC 6455 §4.2.1), or "" when it is. */
export function checkWebSocketRequest(req) {
    if (req.method !== "GET")
        return `WebSocket upgrade needs GET, not ${req.method}`;
    if (req.headers["sec-websocket-version"] !== "13")
        return "unsupported Sec-WebSocket-Version (want 13)";
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string" || Buffer.from(key, "base64").length !== 16)
        return "missing or invalid Sec-WebSocket-Key";
    return "";
}
/** The subprotocols the client offered, in its order of preference. */
export function offeredProtocols(headers) {
    return headerList(headers["sec-websocket-protocol"]);
}
/**
 * Picks the first offered protocol that we support — client order, as the API server's wsstream does
 * (k8s.io/apiserver/pkg/util/wsstream/conn.go, handshake). A client that offers none gets "" if "" is supported
 * (the legacy default), otherwise null: no agreement.
 */
export function selectProtocol(offered, supported) {
    if (offered.length === 0)
        return supported.includes("") ? "" : null;
    return offered.find((p) => p !== "" && supported.includes(p)) ?? null;
}
/** Headers of the server's 101 reply. */
export function serverHandshakeHeaders(key, protocol) {
    const headers = {
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Sec-WebSocket-Accept": acceptKey(key),
    };
    if (protocol)
        headers["Sec-WebSocket-Protocol"] = protocol;
    return headers;
}
/** Client half: the request headers to send, and the key whose accept value the reply must carry. */
export function clientHandshake(protocols) {
    const key = randomBytes(16).toString("base64");
    const headers = {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
    };
    if (protocols.length)
        headers["Sec-WebSocket-Protocol"] = protocols.join(", ");
    return { key, headers };
}
/** Client half: checks the 101 reply; returns the negotiated protocol, or throws why the reply is unacceptable. */
export function checkServerHandshake(headers, key, offered) {
    if (headers["sec-websocket-accept"] !== acceptKey(key))
        throw new Error("bad Sec-WebSocket-Accept in the server reply");
    const protocol = typeof headers["sec-websocket-protocol"] === "string" ? headers["sec-websocket-protocol"] : "";
    if (protocol && !offered.includes(protocol))
        throw new Error(`server chose a protocol we did not offer: ${protocol}`);
    return protocol;
}
//# sourceMappingURL=websocket-handshake.js.map