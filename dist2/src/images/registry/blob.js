/**
 * A blob as a verified, resumable stream. Bytes are hashed as they pass; more than the descriptor's size is an error
 * at once; at the end the digest must match or the stream fails (so a consumer that commits on 'end' never commits
 * bad content). A connection that drops or stalls before `size` bytes is resumed with `Range: bytes=N-`
 * (distribution-spec: registries SHOULD support it); a 206 must start at N, and a 200 (Range ignored) is read from
 * the start with the first N bytes skipped. Retries are bounded and counted only when a response made no progress.
 */
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import { RegistryError, statusError } from "./errors.js";
import { readBody } from "./transport.js";
/** Resolves once the first response is 200 (or 206); rejects on 401/403/404 or any other status before any data. */
export async function openVerifiedBlob(open, desc, ctx, maxStalls) {
    const first = await open();
    await expectOk(first, 0, ctx);
    const [alg, hex] = desc.digest.split(":");
    const hash = createHash(alg);
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    let received = 0;
    let stalls = 0;
    let current;
    out.on("drain", () => current?.body.resume());
    out.on("close", () => current?.body.destroy());
    const fail = (err) => {
        current?.body.destroy();
        out.destroy(err);
    };
    const attach = (res, skip) => {
        current = res;
        const before = received;
        let toSkip = skip;
        res.body.on("data", (chunk) => {
            if (toSkip > 0) {
                if (chunk.length <= toSkip) {
                    toSkip -= chunk.length;
                    return;
                }
                chunk = chunk.subarray(toSkip);
                toSkip = 0;
            }
            received += chunk.length;
            if (received > desc.size) {
                fail(new RegistryError("digest-mismatch", ctx, `blob is longer than the ${desc.size} bytes its descriptor gives`));
                return;
            }
            hash.update(chunk);
            if (!out.write(chunk))
                res.body.pause();
        });
        let ended = false;
        const finished = (cause) => {
            if (ended || out.destroyed)
                return;
            ended = true;
            if (received === desc.size && cause === undefined) {
                const actual = hash.digest("hex");
                if (actual !== hex)
                    fail(new RegistryError("digest-mismatch", ctx, `blob digest mismatch: the ${received} bytes hash to ${alg}:${actual}, not ${desc.digest}`));
                else
                    out.end();
                return;
            }
            if (received === before)
                stalls++;
            else
                stalls = 0;
            if (stalls > maxStalls) {
                fail(new RegistryError("connection", ctx, `download stopped at byte ${received} of ${desc.size}: ${cause ?? "connection closed early"} (${maxStalls} resumes made no progress)`));
                return;
            }
            void resume();
        };
        res.body.on("end", () => finished(received < desc.size ? "connection closed early" : undefined));
        res.body.on("error", (err) => finished(err.message));
        res.body.on("aborted", () => finished("connection aborted"));
    };
    const resume = async () => {
        try {
            const res = await open(`bytes=${received}-`);
            if (out.destroyed) {
                res.body.destroy();
                return;
            }
            const skip = await expectOk(res, received, ctx);
            attach(res, skip);
        }
        catch (err) {
            // A resume that cannot connect is one more stall; anything else (404, a bad Content-Range) ends the stream.
            if (err instanceof RegistryError && err.kind === "connection" && ++stalls <= maxStalls)
                void resume();
            else
                fail(err);
        }
    };
    attach(first, 0);
    return out;
}
/** Checks a blob response; returns how many leading bytes to skip (a 200 to a Range request starts at 0). */
async function expectOk(res, from, ctx) {
    if (res.status === 200)
        return from;
    if (res.status === 206 && from > 0) {
        const range = String(res.headers["content-range"] ?? "");
        const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(range);
        if (!m || Number(m[1]) !== from) {
            res.body.destroy();
            throw new RegistryError("protocol", ctx, `resume at byte ${from} answered with Content-Range "${range.slice(0, 60)}"`);
        }
        return 0;
    }
    const body = await readBody(res, 64 << 10, "the error answer").catch(() => Buffer.alloc(0));
    throw statusError(res.status, body, ctx);
}
//# sourceMappingURL=blob.js.map