/**
 * The API server's bounds, over its real unix-socket listener with small limits: a slowloris header is cut, an idle
 * keep-alive connection is closed, connections beyond the bound are refused, a client's watches are counted and a
 * watcher that stops reading is closed; while a watch, a followed log and an exec stream outlive every timeout.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { PassThrough } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startTestServer, storePod, testPod } from "./harness.js";
const LIMITS = {
    headersTimeoutMs: 400,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 300,
    timeoutCheckIntervalMs: 100,
    maxConnections: 8,
    maxWatchesPerClient: 3,
    maxWatchBacklogBytes: 256 * 1024,
};
function open(path) {
    return new Promise((resolve, reject) => {
        const s = connect(path, () => resolve(s));
        s.once("error", reject);
    });
}
/** Resolves with the ms until the peer closes `s` (or rejects after `ms`). */
function closedWithin(s, ms) {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        if (s.destroyed)
            return resolve(0);
        const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
        s.once("close", () => {
            clearTimeout(timer);
            resolve(Date.now() - t0);
        });
        s.on("error", () => undefined);
        s.resume();
    });
}
/** The JS memory that stays after a full collection (heap, external and array buffers), bytes. */
function retained() {
    setFlagsFromString("--expose-gc");
    runInNewContext("gc")();
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
}
const get = (path, extra = "") => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
/** Collects what arrives on `s` as text. */
function collect(s) {
    let data = "";
    s.on("data", (d) => (data += d.toString()));
    return { text: () => data };
}
async function until(cond, ms, what) {
    const deadline = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}
