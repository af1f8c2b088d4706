/**
 * Plain-JSON helpers shared by the API layer: type guards, deep copy, deep equality and a stable serializer.
 * Everything here works on values that came out of JSON.parse (objects, arrays, strings, numbers, booleans, null).
 */
/** True for a JSON object (not an array, not null). */
export function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
/** The JSON type of a value, named the way Go's encoding/json names it in errors ("object", "array", "number"...). */
export function jsonType(v) {
    if (v === null || v === undefined)
        return "null";
    if (Array.isArray(v))
        return "array";
    if (typeof v === "object")
        return "object";
    if (typeof v === "string")
        return "string";
    if (typeof v === "number")
        return "number";
    return "bool";
}
/** True when `v` nests arrays and objects more than `max` levels deep. Iterative: any depth is measured safely. */
export function nestedDeeperThan(v, max) {
    const stack = [[v, 0]];
    while (stack.length) {
        const [x, depth] = stack.pop();
        if (x === null || typeof x !== "object")
            continue;
        if (depth + 1 > max)
            return true;
        for (const child of Array.isArray(x) ? x : Object.values(x))
            stack.push([child, depth + 1]);
    }
    return false;
}
/** Deep copy of a JSON value; `undefined` stays `undefined`. */
export function clone(v) {
    return v === undefined ? v : structuredClone(v);
}
/** Structural equality of two JSON values (key order ignored). */
export function deepEqual(a, b) {
    if (a === b)
        return true;
    if (Array.isArray(a)) {
        return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
        const ka = Object.keys(a).filter((k) => a[k] !== undefined);
        const kb = Object.keys(b).filter((k) => b[k] !== undefined);
        return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
    }
    return false;
}
/**
 * Equality the way the API server compares specs (apiequality.Semantic): an absent field, null, an empty list, an
 * empty map and an empty string are all "unset" and equal to each other. Zero numbers and false stay distinct from
 * unset, because in Go many of those fields are pointers where nil and 0 mean different things.
 */
export function semanticEqual(a, b) {
    if (isUnset(a) && isUnset(b))
        return true;
    if (Array.isArray(a) && Array.isArray(b)) {
        return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const k of keys)
            if (!semanticEqual(a[k], b[k]))
                return false;
        return true;
    }
    return a === b;
}
function isUnset(v) {
    if (v === undefined || v === null || v === "")
        return true;
    if (Array.isArray(v))
        return v.length === 0;
    return isObject(v) && Object.keys(v).every((k) => isUnset(v[k]));
}
/**
 * JSON with object keys sorted and `<`, `>`, `&`, U+2028, U+2029 escaped, byte for byte what Go's encoding/json
 * produces for a map[string]interface{}. kubectl stores the last-applied configuration in this form.
 */
export function goJsonStringify(v) {
    return JSON.stringify(sortKeys(v))
        .replace(/</g, "\\u003c")
        .replace(/>/g, "\\u003e")
        .replace(/&/g, "\\u0026")
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029");
}
function sortKeys(v) {
    if (Array.isArray(v))
        return v.map(sortKeys);
    if (isObject(v)) {
        const out = {};
        for (const k of Object.keys(v).sort())
            if (v[k] !== undefined)
                out[k] = sortKeys(v[k]);
        return out;
    }
    return v;
}
/** Formats a value the way Go's `%v` does for the scalars that appear in JSON (used for sort keys). */
export function goString(v) {
    if (v === null || v === undefined)
        return "<nil>";
    if (typeof v === "string")
        return v;
    if (typeof v === "number" || typeof v === "boolean")
        return String(v);
    return JSON.stringify(v);
}
/**
 * The paths where two values differ, one line each (`  spec.containers[0].ports[0].containerPort: 80 → 8080`).
 * Printed under "may not change" errors, where the API server prints a Go struct diff.
 */
export function describeDiff(prev, next, path = "spec", out = []) {
    if (semanticEqual(prev, next))
        return out;
    if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
        prev.forEach((p, i) => describeDiff(p, next[i], `${path}[${i}]`, out));
    }
    else if (isObject(prev) && isObject(next)) {
        for (const k of new Set([...Object.keys(prev), ...Object.keys(next)]))
            describeDiff(prev[k], next[k], `${path}.${k}`, out);
    }
    else {
        out.push(`  ${path}: ${JSON.stringify(prev ?? null)} → ${JSON.stringify(next ?? null)}`);
    }
    return out;
}
//# sourceMappingURL=json.js.map