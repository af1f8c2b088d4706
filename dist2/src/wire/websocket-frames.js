/**
 * RFC 6455 frames: header encoding, masking, and an incremental parser that streams data payloads.
 *
 * Pure byte handling, no sockets; shared by the server (src/apiserver/streaming) and the CLI client
 * (src/client/streaming). Data payloads are delivered as they arrive (slices of the input, unmasked in place), so a
 * 1 MiB binary message costs no reassembly copy; control frames (ping, pong, close: at most 125 bytes) are whole.
 */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;
/** Close codes we send or check (RFC 6455 §7.4.1). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_TOO_BIG = 1009;
/** Encodes a frame header. `mask` (4 bytes) is appended when given: clients must mask, servers must not. */
export function encodeFrameHeader(opcode, payloadLength, fin = true, mask) {
    const extra = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
    const header = Buffer.allocUnsafe(2 + extra + (mask ? 4 : 0));
    header[0] = (fin ? 0x80 : 0) | opcode;
    const maskBit = mask ? 0x80 : 0;
    if (extra === 0) {
        header[1] = maskBit | payloadLength;
    }
    else if (extra === 2) {
        header[1] = maskBit | 126;
        header.writeUInt16BE(payloadLength, 2);
    }
    else {
        header[1] = maskBit | 127;
        header.writeUInt32BE(Math.floor(payloadLength / 0x100000000), 2);
        header.writeUInt32BE(payloadLength >>> 0, 6);
    }
    if (mask)
        mask.copy(header, 2 + extra);
    return header;
}
/**
 * XORs `buf` in place with the 4-byte `mask`, starting at mask position `offset` (so a payload split across reads
 * keeps its phase). Works a 32-bit word at a time on the aligned middle: masking is on the hot path of every byte
 * a client sends.
 */
export function applyMask(buf, mask, offset = 0) {
    const len = buf.length;
    let i = 0;
    // Bytes until the view is 4-byte aligned in its ArrayBuffer.
    while (i < len && (buf.byteOffset + i) % 4 !== 0) {
        buf[i] ^= mask[(offset + i) & 3];
        i++;
    }
    const words = (len - i) >>> 2;
    if (words > 0) {
        const k = offset + i;
        // Little-endian word whose bytes are mask[k], mask[k+1], ... (os.endianness() is LE on every Node target we run).
        const m = (mask[k & 3] | (mask[(k + 1) & 3] << 8) | (mask[(k + 2) & 3] << 16) | (mask[(k + 3) & 3] << 24)) >>> 0;
        const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
        for (let w = 0; w < words; w++)
            view[w] ^= m;
        i += words * 4;
    }
    for (; i < len; i++)
        buf[i] ^= mask[(offset + i) & 3];
}
/**
 * Incremental frame parser. Feed it socket chunks with `push`; it calls the sink synchronously. Input buffers are
 * unmasked in place and handed out as slices, so callers must not reuse them.
 * `expectMasked`: true on the server (client frames must be masked), false on the client.
 */
