import { HeaderDeflater, HeaderInflater } from "./spdy-headers.js";
import { encodeGoAway, encodePing, encodeRstStream, encodeSynStream, FLAG_FIN, FLAG_UNIDIRECTIONAL, GOAWAY, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, HEADERS, parseStreamControl, parseTwoWords, PING, RST_PROTOCOL_ERROR, RST_REFUSED_STREAM, RST_STREAM, RST_STREAM_IN_USE, SpdyFrameParser, SYN_REPLY, SYN_STREAM, } from "./spdy-frames.js";
import { SpdyStream } from "./spdy-stream.js";
export class SpdySession {
    transport;
    opts;
    streams = new Map();
    blocked = new Set();
    parser;
    inflater = new HeaderInflater();
    deflater = new HeaderDeflater();
    lastPeerStream = 0;
    nextOwnStream;
    goneAway = false;
    closed = false;
    constructor(transport, opts) {
        this.transport = transport;
        this.opts = opts;
        this.nextOwnStream = opts.role === "client" ? 1 : 2;
        this.parser = new SpdyFrameParser({
            data: (id, payload, fin) => this.streams.get(id)?.receive(payload, fin),
            control: (type, flags, body) => this.control(type, flags, body),
            error: (message) => this.protocolError(message),
        });
    }
    /** Feeds bytes read from the transport. */
    receive(chunk) {
        if (!this.closed)
            this.parser.push(chunk);
    }
    /** The transport is gone: every open stream is aborted. */
    transportClosed(error) {
        this.shutdown(error);
    }
    /** Opens a stream (SYN_STREAM). The peer's SYN_REPLY sets `stream.replied` and emits "reply". */
    openStream(headers, fin = false) {
        if (this.closed || this.goneAway)
            throw new Error("SPDY session is closed");
        const id = this.nextOwnStream;
        this.nextOwnStream += 2;
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        this.sendFrames([encodeSynStream(id, this.compressHeaders(headers), fin ? FLAG_FIN : 0)]);
        if (fin)
            stream.end();
        return stream;
    }
    /** Ends the session: optional GOAWAY, aborts the streams still open, ends the transport. */
    close(goAway = true) {
        if (this.closed)
            return;
        if (goAway)
            this.sendFrames([encodeGoAway(this.lastPeerStream, GOAWAY_OK)]);
        this.shutdown();
    }
    get openStreams() {
        return this.streams.size;
    }
    // StreamOwner -------------------------------------------------------------------------------------------------
    sendFrames(chunks) {
        if (this.closed)
            return true; // dropped: nobody is listening any more
        return this.transport.write(chunks);
    }
    onDrain(cb) {
        if (this.closed)
            cb();
        else
            this.transport.onDrain(cb);
    }
    compressHeaders(headers) {
        return this.deflater.deflate(headers);
    }
    blockInbound(stream) {
        if (this.blocked.size === 0)
            this.transport.pause();
        this.blocked.add(stream);
    }
    unblockInbound(stream) {
        if (this.blocked.delete(stream) && this.blocked.size === 0 && !this.closed)
            this.transport.resume();
    }
    forget(stream) {
        if (this.streams.get(stream.id) === stream)
            this.streams.delete(stream.id);
        this.unblockInbound(stream);
    }
    // Frames ------------------------------------------------------------------------------------------------------
    control(type, flags, body) {
        try {
            if (type === SYN_STREAM)
                this.synStream(flags, body);
            else if (type === SYN_REPLY)
                this.synReply(body);
            else if (type === RST_STREAM)
                this.streams.get(parseTwoWords(body)[0])?.abort();
            else if (type === PING)
                this.ping(body);
            else if (type === GOAWAY)
                this.goneAway = true; // the peer opens no more streams; existing ones run on
            else if (type === HEADERS)
                this.inflater.inflate(parseStreamControl(type, body).headerBlock); // keep zlib in step
            // SETTINGS, WINDOW_UPDATE and unknown types are ignored, as spdystream does.
        }
        catch (e) {
            this.protocolError(e instanceof Error ? e.message : String(e));
        }
    }
    synStream(flags, body) {
        const { streamId, headerBlock } = parseStreamControl(SYN_STREAM, body);
        const headers = this.inflater.inflate(headerBlock); // always, to keep the zlib context in step
        const peerParity = this.opts.role === "server" ? 1 : 0;
        if (streamId % 2 !== peerParity || streamId <= this.lastPeerStream) {
            const status = this.streams.has(streamId) ? RST_STREAM_IN_USE : RST_PROTOCOL_ERROR;
            this.sendFrames([encodeRstStream(streamId, status)]);
            return;
        }
        this.lastPeerStream = streamId;
        if (this.goneAway || !this.opts.onStream) {
            this.sendFrames([encodeRstStream(streamId, RST_REFUSED_STREAM)]);
            return;
        }
        const stream = new SpdyStream(streamId, headers, this);
        this.streams.set(streamId, stream);
        if (flags & FLAG_FIN)
            stream.receive(Buffer.alloc(0), true);
        if (flags & FLAG_UNIDIRECTIONAL)
            stream.end();
        this.opts.onStream(stream);
    }
    synReply(body) {
        const { streamId, headerBlock } = parseStreamControl(SYN_REPLY, body);
        this.inflater.inflate(headerBlock);
        const stream = this.streams.get(streamId);
        if (!stream || stream.replied)
            return;
        stream.replied = true;
        stream.emit("reply");
    }
    /** Echo the peer's pings (kubectl's port-forward tunnel pings every 10 s); ours come back and are dropped. */
    ping(body) {
        if (body.length < 4)
            throw new Error("short PING frame");
        const id = body.readUInt32BE(0);
        const peerParity = this.opts.role === "server" ? 1 : 0;
        if (id % 2 === peerParity)
            this.sendFrames([encodePing(id)]);
    }
    protocolError(message) {
        if (this.closed)
            return;
        this.sendFrames([encodeGoAway(this.lastPeerStream, GOAWAY_PROTOCOL_ERROR)]);
        this.shutdown(new Error(`SPDY protocol error: ${message}`));
    }
    shutdown(error) {
        if (this.closed)
            return;
        this.closed = true;
        for (const stream of [...this.streams.values()])
            stream.abort();
        this.streams.clear();
        this.blocked.clear();
        this.transport.end();
        this.opts.onClose?.(error);
    }
}
//# sourceMappingURL=spdy-session.js.map