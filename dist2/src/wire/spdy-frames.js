/**
 * SPDY/3 framing (SPDY draft 3 §2.2, §2.6): encoders for the frames a Kubernetes streaming endpoint sends, and an
 * incremental parser. DATA payloads are delivered as slices of the input as they arrive (no reassembly copy);
 * control frames are delivered whole. Field layouts follow moby/spdystream spdy/types.go, read.go and write.go,
 * the implementation kubectl speaks.
 */
export const SPDY_VERSION = 3;
export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes (spdystream spdy/types.go RstStreamStatus). */
export const RST_PROTOCOL_ERROR = 1;
export const RST_INVALID_STREAM = 2;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;
export const RST_INTERNAL_ERROR = 6;
export const RST_STREAM_IN_USE = 8;
export const RST_STREAM_ALREADY_CLOSED = 9;
export const GOAWAY_OK = 0;
export const GOAWAY_PROTOCOL_ERROR = 1;
/** Largest DATA payload one frame can carry (24-bit length). */
export const MAX_DATA_LENGTH = 0xffffff;
function controlFrame(type, flags, body) {
    const out = Buffer.allocUnsafe(8 + body.length);
    out.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
    out.writeUInt16BE(type, 2);
    out.writeUInt32BE(body.length, 4);
    out[4] = flags; // the flags byte overlays the top byte of the 32-bit word; lengths are 24-bit
    body.copy(out, 8);
    return out;
}
export function encodeSynStream(streamId, headerBlock, flags = 0, priority = 0) {
    const body = Buffer.allocUnsafe(10 + headerBlock.length);
    body.writeUInt32BE(streamId & 0x7fffffff, 0);
    body.writeUInt32BE(0, 4); // associated-to stream: none
    body[8] = (priority & 7) << 5;
    body[9] = 0; // credential slot
    headerBlock.copy(body, 10);
    return controlFrame(SYN_STREAM, flags, body);
}
export function encodeSynReply(streamId, headerBlock, flags = 0) {
    const body = Buffer.allocUnsafe(4 + headerBlock.length);
    body.writeUInt32BE(streamId & 0x7fffffff, 0);
    headerBlock.copy(body, 4);
    return controlFrame(SYN_REPLY, flags, body);
}
export function encodeRstStream(streamId, status) {
    const body = Buffer.allocUnsafe(8);
    body.writeUInt32BE(streamId & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    return controlFrame(RST_STREAM, 0, body);
}
export function encodePing(id) {
    const body = Buffer.allocUnsafe(4);
    body.writeUInt32BE(id >>> 0, 0);
    return controlFrame(PING, 0, body);
}
export function encodeGoAway(lastGoodStreamId, status) {
    const body = Buffer.allocUnsafe(8);
    body.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
    body.writeUInt32BE(status, 4);
    return controlFrame(GOAWAY, 0, body);
}
/** The 8-byte header of a DATA frame; the payload follows it on the wire (written separately, uncopied). */
export function encodeDataHeader(streamId, length, fin) {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(streamId & 0x7fffffff, 0);
    out.writeUInt32BE(length, 4);
    out[4] = fin ? FLAG_FIN : 0;
    return out;
}
/** SYN_STREAM, SYN_REPLY and HEADERS carry a stream id then (after SYN_STREAM's 6 extra bytes) a header block. */
export function parseStreamControl(type, body) {
    const skip = type === SYN_STREAM ? 10 : 4;
    if (body.length < skip)
        throw new Error(`control frame ${type} too short`);
    return { streamId: body.readUInt32BE(0) & 0x7fffffff, headerBlock: body.subarray(skip) };
}
/** RST_STREAM, GOAWAY, WINDOW_UPDATE: two 32-bit fields (the first with its top bit reserved). */
export function parseTwoWords(body) {
    if (body.length < 8)
        throw new Error("control frame too short");
    return [body.readUInt32BE(0) & 0x7fffffff, body.readUInt32BE(4)];
}
/** Incremental SPDY/3 frame parser; feed it bytes in any split with `push`. */
export class SpdyFrameParser {
    sink;
    header = Buffer.allocUnsafe(8);
    headerFill = 0;
    remaining = -1; // payload bytes left in the current frame; -1 while reading a header
    isControl = false;
    type = 0;
    flags = 0;
    streamId = 0;
    control = [];
    failed = false;
    constructor(sink) {
        this.sink = sink;
    }
    push(chunk) {
        let buf = chunk;
        while (!this.failed && (buf.length > 0 || this.remaining === 0)) {
            if (this.remaining < 0) {
                const n = Math.min(8 - this.headerFill, buf.length);
                buf.copy(this.header, this.headerFill, 0, n);
                this.headerFill += n;
                buf = buf.subarray(n);
                if (this.headerFill < 8)
                    return;
                this.headerFill = 0;
                this.startFrame();
            }
            else if (this.remaining === 0) {
                this.endFrame();
            }
            else {
                const n = Math.min(this.remaining, buf.length);
                this.remaining -= n;
                this.payload(buf.subarray(0, n));
                buf = buf.subarray(n);
            }
        }
    }
    startFrame() {
        const h = this.header;
        this.isControl = (h[0] & 0x80) !== 0;
        this.flags = h[4];
        this.remaining = h.readUInt32BE(4) & 0xffffff;
        if (this.isControl) {
            const version = h.readUInt16BE(0) & 0x7fff;
            if (version !== SPDY_VERSION)
                this.fail(`unsupported SPDY version ${version}`);
            this.type = h.readUInt16BE(2);
        }
        else {
            this.streamId = h.readUInt32BE(0) & 0x7fffffff;
            if (this.streamId === 0)
                this.fail("DATA frame on stream 0");
        }
    }
    payload(piece) {
        if (this.isControl) {
            this.control.push(piece);
        }
        else if (this.remaining > 0 || (this.flags & FLAG_FIN) === 0) {
            this.sink.data(this.streamId, piece, false);
        }
        else {
            this.remaining = -1; // delivered with FIN: the frame is done
            this.sink.data(this.streamId, piece, true);
        }
    }
    endFrame() {
        this.remaining = -1;
        if (this.isControl) {
            const body = this.control.length === 1 ? this.control[0] : Buffer.concat(this.control);
            this.control = [];
            this.sink.control(this.type, this.flags, body);
        }
        else if (this.flags & FLAG_FIN) {
            this.sink.data(this.streamId, Buffer.alloc(0), true); // empty DATA+FIN
        }
    }
    fail(message) {
        this.failed = true;
        this.sink.error(message);
    }
}
//# sourceMappingURL=spdy-frames.js.map