/**
 * exec/attach over SPDY/3.1 (kubectl's fallback, `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`). The client opens one
 * stream per channel, named by the `streamtype` header (error, stdin, stdout, stderr, resize); we reply to each at
 * once (client-go blocks in CreateStream until the SYN_REPLY), wait until every stream the query implies exists
 * (kubelet cri/streaming/remotecommand/httpstream.go waitForStreams), run the session, put the outcome on the
 * error stream (JSON Status for v4, text before), and FIN our side of every stream. kubectl then closes the
 * connection itself.
 */
import type { Duplex } from "node:stream";
import type { StreamContext } from "./index.js";
import type { ExecOptions } from "../pod-io.js";
import { type ExecOutcome, ResizeParser, statusV1, statusV4, usesJsonStatus } from "./exec-request.js";
import { type ExecChannels, execOptions, GoneSignal, runExec } from "./exec-session.js";
import { SpdySession } from "./spdy-session.js";
import type { SpdyStream } from "./spdy-stream.js";
import { attachSocket, socketTransport } from "./transports.js";

/** X-Stream-Protocol-Version values we accept, preferred first (v5 over SPDY is v4, client-go remotecommand/v5.go). */
export const EXEC_SPDY_PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];

const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** After the outcome is sent, the client closes the connection; this is how long we wait for it to do so. */
const CLIENT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * The streams the client will open (client-go tools/remotecommand/v2.go, v3.go createStreams), read from the raw
 * query so that an invalid request still gets its Status on the error stream.
 */
function expectedStreams(query: URLSearchParams, protocol: string): string[] {
  const on = (name: string): boolean => query.get(name) === "true" || query.get(name) === "1";
  const types = ["error"];
  if (on("stdin")) types.push("stdin");
  if (on("stdout")) types.push("stdout");
  if (on("stderr") && !on("tty")) types.push("stderr");
  if (on("tty") && protocol !== "channel.k8s.io" && protocol !== "v2.channel.k8s.io") types.push("resize");
  return types;
}

/** Serves one exec/attach session on a socket upgraded to SPDY/3.1. */
export function serveExecSpdy(socket: Duplex, head: Buffer, protocol: string, ctx: StreamContext): void {
  let opts: ExecOptions | null = null;
  let problem: unknown = null;
  try {
    opts = execOptions(ctx);
  } catch (error) {
    problem = error;
  }
  const expected = expectedStreams(ctx.query, protocol);
  const streams = new Map<string, SpdyStream>();
  const gone = new GoneSignal();
  let state: "waiting" | "running" | "finished" = "waiting";
  const session = new SpdySession(socketTransport(socket), {
    role: "server",
    onStream(stream) {
      const type = stream.headers["streamtype"] ?? "";
      if (state !== "waiting" || !expected.includes(type) || streams.has(type)) return void stream.destroy();
      stream.reply();
      streams.set(type, stream);
      if (streams.size === expected.length) start();
    },
    onClose() {
      clearTimeout(timer);
      clearTimeout(lingering);
      if (state !== "finished") gone.fire();
      state = "finished";
    },
  });
  const timer = setTimeout(() => session.close(), STREAM_CREATION_TIMEOUT_MS);
  let lingering: NodeJS.Timeout | undefined;
  attachSocket(socket, session, head);

  function start(): void {
    clearTimeout(timer);
    state = "running";
    // Only stdin and resize carry client data; anything sent on the others is discarded.
    for (const [type, s] of streams) if (type !== "stdin" && type !== "resize") s.resume();
    const resize = new ResizeParser();
    streams.get("resize")?.on("data", (chunk: Buffer) => resize.push(chunk));
    const channels: ExecChannels = {
      stdin: (opts?.stdin && streams.get("stdin")) || null,
      stdout: (opts?.stdout && streams.get("stdout")) || null,
      stderr: (opts?.stderr && streams.get("stderr")) || null,
      onResize: (handler) => resize.setHandler(handler),
      onGone: (handler) => gone.on(handler),
      finish,
    };
    if (opts) void runExec(ctx, opts, channels);
    else {
      streams.get("stdin")?.resume();
      finish({ error: problem });
    }
  }

  function finish(outcome: ExecOutcome): void {
    if (state === "finished") return;
    state = "finished";
    const status = usesJsonStatus(protocol) ? statusV4(outcome) : statusV1(outcome);
    for (const [type, s] of streams) {
      if (type === "error") s.end(status);
      else if (!s.writableEnded) s.end();
    }
    lingering = setTimeout(() => session.close(false), CLIENT_CLOSE_TIMEOUT_MS);
  }
}
