/**
 * The remotecommand protocol's channels as exec and attach use them over a WebSocket (k8s.io/apimachinery
 * pkg/util/remotecommand, client-go tools/remotecommand/websocket.go): one byte in front of each message says which
 * stream it belongs to. The API server, the CLI's client and the control plane's kubelet client speak it; the framing
 * itself is wire/channel-conn.ts. SPDY carries the same streams as streams of their own, its resize stream the same
 * messages.
 */

/** What our clients offer for exec and attach, preferred first: v5 carries stdin's end (kubectl 1.32 speaks it). */
export const EXEC_CLIENT_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
/** The session's outcome: a Status (v4 and later) or text (v1-v3). */
export const ERROR_CHANNEL = 3;
/** Terminal sizes, `{"Width":W,"Height":H}` each (what json.Encoder writes: one object a line). */
export const RESIZE_CHANNEL = 4;

/** One terminal size as the client sends it on the resize channel. */
export function resizeMessage(width: number, height: number): Buffer {
  return Buffer.from(JSON.stringify({ Width: width, Height: height }) + "\n");
}

/** Parses resize messages (WebSocket channel 4, or SPDY's resize stream) as they arrive, in any chunks. */
export class ResizeParser {
  private text = "";
  private onSize: ((width: number, height: number) => void) | null = null;
  private last: [number, number] | null = null;

  /**
   * Sets the handler. kubectl sends the terminal size first, usually before the session has started: the latest
   * size seen so far is replayed to the new handler.
   */
  setHandler(onSize: (width: number, height: number) => void): void {
    this.onSize = onSize;
    if (this.last) onSize(...this.last);
  }

  push(chunk: Buffer): void {
    this.text += chunk.toString("utf8");
    let end: number;
    while ((end = this.text.indexOf("}")) >= 0) {
      const candidate = this.text.slice(0, end + 1);
      this.text = this.text.slice(end + 1);
      try {
        const size = JSON.parse(candidate.slice(candidate.indexOf("{"))) as { Width?: unknown; Height?: unknown };
        if (typeof size.Width === "number" && typeof size.Height === "number") {
          this.last = [size.Width, size.Height];
          this.onSize?.(size.Width, size.Height);
        }
      } catch {
        // a malformed resize event is ignored, as the kubelet only logs it
      }
    }
    if (this.text.length > 4096) this.text = "";
  }
}
