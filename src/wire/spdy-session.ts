/**
 * A SPDY/3.1 session over any byte transport (a raw upgraded socket, or the binary messages of a WebSocket tunnel):
 * stream bookkeeping, control frames, header compression. It plays either role; the API server is the "server"
 * (accepts odd streams), tests drive it as a "client" to check the server without kubectl.
 *
 * Behaviour matched to moby/spdystream connection.go, which kubectl runs on the other end: PINGs are echoed,
 * SETTINGS and WINDOW_UPDATE are ignored (no flow control), DATA for an unknown stream is dropped, and a new stream
 * is accepted with its headers handed to `onStream` (the owner must `reply()` — the client blocks until it does).
 */
import type { SpdyHeaders } from "./spdy-headers.js";
import { HeaderDeflater, HeaderInflater } from "./spdy-headers.js";
import {
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynStream,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  GOAWAY,
  GOAWAY_OK,
  GOAWAY_PROTOCOL_ERROR,
  HEADERS,
  parseStreamControl,
  parseTwoWords,
  PING,
  RST_PROTOCOL_ERROR,
  RST_REFUSED_STREAM,
  RST_STREAM,
  RST_STREAM_IN_USE,
  SpdyFrameParser,
  SYN_REPLY,
  SYN_STREAM,
} from "./spdy-frames.js";
import { SpdyStream, type StreamOwner } from "./spdy-stream.js";

/** The byte pipe under a session. `write` takes one batch of frames that must stay contiguous and in order. */
export interface ByteTransport {
  write(chunks: Buffer[]): boolean;
  onDrain(cb: () => void): void;
  pause(): void;
  resume(): void;
  /** Graceful end of our side; the transport reports its final close through `SpdySession.transportClosed`. */
  end(): void;
}

export interface SpdySessionOptions {
  role: "server" | "client";
  /** A peer-initiated stream arrived (headers decoded). Call `stream.reply()` to accept it. */
  onStream?: (stream: SpdyStream) => void;
  /** The session is over: transport closed, protocol error, or `close()`. Called once. */
  onClose?: (error?: Error) => void;
}

export class SpdySession implements StreamOwner {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly blocked = new Set<SpdyStream>();
  private readonly parser: SpdyFrameParser;
  private readonly inflater = new HeaderInflater();
  private readonly deflater = new HeaderDeflater();
  private lastPeerStream = 0;
  private nextOwnStream: number;
  private goneAway = false;
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: SpdySessionOptions,
  ) {
    this.nextOwnStream = opts.role === "client" ? 1 : 2;
    this.parser = new SpdyFrameParser({
      data: (id, payload, fin) => this.streams.get(id)?.receive(payload, fin),
      control: (type, flags, body) => this.control(type, flags, body),
      error: (message) => this.protocolError(message),
    });
  }

  /** Feeds bytes read from the transport. */
  receive(chunk: Buffer): void {
    if (!this.closed) this.parser.push(chunk);
  }

  /** The transport is gone: every open stream is aborted. */
  transportClosed(error?: Error): void {
    this.shutdown(error);
  }

  /** Opens a stream (SYN_STREAM). The peer's SYN_REPLY sets `stream.replied` and emits "reply". */
  openStream(headers: SpdyHeaders, fin = false): SpdyStream {
    if (this.closed || this.goneAway) throw new Error("SPDY session is closed");
    const id = this.nextOwnStream;
    this.nextOwnStream += 2;
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    this.sendFrames([encodeSynStream(id, this.compressHeaders(headers), fin ? FLAG_FIN : 0)]);
    if (fin) stream.end();
    return stream;
  }

  /** Ends the session: optional GOAWAY, aborts the streams still open, ends the transport. */
  close(goAway = true): void {
    if (this.closed) return;
    if (goAway) this.sendFrames([encodeGoAway(this.lastPeerStream, GOAWAY_OK)]);
    this.shutdown();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  // StreamOwner -------------------------------------------------------------------------------------------------

  sendFrames(chunks: Buffer[]): boolean {
    if (this.closed) return true; // dropped: nobody is listening any more
    return this.transport.write(chunks);
  }

  onDrain(cb: () => void): void {
    if (this.closed) cb();
    else this.transport.onDrain(cb);
  }

  compressHeaders(headers: SpdyHeaders): Buffer {
    return this.deflater.deflate(headers);
  }

  blockInbound(stream: SpdyStream): void {
    if (this.blocked.size === 0) this.transport.pause();
    this.blocked.add(stream);
  }

  unblockInbound(stream: SpdyStream): void {
    if (this.blocked.delete(stream) && this.blocked.size === 0 && !this.closed) this.transport.resume();
  }

  forget(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    this.unblockInbound(stream);
  }

  // Frames ------------------------------------------------------------------------------------------------------

  private control(type: number, flags: number, body: Buffer): void {
    try {
      if (type === SYN_STREAM) this.synStream(flags, body);
      else if (type === SYN_REPLY) this.synReply(body);
      else if (type === RST_STREAM) this.streams.get(parseTwoWords(body)[0])?.abort();
      else if (type === PING) this.ping(body);
      else if (type === GOAWAY) this.goneAway = true; // the peer opens no more streams; existing ones run on
      else if (type === HEADERS) this.inflater.inflate(parseStreamControl(type, body).headerBlock); // keep zlib in step
      // SETTINGS, WINDOW_UPDATE and unknown types are ignored, as spdystream does.
    } catch (e) {
      this.protocolError(e instanceof Error ? e.message : String(e));
    }
  }

  private synStream(flags: number, body: Buffer): void {
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
    if (flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
    if (flags & FLAG_UNIDIRECTIONAL) stream.end();
    this.opts.onStream(stream);
  }

  private synReply(body: Buffer): void {
    const { streamId, headerBlock } = parseStreamControl(SYN_REPLY, body);
    this.inflater.inflate(headerBlock);
    const stream = this.streams.get(streamId);
    if (!stream || stream.replied) return;
    stream.replied = true;
    stream.emit("reply");
  }

  /** Echo the peer's pings (kubectl's port-forward tunnel pings every 10 s); ours come back and are dropped. */
  private ping(body: Buffer): void {
    if (body.length < 4) throw new Error("short PING frame");
    const id = body.readUInt32BE(0);
    const peerParity = this.opts.role === "server" ? 1 : 0;
    if (id % 2 === peerParity) this.sendFrames([encodePing(id)]);
  }

  private protocolError(message: string): void {
    if (this.closed) return;
    this.sendFrames([encodeGoAway(this.lastPeerStream, GOAWAY_PROTOCOL_ERROR)]);
    this.shutdown(new Error(`SPDY protocol error: ${message}`));
  }

  private shutdown(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.abort();
    this.streams.clear();
    this.blocked.clear();
    this.transport.end();
    this.opts.onClose?.(error);
  }
}
