/**
 * port-forward over SPDY: kubectl's protocol both on a raw SPDY/3.1 upgrade and tunnelled in a WebSocket.
 * Each local connection becomes a pair of streams with the same `requestid`: `streamtype: error` (the client sends
 * an empty FIN on it at once) and `streamtype: data`, both carrying `port`. Once both exist we dial the pod port and
 * splice bytes both ways with half-close: the client's FIN ends our writes to the pod, the pod's EOF becomes our FIN,
 * then an empty FIN on the error stream means success. A dial failure is written as text on the error stream:
 * kubectl prints "an error occurred forwarding L -> R: <text>" (client-go tools/portforward/portforward.go
 * handleConnection; kubelet cri/streaming/portforward/httpstream.go for the server half we mirror).
 */
import type { Duplex } from "node:stream";
import type { StreamContext } from "./context.js";
import { type ByteTransport, SpdySession } from "../../wire/spdy-session.js";
import type { SpdyStream } from "../../wire/spdy-stream.js";

const STREAM_PAIR_TIMEOUT_MS = 30_000;

interface StreamPair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/**
 * The request id of a stream; old clients sent none, and paired stream N (error) with N+2 (data) — the same
 * fallback as the kubelet's httpStreamHandler.requestID.
 */
function requestId(stream: SpdyStream): string {
  const id = stream.headers["requestid"];
  if (id) return id;
  return String(stream.headers["streamtype"] === "data" ? stream.id - 2 : stream.id);
}

/** A SPDY session serving port-forward streams over `transport`. The caller feeds it input and reports close. */
export function portForwardSession(transport: ByteTransport, ctx: StreamContext): SpdySession {
  const pairs = new Map<string, StreamPair>();
  const session = new SpdySession(transport, {
    role: "server",
    onStream(stream) {
      const type = stream.headers["streamtype"];
      if (type !== "error" && type !== "data") return void stream.destroy();
      stream.reply();
      const id = requestId(stream);
      let pair = pairs.get(id);
      if (!pair) {
        const timer = setTimeout(() => abandon(id), STREAM_PAIR_TIMEOUT_MS);
        pair = { timer };
        pairs.set(id, pair);
      }
      if (pair[type]) return void stream.destroy(); // duplicate
      pair[type] = stream;
      if (pair.error && pair.data) {
        clearTimeout(pair.timer);
        pairs.delete(id);
        void forward(ctx, pair.error, pair.data);
      }
    },
    onClose() {
      for (const id of [...pairs.keys()]) abandon(id);
    },
  });

  function abandon(id: string): void {
    const pair = pairs.get(id);
    if (!pair) return;
    clearTimeout(pair.timer);
    pairs.delete(id);
    pair.error?.destroy();
    pair.data?.destroy();
  }
  return session;
}

async function forward(ctx: StreamContext, error: SpdyStream, data: SpdyStream): Promise<void> {
  error.resume(); // the client only FINs it
  const portText = data.headers["port"] ?? "";
  const port = Number(portText);
  let upstream: Duplex;
  try {
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`invalid port "${portText}"`);
    upstream = await ctx.io.portForward(ctx.pod, port);
  } catch (e) {
    const { namespace, name, uid } = ctx.pod.metadata;
    const why = e instanceof Error ? e.message : String(e);
    error.end(`error forwarding port ${portText} to pod ${namespace ?? "default"}/${name}, uid ${uid ?? ""}: ${why}`);
    data.resume();
    data.end();
    return;
  }
  if (data.destroyed) return void upstream.destroy(); // the client or the session went away while we dialled
  splice(upstream, data, error);
}

/**
 * Pod connection ⇄ data stream, with half-close both ways. A connection the pod resets simply ends the stream
 * (unlike the kubelet, which reports it on the error stream and so makes kubectl drop every forwarded connection).
 */
export function splice(upstream: Duplex, data: SpdyStream, error: SpdyStream): void {
  const socketLike = upstream as Duplex & { setNoDelay?: (on: boolean) => void };
  socketLike.setNoDelay?.(true);
  upstream.on("error", () => undefined); // "close" follows and cleans up
  upstream.pipe(data); // pod EOF → FIN
  data.pipe(upstream); // client FIN → half-close towards the pod
  upstream.on("close", () => {
    if (!data.writableEnded && !data.destroyed) data.end();
    if (!error.writableEnded && !error.destroyed) error.end();
  });
  data.on("close", () => upstream.destroy()); // both directions done, or reset by the client
}
