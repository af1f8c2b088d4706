import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Socket } from "node:net";
import { afterEach, describe, it } from "node:test";
import { encodePing, GOAWAY, PING, SpdyFrameParser } from "../../../src/wire/spdy-frames.js";
import { SpdySession } from "../../../src/wire/spdy-session.js";
import type { SpdyStream } from "../../../src/wire/spdy-stream.js";
import { attachSocket, socketTransport } from "../../../src/wire/transports.js";
import { readAll, sleep, socketPair } from "./socket-pair.js";

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

function attach(socket: Socket, session: SpdySession): SpdySession {
  attachSocket(socket, session);
  return session;
}

/** A client and a server session over a real socket pair; `onStream` handles server-side streams. */
async function sessions(onStream: (s: SpdyStream) => void): Promise<{ client: SpdySession; server: SpdySession; sockets: [Socket, Socket] }> {
  const [a, b] = await socketPair();
  open.push(a, b);
  const client = attach(a, new SpdySession(socketTransport(a), { role: "client" }));
  const server = attach(b, new SpdySession(socketTransport(b), { role: "server", onStream }));
  return { client, server, sockets: [a, b] };
}

/** Resolves when the stream has closed (at once if it already has: "close" fires only once). */
function closed(s: SpdyStream): Promise<void> {
  return s.closed ? Promise.resolve() : once(s, "close").then(() => undefined);
}

function replied(s: SpdyStream): Promise<void> {
  return s.replied ? Promise.resolve() : once(s, "reply").then(() => undefined);
}

// A bound for a hang, not a speed test: the 100-stream echo alone is ~20 MB of framing, seconds of CPU when the machine
// is loaded (10 s cancelled the suite at load 30).
describe("spdy session", { timeout: 120_000 }, () => {
  it("opens a stream, replies, carries data both ways and half-closes each side", async () => {
    let serverStream: SpdyStream | undefined;
    const { client, server } = await sessions((s) => {
      serverStream = s;
      s.reply();
      s.end(`hello ${s.headers["streamtype"]} ${s.headers["port"]}`);
    });
    const stream = client.openStream({ streamtype: "data", port: "80", requestid: "0" });
    await replied(stream);
    stream.end("from client");
    assert.equal((await readAll(stream)).toString(), "hello data 80");
    assert.equal((await readAll(serverStream!)).toString(), "from client");
    await Promise.all([closed(stream), closed(serverStream!)]);
    assert.equal(client.openStreams, 0);
    assert.equal(server.openStreams, 0);
  });

  it("multiplexes 100 concurrent echo streams of 100 KiB", async () => {
    const { client } = await sessions((s) => {
      s.reply();
      s.pipe(s);
    });
    const payloads = Array.from({ length: 100 }, () => randomBytes(100 * 1024));
    const echoes = payloads.map(async (p, i) => {
      const s = client.openStream({ streamtype: "data", requestid: String(i) });
      s.end(p);
      return readAll(s);
    });
    const got = await Promise.all(echoes);
    got.forEach((g, i) => assert.ok(g.equals(payloads[i]), `stream ${i}`));
  });

  it("resets: a destroyed stream closes its peer without a FIN", async () => {
    let serverStream: SpdyStream | undefined;
    const { client } = await sessions((s) => {
      serverStream = s;
      s.reply();
    });
    const s = client.openStream({ streamtype: "data" });
    await replied(s);
    s.destroy();
    await closed(serverStream!);
    assert.equal(serverStream!.readableEnded, false, "no FIN was seen, only the reset");
  });

  it("pauses the connection while a stream's buffer is full, and loses nothing", async () => {
    let serverStream: SpdyStream | undefined;
    const { client, sockets } = await sessions((s) => {
      serverStream = s;
      s.reply();
    });
    const data = randomBytes(8 << 20);
    const s = client.openStream({ streamtype: "data" });
    s.end(data);
    await sleep(300);
    const buffered = sockets[1].bytesRead;
    assert.ok(buffered < data.length / 2, `server read ${buffered} bytes without a reader`);
    assert.ok((await readAll(serverStream!)).equals(data));
  });

  it("echoes the peer's pings and ignores its own coming back", async () => {
    const [raw, b] = await socketPair();
    open.push(raw, b);
    attach(b, new SpdySession(socketTransport(b), { role: "server" }));
    const frames: number[] = [];
    const parser = new SpdyFrameParser({
      data: () => undefined,
      control: (type, _f, body) => frames.push(type, body.readUInt32BE(0)),
      error: (m) => assert.fail(m),
    });
    raw.on("data", (c: Buffer) => parser.push(c));
    raw.write(Buffer.concat([encodePing(1), encodePing(2), encodePing(3)]));
    // The answer to ping 3 comes after any answer to ping 2, so waiting for it shows whether 2 was echoed.
    for (const end = Date.now() + 5000; frames.length < 4 && Date.now() < end; ) await sleep(10);
    assert.deepEqual(frames, [PING, 1, PING, 3]);
  });

  it("answers garbage with GOAWAY and closes, aborting the open streams", async () => {
    const [raw, b] = await socketPair();
    open.push(raw, b);
    let closedWith: Error | undefined;
    attach(b, new SpdySession(socketTransport(b), { role: "server", onClose: (e) => (closedWith = e) }));
    const types: number[] = [];
    const parser = new SpdyFrameParser({ data: () => undefined, control: (t) => types.push(t), error: () => undefined });
    raw.on("data", (c: Buffer) => parser.push(c));
    raw.write(Buffer.from([0x80, 9, 0, 1, 0, 0, 0, 0]));
    await once(raw, "end");
    assert.deepEqual(types, [GOAWAY]);
    assert.match(String(closedWith), /unsupported SPDY version/);
  });

  it("aborts every stream when the connection drops", async () => {
    const streams: SpdyStream[] = [];
    const { client, sockets } = await sessions((s) => {
      streams.push(s);
      s.reply();
    });
    for (let i = 0; i < 5; i++) await replied(client.openStream({ streamtype: "data", requestid: String(i) }));
    sockets[0].destroy();
    await Promise.all(streams.map(closed));
  });
});
