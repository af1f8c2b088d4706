/**
 * Misbehaving fronts for a test registry, on 127.0.0.1 at free ports:
 *   - `startRegistryProxy`: forwards every request to the registry, recording each (method, path, Range, whether an
 *     Authorization header came); it can cut the first full GET of a blob after N bytes (a dropped connection), and
 *     can answer blob GETs with a 307 to a blob store on another host name;
 *   - `startBlobStore`: that other host (`localhost:PORT`, not 127.0.0.1): serves blobs from the registry's storage
 *     files like an object store behind a signed URL, recording whether any request carried Authorization.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer, request } from "node:http";
const BLOB_PATH = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/;
export async function startRegistryProxy(reg, opts = {}) {
    const requests = [];
    let dropped = false;
    const server = createServer((req, res) => {
        const path = req.url ?? "/";
        requests.push({ method: req.method ?? "", path, range: req.headers.range, authorization: req.headers.authorization !== undefined });
        const blob = BLOB_PATH.exec(path.split("?")[0]);
        if (blob && req.method === "GET" && opts.redirectBlobsTo) {
            res.writeHead(307, { location: `${opts.redirectBlobsTo}/blobs/${blob[1]}?sig=test` }).end();
            return;
        }
        const cut = blob && req.method === "GET" && !req.headers.range && opts.dropBlobAfter !== undefined && !dropped;
        if (cut)
            dropped = true;
        forward(reg, req, res, cut ? opts.dropBlobAfter : undefined);
    });
    return listen(server, "127.0.0.1", requests);
}
function forward(reg, req, res, cutAfter) {
    const headers = { ...req.headers, host: reg.host };
    const up = request({ host: "127.0.0.1", port: reg.port, method: req.method, path: req.url, headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (cutAfter === undefined) {
            upRes.pipe(res);
            return;
        }
        let sent = 0;
        upRes.on("data", (chunk) => {
            if (sent >= cutAfter)
                return;
            const part = chunk.subarray(0, cutAfter - sent);
            sent += part.length;
            res.write(part);
            if (sent >= cutAfter) {
                upRes.destroy();
                res.socket?.destroy(); // the connection drops mid-body
            }
        });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
}
/** An object store on another host name serving the registry's blob files. */
export async function startBlobStore(reg) {
    const requests = [];
    const server = createServer((req, res) => {
        const path = req.url ?? "/";
        requests.push({ method: req.method ?? "", path, range: req.headers.range, authorization: req.headers.authorization !== undefined });
        const m = /^\/blobs\/(sha256:[a-f0-9]{64})\?sig=test$/.exec(path);
        const file = m ? reg.blobDataPath(m[1]) : "";
        if (!m || !existsSync(file)) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { "content-type": "application/octet-stream" });
        createReadStream(file).pipe(res);
    });
    return listen(server, "localhost", requests);
}
async function listen(server, hostName, requests) {
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    return {
        host: `${hostName}:${port}`,
        url: `http://${hostName}:${port}`,
        requests,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
//# sourceMappingURL=registry-proxy.js.map