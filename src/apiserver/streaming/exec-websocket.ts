/**
 * exec/attach over a WebSocket with the Kubernetes channel protocols (kubelet cri/streaming/remotecommand/
 * websocket.go, client-go tools/remotecommand/websocket.go; the channels are api/remotecommand.ts's). The session
 * ends with the outcome on the error channel, then a Close frame with code 1000 — kubectl reports "close 1006" if the
 * TCP connection just drops.
 */
import type { StreamContext } from "./context.js";
import { ChannelConn, framingFor } from "../../wire/channel-conn.js";
import { type ExecOutcome, statusV1, statusV4, usesJsonStatus } from "./exec-request.js";
import { ERROR_CHANNEL, RESIZE_CHANNEL, ResizeParser, STDERR_CHANNEL, STDIN_CHANNEL, STDOUT_CHANNEL } from "../../api/remotecommand.js";
import { type ExecChannels, execOptions, GoneSignal, runExec } from "./exec-session.js";
import type { WsConnection } from "../../wire/websocket-conn.js";
import type { ExecOptions } from "../../api/pod-io.js";

/** Subprotocols we accept, preferred first; "" = a client that offers none (legacy binary channels). */
export const EXEC_WEBSOCKET_PROTOCOLS = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v4.base64.channel.k8s.io",
  "channel.k8s.io",
  "base64.channel.k8s.io",
  "",
] as const;

/** Serves one exec/attach session on an upgraded WebSocket; closes it when done. */
export function serveExecWebSocket(ws: WsConnection, protocol: string, ctx: StreamContext): void {
  const conn = new ChannelConn(ws, framingFor(protocol));
  let opts: ExecOptions | null = null;
  let problem: unknown = null;
  try {
    opts = execOptions(ctx);
  } catch (error) {
    problem = error;
  }
  const stdin = conn.inbound(STDIN_CHANNEL);
  if (!opts?.stdin) stdin.resume(); // unread stdin must not stall the socket
  const resize = new ResizeParser();
  const gone = new GoneSignal();
  let finished = false;
  conn.inbound(RESIZE_CHANNEL).on("data", (chunk: Buffer) => resize.push(chunk));
  conn.start(() => {
    if (!finished) gone.fire();
  });
  const channels: ExecChannels = {
    stdin: opts?.stdin ? stdin : null,
    stdout: opts?.stdout ? conn.outbound(STDOUT_CHANNEL) : null,
    stderr: opts?.stderr ? conn.outbound(STDERR_CHANNEL) : null,
    onResize: (handler) => resize.setHandler(handler),
    onGone: (handler) => gone.on(handler),
    finish(outcome: ExecOutcome) {
      if (finished) return;
      finished = true;
      const status = usesJsonStatus(protocol) ? statusV4(outcome) : statusV1(outcome);
      if (status.length) conn.send(ERROR_CHANNEL, status);
      ws.close(1000);
    },
  };
  if (!opts) return channels.finish({ error: problem });
  // Like the kubelet: an empty message on the first writable channel tells older clients the streams are ready.
  conn.send(opts.stdout ? STDOUT_CHANNEL : opts.stderr ? STDERR_CHANNEL : ERROR_CHANNEL, Buffer.alloc(0));
  void runExec(ctx, opts, channels);
}
