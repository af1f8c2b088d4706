/**
 * A raw connection to the API server for the streaming verbs (exec, port-forward), which speak WebSocket over it:
 * the unix socket, or TLS to --server with the bearer token as a header.
 */
import { connect as netConnect } from "node:net";
import { DEFAULT_SOCKET_PATH } from "../client/index.js";
import { flag } from "./args.js";
export async function streamConnection(p) {
    const server = flag(p, "server");
    if (!server) {
        const path = flag(p, "socket") ?? process.env.NODELET_SOCKET ?? DEFAULT_SOCKET_PATH;
        return { connect: () => netConnect(path), options: {} };
    }
    const url = new URL(server);
    const tls = await import("node:tls");
    const token = flag(p, "token");
    return {
        connect: () => new Promise((resolve, reject) => {
            const s = tls.connect({ host: url.hostname, port: Number(url.port || 443), rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => resolve(s));
            s.once("error", reject);
        }),
        options: { host: url.host, headers: token ? { Authorization: `Bearer ${token}` } : {} },
    };
}
//# sourceMappingURL=connect.js.map