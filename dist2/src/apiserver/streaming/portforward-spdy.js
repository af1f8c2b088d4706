import { SpdySession } from "../../wire/spdy-session.js";
const STREAM_PAIR_TIMEOUT_MS = 30_000;
/**
 * The request id of a stream; old clients sent none, and paired stream N (error) with N+2 (data) — the same
 * fallback as the kubelet's httpStreamHandler.requestID.
 */
function requestId(stream) {
    const id = stream.headers["requestid"];
    if (id)
        return id;
    return String(stream.headers["streamtype"] === "data" ? stream.id - 2 : stream.id);
}
/** A SPDY session serving port-forward streams over `transport`. The caller feeds it input and reports close. */
export function portForwardSession(transport, ctx) {
    const pairs = new Map();
    const session = new SpdySession(transport, {
        role: "server",
        onStream(stream) {
            const type = stream.headers["streamtype"];
            if (type !== "error" && type !== "data")
                return void stream.destroy();
            stream.reply();
            const id = requestId(stream);
            let pair = pairs.get(id);
            if (!pair) {
                const timer = setTimeout(() => abandon(id), STREAM_PAIR_TIMEOUT_MS);
                pair = { timer };
                pairs.set(id, pair);
            }
            if (pair[type])
                return void stream.destroy(); // duplicate
            pair[type] = stream;
            if (pair.error && pair.data) {
                clearTimeout(pair.timer);
                pairs.delete(id);
                void forward(ctx, pair.error, pair.data);
            }
        },
        onClose() {
            for (const id of [...pairs.keys()])
                abandon(id);
        },
    });
    function abandon(id) {
        const pair = pairs.get(id);
        if (!pair)
            return;
        clearTimeout(pair.timer);
        pairs.delete(id);
        pair.error?.destroy();
        pair.data?.destroy();
    }
    return session;
}
async function forward(ctx, error, data) {
    error.resume(); // the client only FINs it
    const portText = data.headers["port"] ?? "";
    const port = Number(portText);
    let upstream;
    try {
        if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
            throw new Error(`invalid port "${portText}"`);
        upstream = await ctx.io.portForward(ctx.pod, port);
    }
    catch (e) {
        const { namespace, name, uid } = ctx.pod.metadata;
        const why = e instanceof Error ? e.message : String(e);
        error.end(`error forwarding port ${portText} to pod ${namespace ?? "default"}/${name}, uid ${uid ?? ""}: ${why}`);
        data.resume();
        data.end();
        return;
    }
    if (data.destroyed)
        return void upstream.destroy(); // the client or the session went away while we dialled
    splice(upstream, data, error);
}
/**
 * Pod connection ⇄ data stream, with half-close both ways. A connection the pod resets simply ends the stream
 * (unlike the kubelet, which reports it on the error stream and so makes kubectl drop every forwarded connection).
 */
export function splice(upstream, data, error) {
    const socketLike = upstream;
    socketLike.setNoDelay?.(true);
    upstream.on("error", () => undefined); // "close" follows and cleans up
    upstream.pipe(data); // pod EOF → FIN
    data.pipe(upstream); // client FIN → half-close towards the pod
    upstream.on("close", () => {
        if (!data.writableEnded && !data.destroyed)
            data.end();
        if (!error.writableEnded && !error.destroyed)
            error.end();
    });
    data.on("close", () => upstream.destroy()); // both directions done, or reset by the client
}
//# sourceMappingURL=portforward-spdy.js.map