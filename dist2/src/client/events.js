import { ConnectionError } from "./connection-error.js";
import { errorFromResponse, errorFromStatus } from "./errors.js";
/** Collects a failed response's body and reports its ApiError. */
export function collectError(res, fail) {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => fail(errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks))));
}
/** Reads newline-delimited watch events; ERROR events fail the watch. */
export function readEvents(res, onEvent, fail, end) {
    let buf = "";
    let failed = false;
    const line = (text) => {
        if (!text.trim() || failed)
            return;
        const ev = JSON.parse(text);
        if (ev.type === "ERROR") {
            failed = true;
            return fail(errorFromStatus(ev.object, 500));
        }
        onEvent(ev);
    };
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
        buf += chunk;
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            const text = buf.slice(0, i);
            buf = buf.slice(i + 1);
            try {
                line(text);
            }
            catch (err) {
                failed = true;
                fail(err);
            }
        }
    });
    res.on("end", () => {
        try {
            line(buf);
        }
        catch (err) {
            return fail(err);
        }
        if (!failed)
            end();
    });
    res.on("error", fail);
    res.on("aborted", () => fail(new ConnectionError("the watch connection was closed", "ECONNRESET")));
}
//# sourceMappingURL=events.js.map