/**
 * Rejects JSON values of the wrong type for the fields of a known kind, the way Go's encoding/json rejects them when
 * the API server decodes a request body: a 400 Bad Request reading
 * `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field
 * ContainerPort.spec.containers.ports.containerPort of type int32`.
 *
 * After this check, validators may trust the JavaScript types of every field the schema declares.
 *
 * Also: unknownFields() lists the fields Kubernetes 1.32 does not know, for `fieldValidation=Strict` (kubectl's
 * default: a 400 naming them, see assertNoUnknownFields) or `Warn` (one warning each). The schemas declare every field
 * of the structs they describe, so only truly unknown fields are listed; subtrees declared as "anything"
 * (affinity, cloud volume sources) are not inspected.
 */
import { ApiError } from "./errors.js";
import { jsonType } from "./json.js";
import { ERR_FORMAT_WRONG } from "./quantity.js";
import { schemaForKind } from "./schema.js";
const RANGES = {
    int32: [-2147483648, 2147483647],
    int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
function goTypeName(s) {
    switch (s.kind) {
        case "scalar":
            return s.type;
        case "quantity":
            return "resource.Quantity";
        case "intOrString":
            return "intstr.IntOrString";
        case "any":
            return "interface {}";
        case "map":
            return s.go ?? `map[string]${goTypeName(s.values)}`;
        case "list":
            return `[]${goTypeName(s.items)}`;
        case "struct":
            return `v1.${s.go}`;
    }
}
function mismatch(v, s, where) {
    const got = jsonType(v);
    const shown = got === "number" ? `number ${String(v)}` : got;
    const detail = got === "number" && s.kind === "scalar" && s.type !== "string" && s.type !== "bool" ? shown : got;
    return `json: cannot unmarshal ${detail} into Go struct field ${where.struct}.${where.path.join(".")} of type ${goTypeName(s)}`;
}
function checkScalar(v, s, where) {
    switch (s.type) {
        case "string":
            return typeof v === "string" ? undefined : mismatch(v, s, where);
        case "bool":
            return typeof v === "boolean" ? undefined : mismatch(v, s, where);
        case "float64":
            return typeof v === "number" ? undefined : mismatch(v, s, where);
        default: {
            const [lo, hi] = RANGES[s.type];
            return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi ? undefined : mismatch(v, s, where);
        }
    }
}
function checkValue(v, s, where) {
    if (v === null || v === undefined || s.kind === "any")
        return undefined;
    switch (s.kind) {
        case "scalar":
            return checkScalar(v, s, where);
        case "quantity":
            // Upstream's text (Quantity's own UnmarshalJSON error, which carries no path), then where it was found.
            return typeof v === "string" || typeof v === "number" ? undefined : `${ERR_FORMAT_WRONG} (Go struct field ${where.struct}.${where.path.join(".")})`;
        case "intOrString":
            return typeof v === "string" || (typeof v === "number" && Number.isInteger(v)) ? undefined : mismatch(v, s, where);
        case "list":
            if (!Array.isArray(v))
                return mismatch(v, s, where);
            for (const item of v) {
                const err = checkValue(item, s.items, where);
                if (err)
                    return err;
            }
            return undefined;
        case "map":
            if (jsonType(v) !== "object")
                return mismatch(v, s, where);
            for (const item of Object.values(v)) {
                const err = checkValue(item, s.values, where);
                if (err)
                    return err;
            }
            return undefined;
        case "struct":
            return checkStruct(v, s, where);
    }
}
function checkStruct(v, s, where) {
    if (jsonType(v) !== "object")
        return mismatch(v, s, where);
    const obj = v;
    for (const [name, fieldSchema] of Object.entries(s.fields)) {
        if (!(name in obj))
            continue;
        const err = checkValue(obj[name], fieldSchema, { struct: s.go, path: [...where.path, name] });
        if (err)
            return err;
    }
    return undefined;
}
/** The decoder's complaint about `obj` as a `kind`, or undefined when every declared field has the right type. */
export function typeError(obj, kind) {
    const schema = schemaForKind(kind);
    if (!schema || schema.kind !== "struct")
        return undefined;
    return checkStruct(obj, schema, { struct: kind, path: [] });
}
/** Throws ApiError BadRequest when `obj` cannot be decoded as a `kind` of `apiVersion`. */
export function assertDecodable(obj, kind, apiVersion) {
    const err = typeError(obj, kind);
    if (err) {
        const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
        throw ApiError.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${err}`);
    }
}
/**
 * What Go's decoder makes of a JSON null, applied in place so validators never meet one: a null struct field is the
 * field left out (its zero value); a null list item or map value is the zero value of its type ("" for a string, 0,
 * false, "0" for a quantity, {} for a struct). Inside fields declared as "anything", nulls stay.
 */
export function decodeNulls(obj, kind) {
    const schema = schemaForKind(kind);
    if (schema)
        zeroNulls(obj, schema);
}
function zeroNulls(v, s) {
    if (s.kind === "list" && Array.isArray(v)) {
        v.forEach((item, i) => (item === null ? (v[i] = zeroOf(s.items)) : zeroNulls(item, s.items)));
    }
    else if (s.kind === "map" && jsonType(v) === "object") {
        const m = v;
        for (const [k, item] of Object.entries(m))
            item === null ? (m[k] = zeroOf(s.values)) : zeroNulls(item, s.values);
    }
    else if (s.kind === "struct" && jsonType(v) === "object") {
        const o = v;
        for (const [k, f] of Object.entries(s.fields)) {
            if (!(k in o))
                continue;
            if (o[k] === null && f.kind !== "any")
                delete o[k];
            else
                zeroNulls(o[k], f);
        }
    }
}
function zeroOf(s) {
    switch (s.kind) {
        case "scalar":
            return s.type === "string" ? "" : s.type === "bool" ? false : 0;
        case "quantity":
            return "0";
        case "intOrString":
            return 0;
        case "struct":
            return {};
        case "list":
        case "map":
        case "any":
            return null;
    }
}
function collectUnknown(v, s, path, out) {
    if (v === null || v === undefined)
        return;
    if (s.kind === "list" && Array.isArray(v))
        v.forEach((item, i) => collectUnknown(item, s.items, `${path}[${i}]`, out));
    else if (s.kind === "map" && jsonType(v) === "object") {
        for (const [k, item] of Object.entries(v))
            collectUnknown(item, s.values, `${path}[${k}]`, out);
    }
    else if (s.kind === "struct" && jsonType(v) === "object") {
        for (const [k, item] of Object.entries(v)) {
            const p = path ? `${path}.${k}` : k;
            const f = s.fields[k];
            if (f)
                collectUnknown(item, f, p, out);
            else
                out.push(p);
        }
    }
}
/** Paths of the fields of `obj` that its kind does not have (`spec.containers[0].imagee`); [] for unknown kinds. */
export function unknownFields(obj, kind) {
    const schema = schemaForKind(kind);
    const out = [];
    if (schema)
        collectUnknown(obj, schema, "", out);
    return out;
}
/** fieldValidation=Strict: a 400 in the API server's words when `obj` has fields its kind does not know. */
export function assertNoUnknownFields(obj, kind, apiVersion) {
    const unknown = unknownFields(obj, kind);
    if (unknown.length === 0)
        return;
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    const list = unknown.map((p) => `unknown field ${JSON.stringify(p)}`).join(", ");
    throw ApiError.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${list}`);
}
//# sourceMappingURL=type-check.js.map