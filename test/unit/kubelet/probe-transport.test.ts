/**
 * The network side of probes and hooks, against real servers on loopback: HTTP GET (codes, redirects, timeouts,
 * the Go-style error texts), the gRPC health protocol, TCP dials, and named ports.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createH2Server, type Http2Server } from "node:http2";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { decodeHealthStatus, encodeHealthRequest, grpcHealthCheck } from "../../../src/kubelet/grpc-health.js";
import { httpGet } from "../../../src/kubelet/http-get.js";
import { PodDialer } from "../../../src/kubelet/pod-dialer.js";
import { resolveContainerPort } from "../../../src/kubelet/probe-runner.js";
import { realClock } from "../../../src/sys/clock.js";
import { HostRunner } from "../../../src/sys/runner.js";

const dialer = new PodDialer(new HostRunner());
const local = { host: "127.0.0.1" };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("httpGet", () => {
  let server: Server;
  let port = 0;
  const seen: Record<string, string | undefined>[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ ua: req.headers["user-agent"], x: String(req.headers["x-probe"]), host: req.headers.host });
      if (req.url === "/ok") res.end("fine");
      else if (req.url === "/fail") res.writeHead(503).end("down");
      else if (req.url === "/moved") res.writeHead(302, { location: "/ok" }).end();
      else if (req.url === "/away") res.writeHead(302, { location: "http://example.invalid/" }).end();
      else if (req.url === "/slow") setTimeout(() => res.end("late"), 3000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const get = (path: string, timeoutMs = 1000) => httpGet(dialer, local, { scheme: "HTTP", port, path, headers: [{ name: "X-Probe", value: "1" }] }, timeoutMs, realClock);

  test("a 200 returns the body; headers are the kubelet's plus the probe's own", async () => {
    const r = await get("/ok");
    assert.equal(r.status, 200);
    assert.equal(r.body, "fine");
    assert.deepEqual(seen.at(-1), { ua: "kube-probe/1.32", x: "1", host: `127.0.0.1:${port}` });
  });

  test("a 503 is returned as such (the prober turns it into the failure message)", async () => {
    assert.equal((await get("/fail")).status, 503);
  });

  test("redirects on the same host are followed, others are not", async () => {
    assert.equal((await get("/moved")).status, 200);
    const away = await get("/away");
    assert.equal(away.status, 302);
    assert.equal(away.offHostRedirect, "http://example.invalid/");
  });

  test("a slow server times out with Go's message", async () => {
    await assert.rejects(get("/slow", 300), { message: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  test("nothing listening: connection refused, as Go words it", async () => {
    const p = await closedPort();
    await assert.rejects(httpGet(dialer, local, { scheme: "HTTP", port: p, path: "/", headers: [] }, 1000, realClock), {
      message: `Get "http://127.0.0.1:${p}/": dial tcp 127.0.0.1:${p}: connect: connection refused`,
    });
  });
});

describe("gRPC health", () => {
  let server: Http2Server;
  let port = 0;
  const status: Record<string, number> = { "": 1, sick: 2 };
  before(async () => {
    server = createH2Server();
    server.on("stream", (stream, headers) => {
      if (headers[":path"] !== "/grpc.health.v1.Health/Check") {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (d: Buffer) => chunks.push(d));
      stream.on("end", () => {
        const req = Buffer.concat(chunks);
        const service = req.length > 5 ? req.subarray(7).toString() : "";
        const value = status[service] ?? 3;
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        const head = Buffer.alloc(5);
        head.writeUInt32BE(2, 1);
        stream.end(Buffer.concat([head, Buffer.from([0x08, value])]));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  test("the request and response encodings", () => {
    assert.deepEqual([...encodeHealthRequest("ab")], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
    assert.deepEqual([...encodeHealthRequest("")], [0, 0, 0, 0, 0]);
    assert.equal(decodeHealthStatus(Buffer.from([0, 0, 0, 0, 2, 0x08, 2])), 2);
    assert.equal(decodeHealthStatus(Buffer.from([0, 0, 0, 0, 0])), 0);
  });

  test("SERVING passes; NOT_SERVING and unknown services fail with the kubelet's messages", async () => {
    assert.deepEqual(await grpcHealthCheck(dialer, local, port, "", 1000, realClock), { ok: true });
    assert.deepEqual(await grpcHealthCheck(dialer, local, port, "sick", 1000, realClock), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.deepEqual(await grpcHealthCheck(dialer, local, port, "other", 1000, realClock), { ok: false, message: 'service unhealthy (responded with "SERVICE_UNKNOWN")' });
  });

  test("nothing listening: failed to connect", async () => {
    const p = await closedPort();
    const r = await grpcHealthCheck(dialer, local, p, "", 1000, realClock);
    assert.deepEqual(r, { ok: false, message: `timeout: failed to connect service "127.0.0.1:${p}" within 1s: dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });
});

describe("ports", () => {
  test("named ports resolve to their containerPort; unknown names fail as strconv.Atoi does", () => {
    const c = { name: "a", ports: [{ name: "http", containerPort: 8080 }] };
    assert.equal(resolveContainerPort("http", c), 8080);
    assert.equal(resolveContainerPort("9090", c), 9090);
    assert.equal(resolveContainerPort(80, c), 80);
    assert.throws(() => resolveContainerPort("grpc", c), { message: 'strconv.Atoi: parsing "grpc": invalid syntax' });
    assert.throws(() => resolveContainerPort(70000, c), { message: "invalid port number: 70000" });
  });

  test("a TCP dial to a closed port is refused with Go's text", async () => {
    const p = await closedPort();
    await assert.rejects(dialer.dial(local, p, 1000), { message: `dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });
});
