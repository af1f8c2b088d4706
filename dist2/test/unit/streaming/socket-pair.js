/** Two connected TCP sockets on 127.0.0.1 for protocol tests, and small stream helpers. */
import { once } from "node:events";
import { createServer, connect } from "node:net";
export async function socketPair() {
    const server = createServer({ allowHalfOpen: true });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = server.address().port;
    const accepted = once(server, "connection");
    const client = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const [serverSide] = await accepted;
    await once(client, "connect").catch(() => undefined);
    server.close();
    return [client, serverSide];
}
/** All bytes of a readable until it ends. */
export async function readAll(r) {
    const chunks = [];
    for await (const c of r)
        chunks.push(c);
    return Buffer.concat(chunks);
}
export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
//# sourceMappingURL=socket-pair.js.map