export class FrameParser {
    sink;
    expectMasked;
    maxControlPayload;
    state = 0 /* State.Header */;
    partial = null; // header bytes split across chunks
    opcode = 0;
    fin = false;
    remaining = 0;
    mask = null;
    maskOffset = 0;
    messageOpcode = 0; // opcode of the data message in progress
    messageStarted = false;
    control = [];
    constructor(sink, expectMasked, maxControlPayload = 125) {
        this.sink = sink;
        this.expectMasked = expectMasked;
        this.maxControlPayload = maxControlPayload;
    }
    push(chunk) {
        let buf = chunk;
        while (buf.length > 0 && this.state !== 2 /* State.Failed */) {
            if (this.state === 0 /* State.Header */) {
                if (this.partial) {
                    buf = Buffer.concat([this.partial, buf]);
                    this.partial = null;
                }
                const used = this.readHeader(buf);
                if (this.failed())
                    return;
                if (used === 0) {
                    this.partial = Buffer.from(buf); // copy: at most 14 bytes
                    return;
                }
                buf = buf.subarray(used);
                if (this.remaining === 0)
                    this.endOfFrame(Buffer.alloc(0));
            }
            else {
                const n = Math.min(this.remaining, buf.length);
                this.payload(buf.subarray(0, n));
                buf = buf.subarray(n);
            }
        }
    }
    failed() {
        return this.state === 2 /* State.Failed */;
    }
    /** Parses a header from the start of `buf`; returns the bytes used, or 0 if more input is needed. */
    readHeader(buf) {
        if (buf.length < 2)
            return 0;
        const b0 = buf[0];
        const b1 = buf[1];
        const masked = (b1 & 0x80) !== 0;
        let len = b1 & 0x7f;
        let pos = 2;
        if (len === 126) {
            if (buf.length < 4)
                return 0;
            len = buf.readUInt16BE(2);
            pos = 4;
        }
        else if (len === 127) {
            if (buf.length < 10)
                return 0;
            const hi = buf.readUInt32BE(2);
            if (hi > 0x1fffff)
                return this.fail(CLOSE_TOO_BIG, "frame length over 2^53");
            len = hi * 0x100000000 + buf.readUInt32BE(6);
            pos = 10;
        }
        if (masked) {
            if (buf.length < pos + 4)
                return 0;
            this.mask = Buffer.from(buf.subarray(pos, pos + 4));
            pos += 4;
        }
        else {
            this.mask = null;
        }
        const problem = this.checkHeader(b0, masked, len);
        if (problem)
            return this.fail(CLOSE_PROTOCOL_ERROR, problem);
        this.fin = (b0 & 0x80) !== 0;
        this.opcode = b0 & 0x0f;
        this.remaining = len;
        this.maskOffset = 0;
        this.state = 1 /* State.Payload */;
        return pos;
    }
    /** RFC 6455 §5.2, §5.5: returns why the header is invalid, or "" when it is fine. */
    checkHeader(b0, masked, len) {
        const opcode = b0 & 0x0f;
        if (b0 & 0x70)
            return "reserved bits set (no extension was negotiated)";
        if (masked !== this.expectMasked)
            return masked ? "server frames must not be masked" : "client frames must be masked";
        if (opcode >= 0x8) {
            if (opcode > OP_PONG)
                return `unknown control opcode ${opcode}`;
            if (!(b0 & 0x80))
                return "fragmented control frame";
            if (len > this.maxControlPayload)
                return "control frame payload over 125 bytes";
            return "";
        }
        if (opcode === OP_CONTINUATION)
            return this.messageOpcode ? "" : "continuation frame without a message";
        if (opcode !== OP_TEXT && opcode !== OP_BINARY)
            return `unknown data opcode ${opcode}`;
        return this.messageOpcode ? "new data message before the previous one ended" : "";
    }
    payload(piece) {
        if (this.mask)
            applyMask(piece, this.mask, this.maskOffset);
        this.maskOffset += piece.length;
        this.remaining -= piece.length;
        if (this.opcode >= 0x8) {
            this.control.push(piece);
            if (this.remaining === 0)
                this.endOfFrame(Buffer.concat(this.control));
            return;
        }
        this.emitData(piece, this.remaining === 0 && this.fin);
        if (this.remaining === 0)
            this.endOfFrame(null);
    }
    /** Frame complete: control frames are delivered whole; empty data frames still mark message boundaries. */
    endOfFrame(whole) {
        this.state = 0 /* State.Header */;
        if (this.opcode >= 0x8) {
            this.control = [];
            this.sink.control(this.opcode, whole ?? Buffer.alloc(0));
            return;
        }
        if (whole)
            this.emitData(whole, this.fin); // zero-length data frame
    }
    emitData(piece, last) {
        if (this.opcode !== OP_CONTINUATION && !this.messageOpcode) {
            this.messageOpcode = this.opcode;
            this.messageStarted = false;
        }
        const opcode = this.messageOpcode;
        const first = !this.messageStarted;
        this.messageStarted = true;
        if (last)
            this.messageOpcode = 0;
        if (piece.length > 0 || first || last)
            this.sink.data(opcode, piece, first, last);
    }
    fail(code, message) {
        this.state = 2 /* State.Failed */;
        this.sink.error(code, message);
        return 0;
    }
}
/** Payload of a Close frame: a 2-byte code and an optional UTF-8 reason (RFC 6455 §5.5.1). */
export function encodeClosePayload(code, reason = "") {
    const text = Buffer.from(reason, "utf8").subarray(0, 123);
    const out = Buffer.allocUnsafe(2 + text.length);
    out.writeUInt16BE(code, 0);
    text.copy(out, 2);
    return out;
}
export function decodeClosePayload(payload) {
    if (payload.length < 2)
        return { code: undefined, reason: "" };
    return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString("utf8") };
}
//# sourceMappingURL=websocket-frames.js.map