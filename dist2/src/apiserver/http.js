import { ApiError, FieldError } from "../api/errors.js";
/** Writes `body` as JSON. kubectl gets JSON even when it lists protobuf first in Accept. */
export function sendJson(res, code, body, contentType = "application/json") {
    const data = JSON.stringify(body);
    res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) });
    res.end(data);
}
/** Turns anything thrown into an ApiError: FieldErrors become 422 Invalid, the rest 500 InternalError. */
export function toApiError(err) {
    if (err instanceof ApiError)
        return err;
    if (err instanceof FieldError)
        return ApiError.invalid("", "", [err]);
    const message = err instanceof Error ? err.message : String(err);
    return new ApiError("InternalError", `Internal error occurred: ${message}`);
}
/** Sends an error as a Status, or just ends the response when headers are already out (a broken stream). */
export function sendError(res, err) {
    const status = toApiError(err).toStatus();
    if (res.headersSent) {
        res.destroy();
        return;
    }
    sendJson(res, status.code, status);
}
/** A success Status, as upstream returns for deletes that leave nothing to show. */
export function successStatus(details) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details, code: 200 };
}
const MAX_BODY = 3 * 1024 * 1024; // upstream's default request size limit
/** Reads the whole request body. Throws ApiError 413-ish BadRequest when it is larger than upstream accepts. */
export async function readBody(req) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_BODY)
            throw new ApiError("BadRequest", "the request body is too large", {}, 413);
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
/** Parses a JSON body; a syntax error is a 400 that says where. */
export function parseJson(body) {
    const text = body.toString("utf8");
    if (text.trim() === "")
        throw ApiError.badRequest("the request body is empty");
    try {
        return JSON.parse(text);
    }
    catch (err) {
        throw ApiError.badRequest(`the request body is not valid JSON: ${err.message}`);
    }
}
export function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
/** The media type without parameters, lower case: `application/json`. */
export function baseMediaType(contentType) {
    return (contentType ?? "").split(";")[0].trim().toLowerCase();
}
/** A query parameter as a boolean the way Go's strconv.ParseBool reads it. */
export function queryBool(q, name) {
    const v = q.get(name);
    return v === "true" || v === "1" || v === "True" || v === "TRUE" || v === "t";
}
/** A non-negative integer query parameter, or undefined; anything else is a 400. */
export function queryInt(q, name) {
    const v = q.get(name);
    if (v === null || v === "")
        return undefined;
    if (!/^-?\d+$/.test(v))
        throw ApiError.badRequest(`invalid value for ${name}: "${v}" is not an integer`);
    return Number(v);
}
//# sourceMappingURL=http.js.map