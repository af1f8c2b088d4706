/**
 * HTTP/1.1 over the daemon's unix socket, written directly on node:net: what ApiClient needs of node:http
 * (requests with a body or none; responses framed by Content-Length, chunked encoding or the connection's end;
 * kept-alive connections), without loading node:http and running its general machinery cold. That was ~1.5 ms of
 * module loading and ~5 ms more on the first request of every CLI command (`nodelet run` is timed against podman).
 *
 * One request at a time per connection. An idle connection is reused for the next request if it is younger than
 * the server's keep-alive timeout allows, and never holds the process open. destroy() on a request in flight closes
 * its connection; its response, if unfinished, then errors with ECONNRESET (as node's does).
 */
import { connect } from "node:net";
import { Readable } from "node:stream";
/** Reuse an idle connection only this long: node's http server closes idle ones after 5 s. */
const IDLE_REUSE_MS = 2000;
export class UnixHttp {
    socketPath;
    idle = [];
    constructor(socketPath) {
        this.socketPath = socketPath;
    }
    /** Throws, as node:http does, on a path or header that would break the request's framing (CR, LF). */
    request(opts, onResponse) {
        for (const text of [opts.path, ...Object.keys(opts.headers), ...Object.values(opts.headers)]) {
            if (/[\r\n]/.test(text))
                throw new TypeError(`invalid character in HTTP request: ${JSON.stringify(text)}`);
        }
        return new Exchange(this, opts, onResponse);
    }
    /** A kept-alive connection, or a new one. */
    socket() {
        const now = Date.now();
        for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
            if (!entry.socket.destroyed && now - entry.since < IDLE_REUSE_MS) {
                entry.socket.removeAllListeners("close");
                entry.socket.removeAllListeners("error");
                entry.socket.ref();
                return { socket: entry.socket, reused: true };
            }
            entry.socket.destroy();
        }
        return { socket: connect(this.socketPath), reused: false };
    }
    /** Takes back a connection whose response ended cleanly. */
    release(socket) {
        socket.removeAllListeners("data");
        socket.removeAllListeners("error");
        socket.removeAllListeners("end");
        socket.removeAllListeners("close");
        socket.on("error", () => socket.destroy());
        socket.on("close", () => (this.idle = this.idle.filter((e) => e.socket !== socket)));
        socket.unref();
        this.idle.push({ socket, since: Date.now() });
    }
    /** Closes every idle connection. */
    close() {
        for (const e of this.idle.splice(0))
            e.socket.destroy();
    }
}
class Exchange {
    pool;
    opts;
    onResponse;
    headers;
    socket;
    errorListeners = [];
    response;
    parser;
    done = false;
    constructor(pool, opts, onResponse) {
        this.pool = pool;
        this.opts = opts;
        this.onResponse = onResponse;
        this.headers = { Host: "localhost", ...opts.headers };
    }
    on(_event, listener) {
        this.errorListeners.push(listener);
        return this;
    }
    setHeader(name, value) {
        if (/[\r\n]/.test(`${name}${value}`))
            throw new TypeError(`invalid character in HTTP header ${JSON.stringify(name)}`);
        this.headers[name] = String(value);
        return this;
    }
    end(body) {
        if (this.done)
            return this;
        if (body !== undefined)
            this.headers["Content-Length"] = String(body.length);
        const { socket } = this.pool.socket();
        this.socket = socket;
        this.parser = new ResponseParser(this.opts.method === "HEAD");
        socket.on("data", (chunk) => this.onData(chunk));
        socket.on("error", (err) => this.fail(err));
        socket.on("close", () => this.fail(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
        let head = `${this.opts.method} ${this.opts.path} HTTP/1.1\r\n`;
        for (const [k, v] of Object.entries(this.headers))
            head += `${k}: ${v}\r\n`;
        head += "\r\n";
        socket.write(body && body.length ? Buffer.concat([Buffer.from(head, "latin1"), body]) : head);
        return this;
    }
    destroy() {
        this.fail(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true);
        return this;
    }
    onData(chunk) {
        if (this.done || !this.parser)
            return;
        let out;
        try {
            out = this.parser.feed(chunk);
        }
        catch (err) {
            return this.fail(err);
        }
        if (out.head && !this.response) {
            const res = new Readable({ read() { } });
            res.statusCode = out.head.status;
            res.headers = out.head.headers;
            this.response = res;
            this.onResponse(res);
        }
        for (const b of out.body)
            this.response?.push(b);
        if (out.complete)
            this.finish();
    }
    /** The whole response is in: end its stream and hand the connection back (or close it). */
    finish() {
        this.done = true;
        const socket = this.socket;
        if (this.parser.keepAlive)
            this.pool.release(socket);
        else
            socket.destroy();
        this.response?.push(null);
    }
    /**
     * The connection failed or closed before the response was complete, or destroy() was called: the response errors
     * or, before there is one, the request does (on the next tick, as node's do, so a listener that destroys the
     * request itself sees its own code run first).
     */
    fail(err, destroyed = false) {
        if (this.done)
            return;
        this.done = true;
        this.socket?.destroy();
        // A body read to the connection's end is complete when the connection ends.
        if (this.response && this.parser?.untilClose && !destroyed) {
            this.response.push(null);
            return;
        }
        if (this.response) {
            this.response.destroy(err);
            return;
        }
        process.nextTick(() => {
            for (const l of this.errorListeners)
                l(err);
        });
    }
}
/**
 * Incremental parser of one HTTP/1.1 response: the head, then the body as framed by Transfer-Encoding: chunked,
 * Content-Length, or the connection's end. Pure (no I/O): feed() returns what each chunk completed.
 */
export class ResponseParser {
    headRequest;
    buf = Buffer.alloc(0);
    head;
    /** Bytes of body (Content-Length) or of the current chunk still to come. */
    remaining = 0;
    mode = "none";
    chunkState = "size";
    complete = false;
    keepAlive = true;
    constructor(headRequest = false) {
        this.headRequest = headRequest;
    }
    get untilClose() {
        return this.mode === "close";
    }
    feed(chunk) {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        const body = [];
        let head;
        if (!this.head) {
            const end = this.buf.indexOf("\r\n\r\n");
            if (end < 0)
                return { body, complete: false };
            head = this.head = this.parseHead(this.buf.subarray(0, end).toString("latin1"));
            this.buf = this.buf.subarray(end + 4);
        }
        if (!this.complete)
            this.readBody(body);
        return { head, body, complete: this.complete };
    }
    parseHead(text) {
        const [statusLine, ...lines] = text.split("\r\n");
        const m = /^HTTP\/1\.([01]) (\d{3})/.exec(statusLine);
        if (!m)
            throw new Error(`malformed HTTP response: ${JSON.stringify(statusLine.slice(0, 80))}`);
        const status = Number(m[2]);
        const headers = {};
        for (const line of lines) {
            const colon = line.indexOf(":");
            if (colon <= 0)
                continue;
            const name = line.slice(0, colon).trim().toLowerCase();
            const value = line.slice(colon + 1).trim();
            const prev = headers[name];
            if (name === "set-cookie")
                headers[name] = [...(prev ?? []), value];
            else
                headers[name] = prev === undefined ? value : `${prev}, ${value}`;
        }
        const connection = String(headers.connection ?? "").toLowerCase();
        this.keepAlive = m[1] === "1" ? connection !== "close" : connection === "keep-alive";
        const te = String(headers["transfer-encoding"] ?? "").toLowerCase();
        if (this.headRequest || status === 204 || status === 304 || (status >= 100 && status < 200))
            this.mode = "none";
        else if (te.includes("chunked"))
            this.mode = "chunked";
        else if (headers["content-length"] !== undefined) {
            this.mode = "length";
            this.remaining = Number(headers["content-length"]);
            if (!Number.isSafeInteger(this.remaining) || this.remaining < 0)
                throw new Error(`malformed Content-Length: ${String(headers["content-length"])}`);
        }
        else {
            this.mode = "close";
            this.keepAlive = false;
        }
        if (this.mode === "none" || (this.mode === "length" && this.remaining === 0))
            this.complete = true;
        return { status, headers };
    }
    readBody(out) {
        if (this.mode === "close") {
            if (this.buf.length)
                out.push(this.buf);
            this.buf = Buffer.alloc(0);
            return;
        }
        if (this.mode === "length") {
            const take = this.buf.subarray(0, this.remaining);
            if (take.length)
                out.push(take);
            this.remaining -= take.length;
            this.buf = this.buf.subarray(take.length);
            if (this.remaining === 0)
                this.complete = true;
            return;
        }
        this.readChunks(out);
    }
    readChunks(out) {
        for (;;) {
            if (this.chunkState === "data") {
                const take = this.buf.subarray(0, this.remaining);
                if (take.length)
                    out.push(take);
                this.remaining -= take.length;
                this.buf = this.buf.subarray(take.length);
                if (this.remaining > 0)
                    return;
                this.chunkState = "data-crlf";
            }
            const eol = this.buf.indexOf("\r\n");
            if (eol < 0)
                return;
            const line = this.buf.subarray(0, eol).toString("latin1");
            this.buf = this.buf.subarray(eol + 2);
            if (this.chunkState === "data-crlf") {
                this.chunkState = "size";
                continue;
            }
            if (this.chunkState === "trailer") {
                if (line === "") {
                    this.complete = true;
                    return;
                }
                continue;
            }
            const size = parseInt(line.split(";")[0].trim(), 16);
            if (!Number.isFinite(size) || size < 0)
                throw new Error(`malformed chunk size: ${JSON.stringify(line.slice(0, 40))}`);
            if (size === 0)
                this.chunkState = "trailer";
            else {
                this.remaining = size;
                this.chunkState = "data";
            }
        }
    }
}
//# sourceMappingURL=unix-http.js.map