/**
 * Kubernetes channel framing over a WebSocket (k8s.io/apiserver/pkg/util/wsstream/conn.go; client-go
 * tools/remotecommand/websocket.go): every message starts with a channel byte. Binary protocols carry raw bytes;
 * the base64 ones carry text messages of '0'+channel followed by base64. v5 adds a close signal, the two-byte
 * message [0xFF, channel], meaning "no more data on this channel" (kubectl sends [0xFF, 0] at stdin EOF).
 *
 * Inbound channels are Readables, outbound channels Writables; both respect backpressure (a full inbound buffer
 * pauses the socket until that channel is read again).
 */
import { Readable, Writable } from "node:stream";
import { OP_BINARY, OP_TEXT } from "./websocket-frames.js";
export const CLOSE_SIGNAL = 0xff;
/** Framing by negotiated subprotocol; "" (no subprotocol) is the legacy binary framing. */
export function framingFor(protocol) {
    return { base64: protocol.includes("base64"), closeSignal: protocol.startsWith("v5.") };
}
export class ChannelConn {
    ws;
    framing;
    readers = new Map();
    blocked = new Set();
    skip = new Map();
    channel = -1; // channel of the binary message being received; -1: its first byte is still to come
    pending = []; // a text message, or a binary message that may be a close signal
    inMessage = false;
    constructor(ws, framing) {
        this.ws = ws;
        this.framing = framing;
    }
    /**
     * The Readable for messages on channel `ch`; data on channels nobody asked for is dropped (as wsstream does).
     * `skipBytes` drops that many leading bytes (port-forward clients skip the 2-byte port the server sends first).
     */
    inbound(ch, skipBytes = 0) {
        if (skipBytes > 0)
            this.skip.set(ch, skipBytes);
        let r = this.readers.get(ch);
        if (!r) {
            r = new Readable({ highWaterMark: 256 * 1024, read: () => this.unblock(ch) });
            r.on("close", () => this.unblock(ch)); // a destroyed reader must not keep the socket paused
            this.readers.set(ch, r);
        }
        return r;
    }
    /** Starts reading. `closed` is called once when the WebSocket is over; inbound channels then end. */
    start(closed) {
        this.ws.start({
            data: (op, payload, first, last) => this.piece(op, payload, first, last),
            closed: (info) => {
                for (const r of this.readers.values())
                    if (!r.readableEnded)
                        r.push(null);
                closed(info);
            },
        });
    }
    /** Sends `data` (one buffer, or several sent back to back without copying) on channel `ch` as one message. */
    send(ch, data) {
        const parts = Array.isArray(data) ? data : [data];
        if (this.framing.base64) {
            const text = String.fromCharCode(48 + ch) + Buffer.concat(parts).toString("base64");
            return this.ws.send(OP_TEXT, [Buffer.from(text, "latin1")]);
        }
        return this.ws.send(OP_BINARY, [Buffer.of(ch), ...parts]);
    }
    /** v5 only: tells the peer that channel `ch` carries no more data. */
    sendClose(ch) {
        if (this.framing.closeSignal)
            this.ws.send(OP_BINARY, [Buffer.of(CLOSE_SIGNAL, ch)]);
    }
    /**
     * A Writable whose chunks go out as messages on channel `ch` (chunks queued meanwhile share one message); ending
     * it sends the v5 close signal if `signalEnd`.
     */
    outbound(ch, signalEnd = false) {
        const conn = this;
        return new Writable({
            highWaterMark: 256 * 1024,
            write(chunk, _enc, cb) {
                if (conn.send(ch, chunk))
                    cb();
                else
                    conn.ws.onDrain(() => cb());
            },
            writev(chunks, cb) {
                if (conn.send(ch, chunks.map((c) => c.chunk)))
                    cb();
                else
                    conn.ws.onDrain(() => cb());
            },
            final(cb) {
                if (signalEnd)
                    conn.sendClose(ch);
                cb();
            },
        });
    }
    piece(op, payload, first, last) {
        if (first) {
            this.channel = -1;
            this.pending = [];
            this.inMessage = true;
        }
        if (!this.inMessage)
            return;
        if (op === OP_TEXT || this.channel === CLOSE_SIGNAL) {
            this.pending.push(payload);
            if (last)
                this.wholeMessage(op, Buffer.concat(this.pending));
        }
        else {
            let data = payload;
            if (this.channel < 0 && data.length > 0) {
                this.channel = data[0];
                data = data.subarray(1);
                if (this.channel === CLOSE_SIGNAL)
                    this.pending.push(Buffer.of(CLOSE_SIGNAL), data);
            }
            if (this.channel === CLOSE_SIGNAL) {
                if (last)
                    this.wholeMessage(op, Buffer.concat(this.pending));
            }
            else if (this.channel >= 0 && data.length > 0) {
                this.deliver(this.channel, data);
            }
        }
        if (last)
            this.inMessage = false;
    }
    /** Text (base64) messages and close signals are handled whole. */
    wholeMessage(op, message) {
        this.pending = [];
        if (op === OP_TEXT) {
            if (message.length === 0)
                return;
            const ch = message[0] - 48;
            const data = Buffer.from(message.subarray(1).toString("latin1"), "base64");
            if (data.length)
                this.deliver(ch, data);
            return;
        }
        // [0xFF, ch]: v5 close signal. Without v5 a 0xFF channel is just an unknown channel: dropped.
        if (this.framing.closeSignal && message.length === 2) {
            const r = this.readers.get(message[1]);
            if (r && !r.readableEnded)
                r.push(null);
        }
    }
    deliver(ch, payload) {
        const r = this.readers.get(ch);
        if (!r || r.readableEnded || r.destroyed)
            return;
        let data = payload;
        const skip = this.skip.get(ch);
        if (skip) {
            const n = Math.min(skip, data.length);
            if (skip === n)
                this.skip.delete(ch);
            else
                this.skip.set(ch, skip - n);
            data = data.subarray(n);
            if (data.length === 0)
                return;
        }
        if (!r.push(data)) {
            if (this.blocked.size === 0)
                this.ws.pause();
            this.blocked.add(ch);
        }
    }
    unblock(ch) {
        if (this.blocked.delete(ch) && this.blocked.size === 0)
            this.ws.resume();
    }
}
//# sourceMappingURL=channel-conn.js.map