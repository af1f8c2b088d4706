/**
 * Runs one exec or attach session between a protocol's channels (WebSocket or SPDY) and the pod's PodIO session:
 * stdin in, stdout/stderr out with backpressure, resize events, then exactly one outcome (exit code or error).
 * The protocol modules only frame bytes; the session logic lives here once.
 */
import type { Readable, Writable } from "node:stream";
import type { StreamContext } from "./context.js";
import type { ExecOptions, ExecSession } from "../../api/pod-io.js";
import { type ExecOutcome, parseExecQuery } from "./exec-request.js";

/** What a protocol provides for one session. Channels the client did not ask for are null. */
export interface ExecChannels {
  stdin: Readable | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** Registers the resize handler (TTY sessions). */
  onResize(handler: (width: number, height: number) => void): void;
  /** Registers what to do if the client disconnects before the outcome is known (at once if it already has). */
  onGone(handler: () => void): void;
  /** Reports the outcome on the error channel and ends the connection. Called once. */
  finish(outcome: ExecOutcome): void;
}

/** "The client went away": handlers registered after it fired run at once, so a late session is still killed. */
export class GoneSignal {
  private handlers: (() => void)[] = [];
  private fired = false;

  on(handler: () => void): void {
    if (this.fired) handler();
    else this.handlers.push(handler);
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    for (const h of this.handlers.splice(0)) h();
  }
}

/** How long to wait, after the process exits, for output still held open by its children (e.g. `sleep 100 &`). */
const OUTPUT_GRACE_MS = 2000;

/** Parses the query (exec needs a command, attach not); throws ApiError on bad input. */
export function execOptions(ctx: StreamContext): ExecOptions {
  return parseExecQuery(ctx.query, ctx.pod, ctx.subresource === "exec");
}

/** Starts the session and reports its outcome through `channels.finish`. Never throws. */
export async function runExec(ctx: StreamContext, opts: ExecOptions, channels: ExecChannels): Promise<void> {
  let session: ExecSession;
  try {
    session =
      ctx.subresource === "attach"
        ? await ctx.io.attach(ctx.pod, { ...opts })
        : await ctx.io.exec(ctx.pod, opts);
  } catch (error) {
    channels.stdin?.resume(); // drain whatever the client sends meanwhile
    channels.finish({ error });
    return;
  }
  let gone = false;
  channels.onGone(() => {
    gone = true;
    session.kill();
  });
  wireStdin(channels.stdin, session.stdin);
  channels.onResize((w, h) => session.resize(w, h));
  const outputs = [pump(session.stdout, channels.stdout), pump(session.stderr, channels.stderr)];
  let outcome: ExecOutcome;
  try {
    outcome = { exitCode: await session.exit };
  } catch (error) {
    outcome = { error };
  }
  await Promise.all(outputs.map((o) => o.done(OUTPUT_GRACE_MS)));
  if (!gone) channels.finish(outcome);
}

/** Client stdin → process stdin. The process may exit without reading it all: EPIPE is expected, not an error. */
function wireStdin(from: Readable | null, to: ExecSession["stdin"]): void {
  if (!from) return;
  if (!to) {
    from.resume();
    return;
  }
  to.on("error", () => from.resume());
  from.pipe(to);
}

interface Pump {
  /** Resolves once all output reached the channel, or `graceMs` after being asked if the source never ends. */
  done(graceMs: number): Promise<void>;
}

/** Process output → channel, respecting the channel's backpressure. A missing side drains or closes the other. */
function pump(from: Readable | null, to: Writable | null): Pump {
  if (!from) {
    to?.end();
    return { done: () => (to ? finished(to) : Promise.resolve()) };
  }
  if (!to) {
    from.resume();
    return { done: () => Promise.resolve() };
  }
  from.on("error", () => to.end());
  from.pipe(to);
  return {
    done(graceMs) {
      const timer = setTimeout(() => {
        from.unpipe(to);
        to.end();
      }, graceMs);
      return finished(to).then(() => clearTimeout(timer));
    },
  };
}

function finished(w: Writable): Promise<void> {
  if (w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once("finish", resolve);
    w.once("close", resolve);
  });
}
