import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ResponseParser, UnixHttp } from "../../../src/client/unix-http.js";
/** Feeds the bytes in pieces of `step` and gathers what the parser produced. */
function parse(text, step, headRequest = false) {
    const p = new ResponseParser(headRequest);
    const bytes = Buffer.from(text, "latin1");
    let status;
    let headers;
    let body = "";
    let complete = false;
    for (let i = 0; i < bytes.length; i += step) {
        const out = p.feed(bytes.subarray(i, i + step));
        if (out.head)
            ({ status, headers } = out.head);
        body += Buffer.concat(out.body).toString("latin1");
        if (out.complete)
            complete = true;
    }
    return { status, headers, body, complete, keepAlive: p.keepAlive };
}
describe("ResponseParser", () => {
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
    it("reads a Content-Length body, however the bytes are split", () => {
        for (const step of [1, 2, 7, 1000]) {
            const r = parse("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}", step);
            assert.deepEqual([r.status, r.headers?.["content-type"], r.body, r.complete, r.keepAlive], [201, "application/json", '{"a":"bcd"}', true, true]);
        }
    });
    it("decodes chunked bodies, with extensions and trailers, however the bytes are split", () => {
        for (const step of [1, 3, 5, 1000]) {
            const r = parse(chunked, step);
            assert.deepEqual([r.status, r.body, r.complete, r.headers?.["x-a"]], [200, "hello, world", true, "1, 2"]);
        }
    });
    it("is not complete before the last chunk", () => {
        const r = parse(chunked.slice(0, chunked.indexOf("0\r\n")), 4);
        assert.deepEqual([r.body, r.complete], ["hello, world", false]);
    });
    it("reads to the connection's end without a length, and does not keep that connection", () => {
        const r = parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome log\n", 4);
        assert.deepEqual([r.body, r.complete, r.keepAlive], ["some log\n", false, false]);
    });
    it("knows responses without a body", () => {
        assert.deepEqual(parse("HTTP/1.1 204 No Content\r\n\r\n", 3).complete, true);
        assert.deepEqual(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 100).complete, true);
        const head = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 100, true);
        assert.deepEqual([head.complete, head.body], [true, ""]);
    });
    it("honours Connection: close and HTTP/1.0", () => {
        assert.equal(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 100).keepAlive, false);
        assert.equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100).keepAlive, false);
        assert.equal(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 100).keepAlive, true);
    });
    it("rejects what is not HTTP", () => {
        assert.throws(() => parse("SSH-2.0-OpenSSH\r\n\r\n", 100), /malformed HTTP response/);
        assert.throws(() => parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100), /malformed chunk size/);
    });
});
describe("UnixHttp against node's server", () => {
    let dir;
    let server;
    let connections = 0;
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "nodelet-unix-http-"));
        server = createServer((req, res) => {
            const chunks = [];
            req.on("data", (c) => chunks.push(c));
            req.on("end", () => {
                if (req.url === "/stream") {
                    res.writeHead(200, { "Content-Type": "text/plain" });
                    res.write("one\n");
                    setTimeout(() => res.end("two\n"), 20);
                }
                else if (req.url === "/hang") {
                    res.writeHead(200);
                    res.write("started\n");
                }
                else if (req.url === "/never") {
                    // no answer
                }
                else {
                    res.writeHead(200, { "Content-Type": "application/json" });
                    res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), type: req.headers["content-type"] ?? null }));
                }
            });
        });
        server.on("connection", () => connections++);
        await new Promise((r) => server.listen(join(dir, "s.sock"), r));
    });
    after(async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        rmSync(dir, { recursive: true, force: true });
    });
    const send = (h, method, path, body) => new Promise((resolve, reject) => {
        const req = h.request({ method, path, headers: body ? { "Content-Type": "application/json" } : {} }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ res, text }));
            res.on("error", reject);
        });
        req.on("error", reject);
        req.end(body === undefined ? undefined : Buffer.from(body));
    });
    it("sends bodies, reads answers and keeps the connection for the next request", async () => {
        const h = new UnixHttp(join(dir, "s.sock"));
        const before = connections;
        const a = await send(h, "POST", "/a?x=1", '{"k":"v"}');
        assert.equal(a.res.statusCode, 200);
        assert.deepEqual(JSON.parse(a.text), { method: "POST", url: "/a?x=1", body: '{"k":"v"}', type: "application/json" });
        const b = await send(h, "DELETE", "/b", "{}");
        assert.equal(JSON.parse(b.text).method, "DELETE");
        const c = await send(h, "GET", "/stream");
        assert.equal(c.text, "one\ntwo\n");
        assert.equal(connections - before, 1, "one connection for the three requests");
        h.close();
    });
    it("destroying a request ends its response with an error, and before the answer the request errors", async () => {
        const h = new UnixHttp(join(dir, "s.sock"));
        await new Promise((resolve) => {
            const req = h.request({ method: "GET", path: "/hang", headers: {} }, (res) => {
                res.once("data", () => req.destroy());
                res.on("error", (err) => {
                    assert.equal(err.code, "ECONNRESET");
                    resolve();
                });
            });
            req.end();
        });
        await new Promise((resolve) => {
            const req = h.request({ method: "GET", path: "/never", headers: {} }, () => assert.fail("no answer expected"));
            req.on("error", (err) => {
                assert.equal(err.code, "ECONNRESET");
                resolve();
            });
            req.end();
            setTimeout(() => req.destroy(), 20);
        });
        h.close();
    });
    it("refuses a path or header that would break the framing", () => {
        const h = new UnixHttp(join(dir, "s.sock"));
        assert.throws(() => h.request({ method: "GET", path: "/a\r\nX: y", headers: {} }, () => undefined), /invalid character/);
        assert.throws(() => h.request({ method: "GET", path: "/", headers: { A: "b\nc" } }, () => undefined), /invalid character/);
    });
    it("reports a missing socket with its errno code", async () => {
        const h = new UnixHttp(join(dir, "nothing.sock"));
        const err = await send(h, "GET", "/").then(() => undefined, (e) => e);
        assert.equal(err?.code, "ENOENT");
    });
});
//# sourceMappingURL=unix-http.test.js.map