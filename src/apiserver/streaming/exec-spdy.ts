/**
 * exec/attach over SPDY/3.1 (kubectl's fallback, `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`). The client opens one
 * stream per channel, named by the `streamtype` header (error, stdin, stdout, stderr, resize); we reply to each at
 * once (client-go blocks in CreateStream until the SYN_REPLY), wait until every stream the query implies exists
 * (kubelet cri/streaming/remotecommand/httpstream.go waitForStreams), run the session, put the outcome on the
 * error stream (JSON Status for v4, text before), and FIN our side of every stream. kubectl then closes the
 * connection itself.
 */
import type { Duplex } from "node:stream";
import type { StreamContext } from "./context.js";
import type { ExecOptions } from "../../api/pod-io.js";
import { type ExecOutcome, statusV1, statusV4, usesJsonStatus } from "./exec-request.js";
import { ResizeParser } from "../../api/remotecommand.js";
import { type ExecChannels, execOptions, GoneSignal, runExec } from "./exec-session.js";
import { SpdySession } from "../../wire/spdy-session.js";
import type { SpdyStream } from "../../wire/spdy-stream.js";
import { attachSocket, socketTransport } from "../../wire/transports.js";

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
  new SpdyExecSession(socket, head, protocol, ctx);
}

/** One session: collects the client's streams, runs the command, reports the outcome. */
class SpdyExecSession {
  private readonly opts: ExecOptions | null = null;
  private readonly problem: unknown = null;
  private readonly expected: string[];
  private readonly streams = new Map<string, SpdyStream>();
  private readonly gone = new GoneSignal();
  private readonly session: SpdySession;
  private state: "waiting" | "running" | "finished" = "waiting";
  private readonly timer: NodeJS.Timeout;
  private lingering: NodeJS.Timeout | undefined;

  constructor(
    socket: Duplex,
    head: Buffer,
    private readonly protocol: string,
    private readonly ctx: StreamContext,
  ) {
    try {
      this.opts = execOptions(ctx);
    } catch (error) {
      this.problem = error;
    }
    this.expected = expectedStreams(ctx.query, protocol);
    this.session = new SpdySession(socketTransport(socket), {
      role: "server",
      onStream: (stream) => this.onStream(stream),
      onClose: () => this.onClose(),
    });
    this.timer = setTimeout(() => this.session.close(), STREAM_CREATION_TIMEOUT_MS);
    attachSocket(socket, this.session, head);
  }

  private onStream(stream: SpdyStream): void {
    const type = stream.headers["streamtype"] ?? "";
    if (this.state !== "waiting" || !this.expected.includes(type) || this.streams.has(type)) return void stream.destroy();
    stream.reply();
    this.streams.set(type, stream);
    if (this.streams.size === this.expected.length) this.start();
  }

  private onClose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.lingering);
    if (this.state !== "finished") this.gone.fire();
    this.state = "finished";
  }

  private start(): void {
    clearTimeout(this.timer);
    this.state = "running";
    // Only stdin and resize carry client data; anything sent on the others is discarded.
    for (const [type, s] of this.streams) if (type !== "stdin" && type !== "resize") s.resume();
    const resize = new ResizeParser();
    this.streams.get("resize")?.on("data", (chunk: Buffer) => resize.push(chunk));
    const { opts, streams } = this;
    const channels: ExecChannels = {
      stdin: (opts?.stdin && streams.get("stdin")) || null,
      stdout: (opts?.stdout && streams.get("stdout")) || null,
      stderr: (opts?.stderr && streams.get("stderr")) || null,
      onResize: (handler) => resize.setHandler(handler),
      onGone: (handler) => this.gone.on(handler),
      finish: (outcome) => this.finish(outcome),
    };
    if (opts) return void runExec(this.ctx, opts, channels);
    streams.get("stdin")?.resume();
    this.finish({ error: this.problem });
  }

  /** The outcome on the error stream, FIN on ours; the client then closes the connection (or we do, later). */
  private finish(outcome: ExecOutcome): void {
    if (this.state === "finished") return;
    this.state = "finished";
    const status = usesJsonStatus(this.protocol) ? statusV4(outcome) : statusV1(outcome);
    for (const [type, s] of this.streams) {
      if (type === "error") s.end(status);
      else if (!s.writableEnded) s.end();
    }
    this.lingering = setTimeout(() => this.session.close(false), CLIENT_CLOSE_TIMEOUT_MS);
  }
}
