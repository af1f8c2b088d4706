/**
 * RFC 6902 JSON Patch (application/json-patch+json) and RFC 6901 JSON Pointers.
 *
 * Errors, as the API server reports them: a patch that is not a list of well-formed operations is a 400 Bad
 * Request; an operation that cannot be applied (missing path, failed `test`) is a 422 Invalid whose message says
 * which operation failed, in the words of the json-patch library the API server uses.
 */
import { ApiError } from "./errors.js";
import { clone, deepEqual, isObject } from "./json.js";
const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);
/** Splits a JSON pointer into unescaped tokens ("/a~1b/c~0d" → ["a/b", "c~d"]); "" is the whole document. */
export function parsePointer(pointer) {
    if (pointer === "")
        return [];
    if (!pointer.startsWith("/"))
        throw ApiError.badRequest(`invalid JSON pointer "${pointer}": must start with "/"`);
    return pointer
        .slice(1)
        .split("/")
        .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}
function unprocessable(message) {
    return new ApiError("Invalid", message);
}
function decode(patch) {
    if (!Array.isArray(patch))
        throw ApiError.badRequest("json patch must be a JSON array of operations");
    return patch.map((raw, i) => {
        if (!isObject(raw))
            throw ApiError.badRequest(`json patch operation ${i} is not an object`);
        const op = raw["op"];
        if (typeof op !== "string" || !OPS.has(op))
            throw ApiError.badRequest(`Unexpected kind: ${String(op)}`);
        if (typeof raw["path"] !== "string")
            throw ApiError.badRequest(`json patch operation ${i} (${op}) is missing "path"`);
        if ((op === "move" || op === "copy") && typeof raw["from"] !== "string") {
            throw ApiError.badRequest(`json patch operation ${i} (${op}) is missing "from"`);
        }
        if ((op === "add" || op === "replace" || op === "test") && !("value" in raw)) {
            throw ApiError.badRequest(`json patch operation ${i} (${op}) is missing "value"`);
        }
        return raw;
    });
}
/** The container addressed by all tokens but the last, and that last token. */
function locate(doc, tokens) {
    let cur = doc;
    for (const t of tokens.slice(0, -1))
        cur = childOf(cur, t);
    return { parent: cur, last: tokens[tokens.length - 1] };
}
function arrayIndex(arr, token, allowEnd) {
    if (token === "-")
        return allowEnd ? arr.length : undefined;
    if (!/^(0|[1-9][0-9]*)$/.test(token))
        return undefined;
    const i = Number(token);
    return i < arr.length || (allowEnd && i === arr.length) ? i : undefined;
}
function childOf(v, token) {
    if (Array.isArray(v)) {
        const i = arrayIndex(v, token, false);
        return i === undefined ? undefined : v[i];
    }
    return isObject(v) && Object.hasOwn(v, token) ? v[token] : undefined;
}
function get(doc, pointer) {
    return parsePointer(pointer).reduce((cur, t) => childOf(cur, t), doc);
}
function add(doc, pointer, value) {
    const tokens = parsePointer(pointer);
    if (tokens.length === 0)
        return value;
    const { parent, last } = locate(doc, tokens);
    if (Array.isArray(parent)) {
        const i = arrayIndex(parent, last, true);
        if (i === undefined)
            throw unprocessable(`add operation does not apply: doc is missing path: "${pointer}": missing value`);
        parent.splice(i, 0, value);
    }
    else if (isObject(parent)) {
        parent[last] = value;
    }
    else {
        throw unprocessable(`add operation does not apply: doc is missing path: "${pointer}": missing value`);
    }
    return doc;
}
function remove(doc, pointer, opName = "remove") {
    const tokens = parsePointer(pointer);
    const { parent, last } = locate(doc, tokens);
    if (tokens.length > 0 && Array.isArray(parent)) {
        const i = arrayIndex(parent, last, false);
        if (i !== undefined) {
            parent.splice(i, 1);
            return doc;
        }
    }
    else if (tokens.length > 0 && isObject(parent) && Object.hasOwn(parent, last)) {
        delete parent[last];
        return doc;
    }
    throw unprocessable(`${opName} operation does not apply: doc is missing path: "${pointer}": missing value`);
}
function applyOne(doc, op) {
    switch (op.op) {
        case "add":
            return add(doc, op.path, clone(op.value));
        case "remove":
            return remove(doc, op.path);
        case "replace":
            if (op.path === "")
                return clone(op.value);
            return add(remove(doc, op.path, "replace"), op.path, clone(op.value));
        case "move": {
            if (op.path.startsWith(`${op.from}/`))
                throw unprocessable(`move operation does not apply: "${op.from}" is a prefix of "${op.path}"`);
            const value = get(doc, op.from);
            if (value === undefined)
                throw unprocessable(`move operation does not apply: doc is missing from path: "${op.from}": missing value`);
            return add(remove(doc, op.from, "move"), op.path, value);
        }
        case "copy": {
            const value = get(doc, op.from);
            if (value === undefined)
                throw unprocessable(`copy operation does not apply: doc is missing from path: "${op.from}": missing value`);
            return add(doc, op.path, clone(value));
        }
        case "test":
            // A missing value tests equal to null, as in the json-patch library the API server uses.
            if (!deepEqual(get(doc, op.path) ?? null, op.value ?? null)) {
                throw unprocessable(`testing value ${op.path} failed: test failed`);
            }
            return doc;
    }
}
/** Applies the operations in order to a copy of `target`; the first failing operation aborts the whole patch. */
export function jsonPatch(target, patch) {
    const ops = decode(patch);
    return ops.reduce((doc, op) => applyOne(doc, op), clone(target));
}
//# sourceMappingURL=json-patch.js.map