import { ApiError } from "../../api/errors.js";
import { resolveContainer } from "../containers.js";
import { queryBool, queryInt, sendError } from "../http.js";
import { loadObject } from "./common.js";
export function logOptions(pod, q) {
    const opts = { container: resolveContainer(pod, q.get("container")) };
    if (queryBool(q, "follow"))
        opts.follow = true;
    if (queryBool(q, "previous"))
        opts.previous = true;
    if (queryBool(q, "timestamps"))
        opts.timestamps = true;
    for (const key of ["tailLines", "sinceSeconds", "limitBytes"]) {
        const v = queryInt(q, key);
        if (v === undefined)
            continue;
        if (v < (key === "tailLines" ? 0 : 1))
            throw ApiError.badRequest(`${key}: Invalid value: ${v}: must be greater than ${key === "tailLines" ? "or equal to 0" : "0"}`);
        opts[key] = v;
    }
    const since = q.get("sinceTime");
    if (since) {
        if (Number.isNaN(Date.parse(since)))
            throw ApiError.badRequest(`sinceTime: Invalid value: "${since}": not an RFC 3339 time`);
        if (opts.sinceSeconds !== undefined)
            throw ApiError.badRequest("at most one of sinceTime or sinceSeconds may be specified");
        opts.sinceTime = since;
    }
    return opts;
}
export async function streamLogs(call) {
    const pod = loadObject(call);
    const stream = await call.ctx.podIO.logs(pod, logOptions(pod, call.query));
    const { res } = call;
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on("close", () => stream.destroy());
    res.on("error", () => stream.destroy());
    stream.on("error", (err) => sendError(res, err));
    stream.pipe(res);
}
//# sourceMappingURL=logs.js.map