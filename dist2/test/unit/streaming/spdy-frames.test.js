import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { constants, createDeflate, createInflate } from "node:zlib";
import { SPDY_DICTIONARY } from "../../../src/wire/spdy-dictionary.js";
import { encodeDataHeader, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, FLAG_FIN, GOAWAY, parseStreamControl, parseTwoWords, PING, RST_CANCEL, RST_STREAM, SpdyFrameParser, SYN_REPLY, SYN_STREAM, } from "../../../src/wire/spdy-frames.js";
import { decodeHeaderBlock, DICTIONARY_ID, encodeHeaderBlock, HeaderDeflater, HeaderInflater, } from "../../../src/wire/spdy-headers.js";
import { dataFrames } from "../../../src/wire/spdy-stream.js";
function parseAll(wire, step = wire.length) {
    const events = [];
    const errors = [];
    const parser = new SpdyFrameParser({
        data: (id, data, fin) => {
            const last = events[events.length - 1];
            // merge pieces of one frame for easier assertions
            if (last?.kind === "data" && last.id === id && !last.fin && data.length)
                last.data = Buffer.concat([last.data, data]);
            else
                events.push({ kind: "data", id, data: Buffer.from(data), fin });
            if (fin)
                events[events.length - 1].fin = true;
        },
        control: (type, flags, body) => events.push({ kind: "control", type, flags, body: Buffer.from(body) }),
        error: (m) => errors.push(m),
    });
    for (let off = 0; off < wire.length; off += step)
        parser.push(wire.subarray(off, off + step));
    return { events, errors };
}
describe("spdy frames", () => {
    it("lays out control and data frames as SPDY/3 says", () => {
        assert.deepEqual([...encodePing(7)], [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 7]);
        assert.deepEqual([...encodeRstStream(5, RST_CANCEL)], [0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 5]);
        assert.deepEqual([...encodeDataHeader(3, 0x010203, true)], [0, 0, 0, 3, 1, 1, 2, 3]);
        const syn = encodeSynStream(1, Buffer.from("hb"), FLAG_FIN);
        assert.deepEqual([...syn.subarray(0, 8)], [0x80, 3, 0, 1, 1, 0, 0, 12]);
        assert.deepEqual(parseStreamControl(SYN_STREAM, syn.subarray(8)), { streamId: 1, headerBlock: Buffer.from("hb") });
    });
    it("parses a frame sequence fed whole or one byte at a time", () => {
        const payload = randomBytes(5000);
        const wire = Buffer.concat([
            encodeSynReply(1, Buffer.from("abc")),
            encodeDataHeader(1, payload.length, false),
            payload,
            encodeDataHeader(1, 0, true),
            encodePing(9),
            encodeGoAway(7, 0),
        ]);
        for (const step of [wire.length, 1, 13]) {
            const { events, errors } = parseAll(wire, step);
            assert.deepEqual(errors, []);
            assert.equal(events.length, 5);
            assert.deepEqual(events[0], { kind: "control", type: SYN_REPLY, flags: 0, body: Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from("abc")]) });
            assert.ok(events[1].kind === "data" && events[1].data.equals(payload) && !events[1].fin);
            assert.deepEqual(events[2], { kind: "data", id: 1, data: Buffer.alloc(0), fin: true });
            assert.ok(events[3].kind === "control" && events[3].type === PING);
            assert.ok(events[4].kind === "control" && events[4].type === GOAWAY);
            assert.deepEqual(parseTwoWords(events[4].body), [7, 0]);
        }
    });
    it("marks FIN on the last piece of a DATA frame carrying data", () => {
        const wire = Buffer.concat([encodeDataHeader(3, 4, true), Buffer.from("tail")]);
        const { events } = parseAll(wire, 2);
        assert.deepEqual(events, [{ kind: "data", id: 3, data: Buffer.from("tail"), fin: true }]);
    });
    it("rejects other SPDY versions and DATA on stream 0", () => {
        const v2 = Buffer.from([0x80, 2, 0, RST_STREAM, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1]);
        assert.equal(parseAll(v2).errors.length, 1);
        assert.equal(parseAll(encodeDataHeader(0, 0, false)).errors.length, 1);
    });
    it("coalesces queued chunks into frames of at most 1 MiB without copying", () => {
        const a = Buffer.alloc(10);
        const frames = dataFrames(5, [a, Buffer.alloc(3 << 20), Buffer.alloc(5)]);
        assert.equal(frames[1], a, "payload buffers are passed through");
        const lengths = [];
        for (let i = 0; i < frames.length;) {
            const len = frames[i].readUInt32BE(4) & 0xffffff;
            lengths.push(len);
            let got = 0;
            for (i++; got < len; i++)
                got += frames[i].length;
            assert.equal(got, len);
        }
        assert.deepEqual(lengths, [1 << 20, 1 << 20, 1 << 20, 15]);
    });
});
describe("spdy header blocks", () => {
    it("has the 1423-byte SPDY/3 dictionary whose Adler-32 kubectl announces", () => {
        assert.equal(SPDY_DICTIONARY.length, 1423);
        assert.equal(DICTIONARY_ID, 0xe3c6a7c2);
    });
    it("encodes and decodes name/value blocks", () => {
        const h = { streamtype: "data", port: "8080", requestid: "0" };
        assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock(h)), h);
        assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({})), {});
        assert.throws(() => decodeHeaderBlock(encodeHeaderBlock(h).subarray(0, 10)), /truncated/);
    });
    it("our compressor and decompressor agree over many blocks (window carried across blocks)", () => {
        const out = new HeaderDeflater();
        const back = new HeaderInflater();
        for (let i = 0; i < 300; i++) {
            const h = { streamtype: i % 2 ? "data" : "error", port: String(8000 + (i % 7)), requestid: String(i), pad: "x".repeat(i * 37) };
            assert.deepEqual(back.inflate(out.deflate(h)), h);
        }
    });
    it("our blocks form one zlib stream a persistent inflater (like Go's) reads", async () => {
        const out = new HeaderDeflater();
        const blocks = Array.from({ length: 50 }, (_, i) => ({ streamtype: "stdout", requestid: String(i) }));
        const inflate = createInflate({ dictionary: SPDY_DICTIONARY });
        const chunks = [];
        inflate.on("data", (c) => chunks.push(c));
        for (const h of blocks)
            inflate.write(out.deflate(h));
        await new Promise((resolve) => inflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
        assert.ok(Buffer.concat(chunks).equals(Buffer.concat(blocks.map(encodeHeaderBlock))));
        inflate.destroy();
    });
    it("reads blocks from a persistent deflater with sync flushes (what spdystream's Framer sends)", async () => {
        const deflate = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
        const back = new HeaderInflater();
        for (let i = 0; i < 50; i++) {
            const h = { streamtype: i % 3 ? "data" : "error", port: "80", requestid: String(i >> 1) };
            const chunks = [];
            const onData = (c) => chunks.push(c);
            deflate.on("data", onData);
            deflate.write(encodeHeaderBlock(h));
            await new Promise((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
            deflate.off("data", onData);
            assert.deepEqual(back.inflate(Buffer.concat(chunks)), h);
        }
        deflate.destroy();
    });
    it("refuses a zlib stream made with another dictionary", () => {
        const block = Buffer.from([0x78, 0xbb, 1, 2, 3, 4, 0, 0]);
        assert.throws(() => new HeaderInflater().inflate(block), /unknown zlib dictionary/);
    });
});
//# sourceMappingURL=spdy-frames.test.js.map