/**
 * SPDY/3 name/value header blocks (SPDY draft 3 §2.6.10): the binary layout, and its zlib compression with the SPDY
 * dictionary over one compression context per direction per connection.
 *
 * Node has no synchronous streaming zlib, and frame handling must stay synchronous (a DATA frame must never overtake
 * the SYN_STREAM that opened its stream). A persistent context is therefore emulated exactly: after a Z_SYNC_FLUSH,
 * the stream sits on a byte boundary and the next block can only refer back into the last 32 KiB of output, so
 * each block is (de)compressed as raw deflate with that window — the SPDY dictionary followed by everything decoded
 * so far — given as the preset dictionary. The peer sees one continuous zlib stream, as spdystream's Framer
 * (moby/spdystream spdy/read.go, write.go: zlib.NewReaderDict / NewWriterLevelDict + Flush) produces and expects.
 */
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { SPDY_DICTIONARY } from "./spdy-dictionary.js";
const WINDOW = 32 * 1024;
const MAX_HEADER_BLOCK = 1 << 20; // decompressed; a guard against zip bombs
function adler32(buf) {
    let a = 1;
    let b = 0;
    for (let i = 0; i < buf.length; i++) {
        a = (a + buf[i]) % 65521;
        b = (b + a) % 65521;
    }
    return ((b << 16) | a) >>> 0;
}
export const DICTIONARY_ID = adler32(SPDY_DICTIONARY);
function slide(window, out) {
    if (out.length >= WINDOW)
        return Buffer.from(out.subarray(out.length - WINDOW));
    const joined = Buffer.concat([window, out]);
    return joined.length > WINDOW ? joined.subarray(joined.length - WINDOW) : joined;
}
/** Encodes headers to the uncompressed block: u32 count, then (u32 length, name), (u32 length, value) pairs. */
export function encodeHeaderBlock(headers) {
    const entries = Object.entries(headers);
    const parts = [u32(entries.length)];
    for (const [name, value] of entries) {
        const n = Buffer.from(name.toLowerCase(), "utf8");
        const v = Buffer.from(value, "utf8");
        parts.push(u32(n.length), n, u32(v.length), v);
    }
    return Buffer.concat(parts);
}
/** Decodes an uncompressed header block; throws on truncation. */
export function decodeHeaderBlock(block) {
    const headers = {};
    let pos = 0;
    const take = () => {
        if (pos + 4 > block.length)
            throw new Error("truncated header block");
        const len = block.readUInt32BE(pos);
        pos += 4;
        if (pos + len > block.length)
            throw new Error("truncated header block");
        pos += len;
        return block.toString("utf8", pos - len, pos);
    };
    if (block.length < 4)
        throw new Error("truncated header block");
    const count = block.readUInt32BE(0);
    pos = 4;
    for (let i = 0; i < count; i++) {
        const name = take();
        headers[name.toLowerCase()] = take();
    }
    return headers;
}
function u32(n) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return b;
}
/** The receiving side of one connection's header compression. */
export class HeaderInflater {
    window = SPDY_DICTIONARY;
    started = false;
    /** Decompresses the next header block of the connection. Throws on corrupt input or a foreign dictionary. */
    inflate(compressed) {
        let body = compressed;
        if (!this.started) {
            body = this.stripZlibHeader(compressed);
            this.started = true;
        }
        const out = inflateRawSync(body, {
            dictionary: this.window,
            finishFlush: constants.Z_SYNC_FLUSH,
            maxOutputLength: MAX_HEADER_BLOCK,
        });
        this.window = slide(this.window, out);
        return decodeHeaderBlock(out);
    }
    stripZlibHeader(buf) {
        if (buf.length < 2 || (buf[0] & 0x0f) !== 8 || (buf[0] * 256 + buf[1]) % 31 !== 0) {
            throw new Error("header block is not a zlib stream");
        }
        if (!(buf[1] & 0x20))
            return buf.subarray(2); // no preset dictionary announced
        if (buf.length < 6)
            throw new Error("truncated zlib header");
        const id = buf.readUInt32BE(2);
        if (id !== DICTIONARY_ID)
            throw new Error(`header block uses an unknown zlib dictionary (id ${id.toString(16)})`);
        return buf.subarray(6);
    }
}
/** The sending side of one connection's header compression. */
export class HeaderDeflater {
    window = SPDY_DICTIONARY;
    started = false;
    /** Compresses the next header block of the connection, ending in a sync flush. */
    deflate(headers) {
        const raw = encodeHeaderBlock(headers);
        const body = deflateRawSync(raw, { dictionary: this.window, finishFlush: constants.Z_SYNC_FLUSH });
        this.window = slide(this.window, raw);
        if (this.started)
            return body;
        this.started = true;
        // zlib header: deflate with a 32 KiB window, default level, FDICT set (0x78 0xBB), then the dictionary's Adler-32.
        const zhead = Buffer.from([0x78, 0xbb, 0, 0, 0, 0]);
        zhead.writeUInt32BE(DICTIONARY_ID, 2);
        return Buffer.concat([zhead, body]);
    }
}
//# sourceMappingURL=spdy-headers.js.map