describe("API server bounds", () => {
    let t;
    let internalWatches = 0;
    const sockets = [];
    const track = (s) => (sockets.push(s), s);
    before(async () => {
        t = await startTestServer({ limits: LIMITS, storeOptions: { historyBytes: 1024 * 1024 } });
        internalWatches = t.store.watcherCount; // the server's own: the namespace reaper's, the RBAC policy index's
        storePod(t.store, testPod("web", { phase: "Running" }));
    });
    after(async () => {
        sockets.forEach((s) => s.destroy());
        await t.close();
    });
    it("a slowloris header (a line every 100 ms, never finished) is cut after the header timeout", async () => {
        const s = track(await open(t.socketPath));
        const seen = collect(s);
        let reset = false;
        s.on("error", (err) => (reset ||= err.code === "ECONNRESET" || err.code === "EPIPE"));
        s.write("GET /version HTTP/1.1\r\nHost: x\r\n");
        const drip = setInterval(() => !s.destroyed && s.write("X-Slow: yes\r\n"), 100);
        try {
            const ms = await closedWithin(s, 5000);
            // 400 ms of header timeout, checked every 100 ms, counted from the connection (before this timer started);
            // the upper bound leaves room for a loaded machine.
            assert.ok(ms >= 200 && ms < 3000, `cut after ${ms} ms`);
            // The server answers 408 and closes; a unix socket closed with unread bytes (the drip) may reach us as a
            // reset that overtakes the 408.
            assert.ok(/^HTTP\/1\.1 408/.test(seen.text()) || reset, `answered: ${JSON.stringify(seen.text().slice(0, 80))}`);
        }
        finally {
            clearInterval(drip);
        }
    });
    it("a connection that sends nothing, and an idle keep-alive connection, are closed", async () => {
        const silent = track(await open(t.socketPath));
        assert.ok((await closedWithin(silent, 5000)) < 3000);
        const idle = track(await open(t.socketPath));
        const seen = collect(idle);
        idle.write(get("/version"));
        await until(() => seen.text().includes("gitVersion"), 2000, "the answer");
        assert.ok((await closedWithin(idle, 5000)) < 3000, "closed after keepAliveTimeout");
    });
    it("connections beyond maxConnections are closed as they arrive; a freed slot is usable again", async () => {
        // A server of its own with the default (32 s) header timeout: a quick close can only be the connection bound.
        const own = await startTestServer({ limits: { maxConnections: 4 } });
        const held = [];
        try {
            for (let i = 0; i < 4; i++) {
                const s = track(await open(own.socketPath));
                s.write("GET /version HTTP/1.1\r\n"); // headers in progress: the server keeps it
                s.on("error", () => undefined);
                s.resume(); // so that a close by the server would be seen
                held.push(s);
            }
            await new Promise((r) => setTimeout(r, 100));
            const extra = track(await open(own.socketPath));
            assert.ok((await closedWithin(extra, 5000)) < 3000, "the connection over the bound is dropped at once");
            assert.equal(held.filter((s) => s.destroyed).length, 0, "the held ones are still open");
            held[0].destroy();
            await new Promise((r) => setTimeout(r, 100));
            const res = await own.client.raw("GET", "/version");
            assert.equal(res.status, 200);
        }
        finally {
            held.forEach((s) => s.destroy());
            await own.close();
        }
    });
    it("a watch, a followed log and an exec stream stay open past every timeout", async () => {
        t.io.exec = async () => ({
            stdin: new PassThrough(), stdout: new PassThrough(), stderr: null, resize: () => undefined,
            exit: new Promise(() => undefined), kill: () => undefined,
        });
        const watch = track(await open(t.socketPath));
        const w = collect(watch);
        watch.write(get("/api/v1/namespaces/default/configmaps?watch=1"));
        const log = track(await open(t.socketPath));
        log.write(get("/api/v1/namespaces/default/pods/web/log?follow=true"));
        const exec = track(await open(t.socketPath));
        const e = collect(exec);
        const ws = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n";
        exec.write(get("/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true", ws));
        await until(() => e.text().startsWith("HTTP/1.1 101"), 2000, "the exec upgrade");
        let closed = 0;
        for (const s of [watch, log, exec])
            s.once("close", () => closed++);
        // Three times the longest timeout, with nothing sent either way.
        await new Promise((r) => setTimeout(r, 3 * LIMITS.requestTimeoutMs));
        assert.equal(closed, 0, "no long-running stream was cut");
        t.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late", namespace: "default" }, data: {} });
        await until(() => w.text().includes('"name":"late"'), 2000, "the event on the old watch");
        [watch, log, exec].forEach((s) => s.destroy());
    });
    it("a client gets 429 TooManyRequests beyond its watches, and a slot back when one ends", async () => {
        await until(() => t.store.watcherCount <= internalWatches, 2000, "earlier watches to end");
        const watches = [];
        for (let i = 0; i < LIMITS.maxWatchesPerClient; i++) {
            const s = track(await open(t.socketPath));
            const seen = collect(s);
            s.write(get("/api/v1/namespaces/default/pods?watch=1"));
            await until(() => seen.text().startsWith("HTTP/1.1 200"), 2000, `watch ${i}`);
            watches.push(s);
        }
        const over = await t.client.raw("GET", "/api/v1/namespaces/default/pods", { query: { watch: "1" } });
        assert.equal(over.status, 429);
        assert.equal(over.headers["retry-after"], "1");
        const status = JSON.parse(over.body.toString());
        assert.equal(status.reason, "TooManyRequests");
        assert.equal(status.details.retryAfterSeconds, 1);
        watches[0].destroy();
        await until(() => t.store.watcherCount <= internalWatches - 1 + LIMITS.maxWatchesPerClient, 2000, "the closed watch to end");
        const again = track(await open(t.socketPath));
        const seen = collect(again);
        again.write(get("/api/v1/namespaces/default/pods?watch=1"));
        await until(() => seen.text().startsWith("HTTP/1.1 200"), 2000, "a watch in the freed slot");
        watches.forEach((s) => s.destroy());
        again.destroy();
    });
    it("a watcher that stops reading is closed once its backlog passes the bound; a big initial list is not cut", async () => {
        await until(() => t.store.watcherCount <= internalWatches, 2000, "earlier watches to end");
        const base = t.store.watcherCount;
        const big = "x".repeat(64 * 1024);
        for (let i = 0; i < 20; i++)
            t.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `init-${i}`, namespace: "default" }, data: { big } });
        // 20 x 64 KiB of initial events (over 1 MiB) at once: past the bound, yet delivered whole to a reader.
        const reader = track(await open(t.socketPath));
        const r = collect(reader);
        reader.write(get("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0"));
        await until(() => (r.text().match(/"type":"ADDED"/g) ?? []).length === 21, 10_000, "all initial events");
        reader.destroy();
        await until(() => t.store.watcherCount === base, 2000, "the reader's watch to end");
        const before = retained();
        const sleeper = track(await open(t.socketPath));
        sleeper.pause(); // never reads: the kernel buffer fills, then the server's queue
        sleeper.write(get("/api/v1/namespaces/default/configmaps?watch=1"));
        await until(() => t.store.watcherCount === base + 1, 2000, "the sleeper's watch");
        let closedAt = -1;
        for (let i = 0; i < 200; i++) {
            t.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `burst-${i}`, namespace: "default" }, data: { big } });
            await new Promise((r) => setImmediate(r));
            if (closedAt < 0 && t.store.watcherCount === base)
                closedAt = i;
        }
        const grew = (retained() - before) / 2 ** 20;
        assert.ok(closedAt >= 0, "the sleeper's watch was closed");
        // The kernel holds a few hundred KiB of a unix socket; beyond that and the 256 KiB bound, nothing was queued.
        assert.ok(closedAt * 64 < 256 + 2048, `closed after ${closedAt * 64} KiB of events`);
        // 12.5 MiB of events were made; what stays is the store's 1 MiB history and change.
        assert.ok(grew < 5, `retained memory grew by ${grew.toFixed(1)} MiB`);
    });
});
//# sourceMappingURL=http-bounds.test.js.map