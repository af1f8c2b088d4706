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
import type { SpdyHeaders } from "./spdy-headers.js";
import {
  encodeDataHeader,
  encodeRstStream,
  encodeSynReply,
  FLAG_FIN,
  RST_CANCEL,
} from "./spdy-frames.js";

/** What a stream needs from its session (see SpdySession). */
export interface StreamOwner {
  /** Queues frames (in order, as one batch); false when the transport wants a drain. */
  sendFrames(chunks: Buffer[]): boolean;
  onDrain(cb: () => void): void;
  compressHeaders(headers: SpdyHeaders): Buffer;
  blockInbound(stream: SpdyStream): void;
  unblockInbound(stream: SpdyStream): void;
  forget(stream: SpdyStream): void;
}

/** DATA frames are cut at 1 MiB: big enough to amortise the 8-byte header, small enough to interleave streams. */
const MAX_FRAME = 1 << 20;

export class SpdyStream extends Duplex {
  /** Set once the peer's SYN_REPLY arrived (streams we opened) or once we replied (streams the peer opened). */
  replied = false;
  private localDone = false;
  private remoteDone = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly owner: StreamOwner,
  ) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024, allowHalfOpen: true });
  }

  /** Sends SYN_REPLY (spdystream's server side replies with no headers). `fin` also half-closes our side. */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (this.replied || this.destroyed) return;
    this.replied = true;
    this.owner.sendFrames([encodeSynReply(this.id, this.owner.compressHeaders(headers), fin ? FLAG_FIN : 0)]);
    if (fin) this.localFinished();
  }

  /** True once both sides have sent FIN. */
  get finished(): boolean {
    return this.localDone && this.remoteDone;
  }

  /** Session → stream: payload from a DATA frame, `fin` when the peer half-closed. */
  receive(payload: Buffer, fin: boolean): void {
    if (this.remoteDone || this.destroyed) return;
    if (payload.length > 0 && !this.push(payload)) this.owner.blockInbound(this);
    if (fin) {
      this.remoteDone = true;
      this.push(null);
      if (this.localDone) this.owner.forget(this);
    }
  }

  /** Session → stream: the peer sent RST_STREAM, or the connection is gone. */
  abort(): void {
    this.localDone = this.remoteDone = true; // nothing more may be sent
    this.destroy();
  }

  override _read(): void {
    this.owner.unblockInbound(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sendData([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.sendData(
      chunks.map((c) => c.chunk),
      cb,
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.localDone) {
      this.owner.sendFrames([encodeDataHeader(this.id, 0, true)]);
      this.localFinished();
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.finished) {
      this.localDone = this.remoteDone = true;
      this.owner.sendFrames([encodeRstStream(this.id, RST_CANCEL)]);
    }
    this.owner.forget(this);
    cb(err);
  }

  private sendData(chunks: Buffer[], cb: (err?: Error | null) => void): void {
    if (this.localDone) return cb(new Error(`write on half-closed SPDY stream ${this.id}`));
    if (this.owner.sendFrames(dataFrames(this.id, chunks))) cb();
    else this.owner.onDrain(() => cb());
  }

  private localFinished(): void {
    this.localDone = true;
    if (this.remoteDone) this.owner.forget(this);
  }
}

/**
 * DATA frames for `chunks`: chunks queued together (the transport was busy) share one frame header, without being
 * copied — fewer, larger frames cost kubectl's spdystream less per byte. No frame exceeds MAX_FRAME.
 */
export function dataFrames(streamId: number, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let group: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    out.push(encodeDataHeader(streamId, size, false), ...group);
    group = [];
    size = 0;
  };
  for (const chunk of chunks) {
    for (let off = 0; off < chunk.length; ) {
      const piece = off === 0 && chunk.length <= MAX_FRAME - size ? chunk : chunk.subarray(off, off + MAX_FRAME - size);
      group.push(piece);
      size += piece.length;
      off += piece.length;
      if (size >= MAX_FRAME) flush();
    }
  }
  flush();
  return out;
}
