import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { applyMask, CLOSE_PROTOCOL_ERROR, decodeClosePayload, encodeClosePayload, encodeFrameHeader, FrameParser, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT, } from "../../../src/wire/websocket-frames.js";
import { acceptKey, selectProtocol } from "../../../src/wire/websocket-handshake.js";
/** A frame as a client (masked) or server (unmasked) would put it on the wire. */
function frame(opcode, payload, opts = {}) {
    const mask = opts.mask ? randomBytes(4) : undefined;
    const body = Buffer.from(payload);
    if (mask)
        applyMask(body, mask);
    return Buffer.concat([encodeFrameHeader(opcode, payload.length, opts.fin ?? true, mask), body]);
}
/** Parses `wire` fed in pieces of `step` bytes; reassembles data messages from their pieces. */
function parse(wire, expectMasked, step = wire.length) {
    const seen = { messages: [], controls: [], errors: [], pieces: 0 };
    let current = [];
    const parser = new FrameParser({
        data(opcode, payload, first, last) {
            seen.pieces++;
            if (first)
                current = [];
            current.push(Buffer.from(payload));
            if (last)
                seen.messages.push({ opcode, data: Buffer.concat(current) });
        },
        control: (opcode, data) => seen.controls.push({ opcode, data: Buffer.from(data) }),
        error: (code, message) => seen.errors.push({ code, message }),
    }, expectMasked);
    const copy = Buffer.from(wire); // the parser unmasks in place
    for (let off = 0; off < copy.length; off += step)
        parser.push(copy.subarray(off, off + step));
    return seen;
}
describe("websocket frames", () => {
    it("encodes the three length forms (7-bit, 16-bit, 64-bit)", () => {
        assert.deepEqual([...encodeFrameHeader(OP_BINARY, 125)], [0x82, 125]);
        assert.deepEqual([...encodeFrameHeader(OP_BINARY, 126)], [0x82, 126, 0, 126]);
        assert.deepEqual([...encodeFrameHeader(OP_BINARY, 65535)], [0x82, 126, 0xff, 0xff]);
        assert.deepEqual([...encodeFrameHeader(OP_BINARY, 65536)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
        assert.deepEqual([...encodeFrameHeader(OP_TEXT, 2 ** 32 + 5, false)], [0x01, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
        const masked = encodeFrameHeader(OP_BINARY, 3, true, Buffer.from([1, 2, 3, 4]));
        assert.deepEqual([...masked], [0x82, 0x83, 1, 2, 3, 4]);
    });
    for (const size of [0, 1, 125, 126, 127, 65535, 65536, 300_000]) {
        it(`round-trips a masked ${size}-byte binary message, fed whole and byte-split`, () => {
            const payload = randomBytes(size);
            const wire = frame(OP_BINARY, payload, { mask: true });
            for (const step of size > 70_000 ? [wire.length, 4093] : [wire.length, 1, 3, 7]) {
                const seen = parse(wire, true, step);
                assert.deepEqual(seen.errors, []);
                assert.equal(seen.messages.length, 1);
                assert.equal(seen.messages[0].opcode, OP_BINARY);
                assert.ok(seen.messages[0].data.equals(payload));
            }
        });
    }
    it("reassembles fragmented messages with a ping in between, every split", () => {
        const parts = [randomBytes(10), randomBytes(200), randomBytes(0), randomBytes(70_000)];
        const wire = Buffer.concat([
            frame(OP_TEXT, parts[0], { fin: false, mask: true }),
            frame(OP_CONTINUATION, parts[1], { fin: false, mask: true }),
            frame(OP_PING, Buffer.from("keepalive"), { mask: true }),
            frame(OP_CONTINUATION, parts[2], { fin: false, mask: true }),
            frame(OP_CONTINUATION, parts[3], { fin: true, mask: true }),
            frame(OP_BINARY, Buffer.from("next"), { mask: true }),
        ]);
        for (const step of [wire.length, 1, 5, 1000]) {
            const seen = parse(wire, true, step);
            assert.deepEqual(seen.errors, []);
            assert.equal(seen.messages.length, 2);
            assert.equal(seen.messages[0].opcode, OP_TEXT);
            assert.ok(seen.messages[0].data.equals(Buffer.concat(parts)));
            assert.equal(seen.messages[1].data.toString(), "next");
            assert.deepEqual(seen.controls.map((c) => [c.opcode, c.data.toString()]), [[OP_PING, "keepalive"]]);
        }
    });
    it("streams large payloads in pieces instead of buffering them", () => {
        const wire = frame(OP_BINARY, randomBytes(1 << 20));
        const seen = parse(wire, false, 65536);
        assert.equal(seen.messages.length, 1);
        assert.ok(seen.pieces >= 16, `expected the payload in pieces, got ${seen.pieces}`);
    });
    it("reports an empty message as one piece", () => {
        const seen = parse(frame(OP_BINARY, Buffer.alloc(0)), false);
        assert.equal(seen.messages.length, 1);
        assert.equal(seen.messages[0].data.length, 0);
    });
    const bad = [
        ["an unmasked client frame", frame(OP_BINARY, Buffer.from("x")), true],
        ["a masked server frame", frame(OP_BINARY, Buffer.from("x"), { mask: true }), false],
        ["reserved bits (no extensions)", Buffer.from([0xc2, 0x80, 0, 0, 0, 0]), true],
        ["a fragmented control frame", frame(OP_PING, Buffer.alloc(1), { fin: false, mask: true }), true],
        ["a control frame over 125 bytes", frame(OP_PING, Buffer.alloc(126), { mask: true }), true],
        ["a continuation without a message", frame(OP_CONTINUATION, Buffer.alloc(1), { mask: true }), true],
        ["an unknown opcode", frame(0x3, Buffer.alloc(1), { mask: true }), true],
    ];
    for (const [what, wire, server] of bad) {
        it(`rejects ${what} with 1002 and stops parsing`, () => {
            const seen = parse(Buffer.concat([wire, frame(OP_BINARY, Buffer.from("after"), { mask: server })]), server);
            assert.equal(seen.errors.length, 1);
            assert.equal(seen.errors[0].code, CLOSE_PROTOCOL_ERROR);
            assert.equal(seen.messages.length, 0);
        });
    }
    it("masks like the byte-wise definition at every alignment and phase", () => {
        const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
        const backing = randomBytes(200);
        for (let start = 0; start < 8; start++) {
            for (let phase = 0; phase < 4; phase++) {
                const view = Buffer.from(backing).subarray(start, start + 150);
                const expected = Buffer.from(view.map((b, i) => b ^ mask[(phase + i) & 3]));
                applyMask(view, mask, phase);
                assert.ok(view.equals(expected), `start ${start} phase ${phase}`);
            }
        }
    });
    it("encodes and decodes close payloads", () => {
        assert.deepEqual(decodeClosePayload(encodeClosePayload(1000)), { code: 1000, reason: "" });
        assert.deepEqual(decodeClosePayload(encodeClosePayload(1002, "bad")), { code: 1002, reason: "bad" });
        assert.deepEqual(decodeClosePayload(Buffer.alloc(0)), { code: undefined, reason: "" });
        const seen = parse(frame(OP_CLOSE, encodeClosePayload(1000), { mask: true }), true);
        assert.equal(seen.controls[0].opcode, OP_CLOSE);
    });
});
describe("websocket handshake", () => {
    it("computes Sec-WebSocket-Accept as in RFC 6455 §1.3", () => {
        assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    });
    it("selects the client's first supported protocol, including ones with '/'", () => {
        const supported = ["SPDY/3.1+portforward.k8s.io", "v4.channel.k8s.io", ""];
        assert.equal(selectProtocol(["SPDY/3.1+portforward.k8s.io"], supported), "SPDY/3.1+portforward.k8s.io");
        assert.equal(selectProtocol(["v5.channel.k8s.io", "v4.channel.k8s.io"], supported), "v4.channel.k8s.io");
        assert.equal(selectProtocol([], supported), "");
        assert.equal(selectProtocol([], ["v5.channel.k8s.io"]), null);
        assert.equal(selectProtocol(["nope"], supported), null);
    });
});
//# sourceMappingURL=websocket-frames.test.js.map