/**
 * Misbehaving fronts for a test registry, on 127.0.0.1 at free ports:
 *   - `startRegistryProxy`: forwards every request to the registry, recording each (method, path, Range, whether an
 *     Authorization header came); it can cut the first full GET of a blob after N bytes (a dropped connection), and
 *     can answer blob GETs with a 307 to a blob store on another host name, and can cut the request body of the
 *     Nth blob-upload PATCH after N bytes (a push whose connection drops mid-chunk);
 *   - `startBlobStore`: that other host (`localhost:PORT`, not 127.0.0.1): serves blobs from the registry's storage
 *     files like an object store behind a signed URL, recording whether any request carried Authorization.
 */
import { createReadStream, existsSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { TestRegistry } from "./registry.js";

export interface SeenRequest {
  method: string;
  path: string;
  range: string | undefined;
  authorization: boolean;
}

export interface ProxyOptions {
  /** Cut the first GET of a blob without Range after this many body bytes. */
  dropBlobAfter?: number;
  /** Answer blob GETs with 307 to this origin + "/blobs/DIGEST?sig=test". */
  redirectBlobsTo?: string;
  /** Cut the request body of the `nth` upload PATCH (1-based) after `after` bytes, both connections dropped. */
  dropPatch?: { nth: number; after: number };
}

export interface RunningServer {
  readonly host: string;
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

const BLOB_PATH = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/;

export async function startRegistryProxy(reg: TestRegistry, opts: ProxyOptions = {}): Promise<RunningServer> {
  const requests: SeenRequest[] = [];
  let dropped = false;
  let patches = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "", path, range: req.headers.range, authorization: req.headers.authorization !== undefined });
    const blob = BLOB_PATH.exec(path.split("?")[0]);
    if (blob && req.method === "GET" && opts.redirectBlobsTo) {
      res.writeHead(307, { location: `${opts.redirectBlobsTo}/blobs/${blob[1]}?sig=test` }).end();
      return;
    }
    if (req.method === "PATCH" && opts.dropPatch && ++patches === opts.dropPatch.nth) return void forwardCut(reg, req, res, opts.dropPatch.after);
    const cut = blob && req.method === "GET" && !req.headers.range && opts.dropBlobAfter !== undefined && !dropped;
    if (cut) dropped = true;
    forward(reg, req, res, cut ? opts.dropBlobAfter : undefined);
  });
  return listen(server, "127.0.0.1", requests);
}

function forward(reg: TestRegistry, req: IncomingMessage, res: ServerResponse, cutAfter: number | undefined): void {
  const headers = { ...req.headers, host: reg.host };
  const up = request({ host: "127.0.0.1", port: reg.port, method: req.method, path: req.url, headers }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, reverseLocation(upRes.headers, reg, req.headers.host));
    if (cutAfter === undefined) {
      upRes.pipe(res);
      return;
    }
    let sent = 0;
    upRes.on("data", (chunk: Buffer) => {
      if (sent >= cutAfter) return;
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

/** The registry's absolute Location (it names the host it was asked as) pointed back at the proxy, as a reverse proxy does. */
function reverseLocation(headers: IncomingHttpHeaders, reg: TestRegistry, proxyHost: string | undefined): IncomingHttpHeaders {
  const location = headers.location;
  if (!location || !proxyHost || !location.startsWith(`http://${reg.host}/`)) return headers;
  return { ...headers, location: `http://${proxyHost}${location.slice(`http://${reg.host}`.length)}` };
}

/** Forwards a request whose body is cut after `after` bytes: the registry sees a client gone mid-upload. */
function forwardCut(reg: TestRegistry, req: IncomingMessage, res: ServerResponse, after: number): void {
  const up = request({ host: "127.0.0.1", port: reg.port, method: req.method, path: req.url, headers: { ...req.headers, host: reg.host } });
  up.on("error", () => undefined);
  let sent = 0;
  req.on("data", (chunk: Buffer) => {
    if (sent >= after) return;
    const part = chunk.subarray(0, after - sent);
    sent += part.length;
    if (sent < after) return void up.write(part);
    // The bytes before the drop reach the registry's socket, then both connections go.
    up.write(part, () => {
      up.destroy();
      res.socket?.destroy();
    });
  });
}

/** An object store on another host name serving the registry's blob files. */
export async function startBlobStore(reg: TestRegistry): Promise<RunningServer> {
  const requests: SeenRequest[] = [];
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

async function listen(server: Server, hostName: string, requests: SeenRequest[]): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    host: `${hostName}:${port}`,
    url: `http://${hostName}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
