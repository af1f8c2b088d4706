import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, describe, it } from "node:test";
import { ChannelConn, framingFor } from "../../../src/wire/channel-conn.js";
import { WsConnection } from "../../../src/wire/websocket-conn.js";
import { applyMask, encodeFrameHeader, FrameParser, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, } from "../../../src/wire/websocket-frames.js";
import { readAll, sleep, socketPair } from "./socket-pair.js";
const open = [];
afterEach(() => {
    for (const s of open.splice(0))
        s.destroy();
});
async function pair() {
    const [a, b] = await socketPair();
    open.push(a, b);
    return { client: new WsConnection(a, "client"), server: new WsConnection(b, "server"), sockets: [a, b] };
}
function closedInfo(ws, onData = () => undefined) {
    return new Promise((resolve) => ws.start({ data: (op, p) => onData(op, Buffer.from(p)), closed: resolve }));
}
/** Frames a raw client socket receives. */
function rawFrames(socket) {
    const seen = [];
    const parser = new FrameParser({
        data: (opcode, payload) => seen.push({ opcode, payload: Buffer.from(payload) }),
        control: (opcode, payload) => seen.push({ opcode, payload: Buffer.from(payload) }),
        error: (_c, m) => assert.fail(m),
    }, false);
    socket.on("data", (c) => parser.push(c));
    return seen;
}
function masked(opcode, payload) {
    const mask = randomBytes(4);
    const body = Buffer.from(payload);
    applyMask(body, mask);
    return Buffer.concat([encodeFrameHeader(opcode, body.length, true, mask), body]);
}
describe("websocket connection", () => {
    it("carries masked client data and unmasked server data, then closes with 1000 on both sides", async () => {
        const { client, server } = await pair();
        const fromClient = [];
        const fromServer = [];
        const serverClosed = closedInfo(server, (_op, p) => fromClient.push(p));
        const clientClosed = closedInfo(client, (_op, p) => fromServer.push(p));
        const big = randomBytes(300_000);
        client.sendBinary(Buffer.from("a"), big);
        server.sendBinary(Buffer.from("reply"));
        await sleep(50);
        server.close(1000);
        const [s, c] = await Promise.all([serverClosed, clientClosed]);
        assert.ok(Buffer.concat(fromClient).equals(Buffer.concat([Buffer.from("a"), big])));
        assert.equal(Buffer.concat(fromServer).toString(), "reply");
        assert.equal(c.code, 1000, "the client saw the server's Close");
        assert.equal(s.code, 1000, "the server saw the client's answering Close");
    });
    it("answers pings with pongs carrying the same payload", async () => {
        const { server, sockets } = await pair();
        void closedInfo(server);
        const frames = rawFrames(sockets[0]);
        sockets[0].write(Buffer.concat([masked(OP_PING, Buffer.alloc(0)), masked(OP_PING, Buffer.from("xyz"))]));
        await sleep(50);
        assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[OP_PONG, ""], [OP_PONG, "xyz"]]);
    });
    it("reports an abrupt disconnect as a close without a code (1006)", async () => {
        const { server, sockets } = await pair();
        const closed = closedInfo(server);
        sockets[0].end();
        assert.equal((await closed).code, undefined);
    });
    it("closes with 1002 on a protocol violation", async () => {
        const { server, sockets } = await pair();
        const closed = closedInfo(server);
        const frames = rawFrames(sockets[0]);
        sockets[0].write(Buffer.concat([encodeFrameHeader(OP_BINARY, 1), Buffer.from("x")])); // unmasked from a client
        assert.match(String((await closed).error), /must be masked/);
        await sleep(20);
        assert.equal(frames[0].opcode, OP_CLOSE);
        assert.equal(frames[0].payload.readUInt16BE(0), 1002);
    });
});
describe("channel framing", () => {
    it("routes binary channel messages, honours the v5 close signal, and skips port prefixes", async () => {
        const { client, server } = await pair();
        const s = new ChannelConn(server, framingFor("v5.channel.k8s.io"));
        const c = new ChannelConn(client, framingFor("v5.channel.k8s.io"));
        const stdin = s.inbound(0);
        const resize = s.inbound(4);
        const gotStdin = readAll(stdin);
        const gotResize = [];
        resize.on("data", (d) => gotResize.push(d));
        s.start(() => undefined);
        const prefixed = c.inbound(1, 2);
        const gotOut = readAll(prefixed);
        c.start(() => undefined);
        const w = c.outbound(0, true);
        w.write("hello ");
        c.send(4, Buffer.from('{"Width":80,"Height":24}\n'));
        w.end("world");
        assert.equal((await gotStdin).toString(), "hello world", "stdin ended by [0xFF, 0]");
        assert.equal(Buffer.concat(gotResize).toString(), '{"Width":80,"Height":24}\n');
        s.send(1, Buffer.from([0x50, 0x00]));
        s.send(1, [Buffer.from("da"), Buffer.from("ta")]);
        server.close();
        assert.equal((await gotOut).toString(), "data");
    });
    it("speaks the base64 text framing", async () => {
        const { client, server, sockets } = await pair();
        const s = new ChannelConn(server, framingFor("base64.channel.k8s.io"));
        const gotStdin = readAll(s.inbound(0));
        s.start(() => undefined);
        const frames = rawFrames(sockets[0]);
        s.send(1, Buffer.from("out"));
        client.send(OP_TEXT, [Buffer.from("0" + Buffer.from("in!").toString("base64"))]);
        await sleep(50);
        server.close();
        assert.equal((await gotStdin).toString(), "in!");
        assert.deepEqual(frames[0], { opcode: OP_TEXT, payload: Buffer.from("1" + Buffer.from("out").toString("base64")) });
    });
});
//# sourceMappingURL=websocket-conn.test.js.map