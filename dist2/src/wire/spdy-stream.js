/**
 * One SPDY stream as a Node Duplex: writes become DATA frames, `end()` sends an empty DATA+FIN (half-close, as
 * spdystream's Stream.Close does), peer DATA is pushed to the readable side and the peer's FIN ends it.
 * `destroy()` before both directions finished sends RST_STREAM(CANCEL).
 *
 * Flow control: SPDY/3.1 windows are not used (kubectl's spdystream never sends WINDOW_UPDATE and ignores ours);
 * instead, a full readable buffer pauses the whole connection until this stream is read again, and writes wait
 * for the transport to drain.
 */
import { Duplex } from "node:stream";
import { encodeDataHeader, encodeRstStream, encodeSynReply, FLAG_FIN, RST_CANCEL, } from "./spdy-frames.js";
/** DATA frames are cut at 1 MiB: big enough to amortise the 8-byte header, small enough to interleave streams. */
const MAX_FRAME = 1 << 20;
export class SpdyStream extends Duplex {
    id;
    headers;
    owner;
    /** Set once the peer's SYN_REPLY arrived (streams we opened) or once we replied (streams the peer opened). */
    replied = false;
    localDone = false;
    remoteDone = false;
    constructor(id, headers, owner) {
        super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024, allowHalfOpen: true });
        this.id = id;
        this.headers = headers;
        this.owner = owner;
    }
    /** Sends SYN_REPLY (spdystream's server side replies with no headers). `fin` also half-closes our side. */
    reply(headers = {}, fin = false) {
        if (this.replied || this.destroyed)
            return;
        this.replied = true;
        this.owner.sendFrames([encodeSynReply(this.id, this.owner.compressHeaders(headers), fin ? FLAG_FIN : 0)]);
        if (fin)
            this.localFinished();
    }
    /** True once both sides have sent FIN. */
    get finished() {
        return this.localDone && this.remoteDone;
    }
    /** Session → stream: payload from a DATA frame, `fin` when the peer half-closed. */
    receive(payload, fin) {
        if (this.remoteDone || this.destroyed)
            return;
        if (payload.length > 0 && !this.push(payload))
            this.owner.blockInbound(this);
        if (fin) {
            this.remoteDone = true;
            this.push(null);
            if (this.localDone)
                this.owner.forget(this);
        }
    }
    /** Session → stream: the peer sent RST_STREAM, or the connection is gone. */
    abort() {
        this.localDone = this.remoteDone = true; // nothing more may be sent
        this.destroy();
    }
    _read() {
        this.owner.unblockInbound(this);
    }
    _write(chunk, _enc, cb) {
        this.sendData([chunk], cb);
    }
    _writev(chunks, cb) {
        this.sendData(chunks.map((c) => c.chunk), cb);
    }
    _final(cb) {
        if (!this.localDone) {
            this.owner.sendFrames([encodeDataHeader(this.id, 0, true)]);
            this.localFinished();
        }
        cb();
    }
    _destroy(err, cb) {
        if (!this.finished) {
            this.localDone = this.remoteDone = true;
            this.owner.sendFrames([encodeRstStream(this.id, RST_CANCEL)]);
        }
        this.owner.forget(this);
        cb(err);
    }
    sendData(chunks, cb) {
        if (this.localDone)
            return cb(new Error(`write on half-closed SPDY stream ${this.id}`));
        if (this.owner.sendFrames(dataFrames(this.id, chunks)))
            cb();
        else
            this.owner.onDrain(() => cb());
    }
    localFinished() {
        this.localDone = true;
        if (this.remoteDone)
            this.owner.forget(this);
    }
}
/**
 * DATA frames for `chunks`: chunks queued together (the transport was busy) share one frame header, without being
 * copied — fewer, larger frames cost kubectl's spdystream less per byte. No frame exceeds MAX_FRAME.
 */
export function dataFrames(streamId, chunks) {
    const out = [];
    let group = [];
    let size = 0;
    const flush = () => {
        if (group.length === 0)
            return;
        out.push(encodeDataHeader(streamId, size, false), ...group);
        group = [];
        size = 0;
    };
    for (const chunk of chunks) {
        for (let off = 0; off < chunk.length;) {
            const piece = off === 0 && chunk.length <= MAX_FRAME - size ? chunk : chunk.subarray(off, off + MAX_FRAME - size);
            group.push(piece);
            size += piece.length;
            off += piece.length;
            if (size >= MAX_FRAME)
                flush();
        }
    }
    flush();
    return out;
}
//# sourceMappingURL=spdy-stream.js.map