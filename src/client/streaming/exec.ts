/**
 * Client side of exec/attach for the nodelet CLI: WebSocket with `v5.channel.k8s.io` (v4 accepted), the protocol
 * kubectl 1.32 speaks (client-go tools/remotecommand/websocket.go, v4.go errorDecoderV4).
 */
import type { Readable, Writable } from "node:stream";
import type { Status } from "../../api/types.js";
import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { ERROR_CHANNEL, EXEC_CLIENT_PROTOCOLS, RESIZE_CHANNEL, resizeMessage, STDERR_CHANNEL, STDIN_CHANNEL, STDOUT_CHANNEL } from "../../api/remotecommand.js";
import { type ApiConnect, dialWebSocket, type StreamClientOptions, StreamError } from "./dial.js";

export interface TerminalSize {
  width: number;
  height: number;
}

export interface ExecStreams extends StreamClientOptions {
  /** Sent to the process; its end is signalled to the server (v5), so `cat` sees EOF. */
  stdin?: Readable | null;
  stdout?: Writable | null;
  /** Ignored with `tty` (a terminal merges stderr into stdout). */
  stderr?: Writable | null;
  tty?: boolean;
  /** Terminal sizes to send (the first one right away); iteration stops when the session ends. */
  resizeEvents?: AsyncIterable<TerminalSize>;
}


/**
 * Runs an exec or attach session. `path` is the subresource path (`/api/v1/namespaces/NS/pods/NAME/exec`); `query`
 * carries `command` (repeated) and `container`; the stream flags are set from `streams`. Resolves with the remote
 * exit code; rejects with StreamError when the server refuses or reports a failure other than an exit code.
 * The connection is closed on every path; `stdin` is unpiped (not ended) when the session ends.
 */
export async function execSession(
  connect: ApiConnect,
  path: string,
  query: URLSearchParams,
  streams: ExecStreams,
): Promise<number> {
  const tty = Boolean(streams.tty);
  const q = new URLSearchParams(query);
  q.set("stdin", String(Boolean(streams.stdin)));
  q.set("stdout", String(Boolean(streams.stdout)));
  if (streams.stderr && !tty) q.set("stderr", "true");
  else q.delete("stderr");
  q.set("tty", String(tty));
  const { ws, protocol } = await dialWebSocket(connect, `${path}?${q.toString()}`, EXEC_CLIENT_PROTOCOLS, streams);
  const conn = new ChannelConn(ws, framingFor(protocol));
  const outputs = [drainTo(conn.inbound(STDOUT_CHANNEL), streams.stdout), drainTo(conn.inbound(STDERR_CHANNEL), tty ? null : streams.stderr)];
  const status: Buffer[] = [];
  conn.inbound(ERROR_CHANNEL).on("data", (c: Buffer) => status.push(c));
  const stdinSink = conn.outbound(STDIN_CHANNEL, true);
  streams.stdin?.pipe(stdinSink);
  const stopResize = sendResizes(conn, streams.resizeEvents);
  try {
    const closed = await new Promise<{ code: number | undefined; error?: Error }>((resolve) => conn.start(resolve));
    await Promise.all(outputs);
    if (closed.error) throw new StreamError(`exec session failed: ${closed.error.message}`);
    if (closed.code === undefined) throw new StreamError("exec session: connection closed without a status");
    return decodeStatus(Buffer.concat(status));
  } finally {
    streams.stdin?.unpipe(stdinSink);
    stopResize();
    ws.close(); // no-op after the server's Close; otherwise ends the session from our side

  }
}

/** Copies a channel to a local stream (without ending it: it may be process.stdout); resolves at channel end. */
function drainTo(channel: Readable, to: Writable | null | undefined): Promise<void> {
  return new Promise((resolve) => {
    channel.on("end", resolve);
    if (!to) return void channel.resume();
    channel.on("data", (chunk: Buffer) => {
      if (!to.write(chunk)) {
        channel.pause();
        to.once("drain", () => channel.resume());
      }
    });
  });
}

function sendResizes(conn: ChannelConn, events: AsyncIterable<TerminalSize> | undefined): () => void {
  if (!events) return () => undefined;
  const it = events[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    for (;;) {
      const next = await it.next().catch(() => ({ done: true as const, value: undefined }));
      if (stopped || next.done) return;
      const { width, height } = next.value;
      conn.send(RESIZE_CHANNEL, resizeMessage(width, height));
    }
  })();
  return () => {
    stopped = true;
    void it.return?.();
  };
}

/** The error channel's Status → exit code (client-go remotecommand/v4.go errorDecoderV4). Empty means success. */
export function decodeStatus(raw: Buffer): number {
  if (raw.length === 0) return 0;
  let status: Status;
  try {
    status = JSON.parse(raw.toString("utf8")) as Status;
  } catch {
    throw new StreamError(`error stream protocol error: ${raw.toString("utf8")}`);
  }
  if (status.status === "Success") return 0;
  if (status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  throw new StreamError(status.message ?? "error executing remote command", status);
}
