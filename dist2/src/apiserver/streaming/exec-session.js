import { parseExecQuery } from "./exec-request.js";
/** "The client went away": handlers registered after it fired run at once, so a late session is still killed. */
export class GoneSignal {
    handlers = [];
    fired = false;
    on(handler) {
        if (this.fired)
            handler();
        else
            this.handlers.push(handler);
    }
    fire() {
        if (this.fired)
            return;
        this.fired = true;
        for (const h of this.handlers.splice(0))
            h();
    }
}
/** How long to wait, after the process exits, for output still held open by its children (e.g. `sleep 100 &`). */
const OUTPUT_GRACE_MS = 2000;
/** Parses the query (exec needs a command, attach not); throws ApiError on bad input. */
export function execOptions(ctx) {
    return parseExecQuery(ctx.query, ctx.pod, ctx.subresource === "exec");
}
/** Starts the session and reports its outcome through `channels.finish`. Never throws. */
export async function runExec(ctx, opts, channels) {
    let session;
    try {
        session =
            ctx.subresource === "attach"
                ? await ctx.io.attach(ctx.pod, { ...opts })
                : await ctx.io.exec(ctx.pod, opts);
    }
    catch (error) {
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
    let outcome;
    try {
        outcome = { exitCode: await session.exit };
    }
    catch (error) {
        outcome = { error };
    }
    await Promise.all(outputs.map((o) => o.done(OUTPUT_GRACE_MS)));
    if (!gone)
        channels.finish(outcome);
}
/** Client stdin → process stdin. The process may exit without reading it all: EPIPE is expected, not an error. */
function wireStdin(from, to) {
    if (!from)
        return;
    if (!to) {
        from.resume();
        return;
    }
    to.on("error", () => from.resume());
    from.pipe(to);
}
/** Process output → channel, respecting the channel's backpressure. A missing side drains or closes the other. */
function pump(from, to) {
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
function finished(w) {
    if (w.writableFinished || w.destroyed)
        return Promise.resolve();
    return new Promise((resolve) => {
        w.once("finish", resolve);
        w.once("close", resolve);
    });
}
//# sourceMappingURL=exec-session.js.map