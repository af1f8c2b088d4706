/**
 * Field paths and field errors worded exactly as the API server words them (k8s.io/apimachinery
 * pkg/util/validation/field/errors.go): `Required value`, `Invalid value: "x": <detail>`,
 * `Unsupported value: "x": supported values: "a", "b"`, `Duplicate value: "x"`, `Forbidden: <detail>`.
 *
 * Validators in this folder return `FieldError[]` (a Kubernetes ErrorList) so that every problem of an object is
 * reported at once.
 */
import { FieldError } from "./errors.js";
/** `child("spec", "containers")` → `spec.containers`; an empty parent yields the bare name. */
export function child(parent, ...names) {
    return names.reduce((acc, n) => (acc ? `${acc}.${n}` : n), parent);
}
/** `index("spec.containers", 0)` → `spec.containers[0]`. */
export function index(parent, i) {
    return `${parent}[${i}]`;
}
/** `key("data", "a.b")` → `data[a.b]`, as field.Path.Key prints map keys. */
export function key(parent, k) {
    return `${parent}[${k}]`;
}
/** Prints a bad value as Go's %q / %v would inside an error body. */
export function formatValue(v) {
    if (v === undefined || v === null)
        return "null";
    if (typeof v === "string")
        return JSON.stringify(v);
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint")
        return String(v);
    return JSON.stringify(v);
}
function withDetail(body, detail) {
    return detail ? `${body}: ${detail}` : body;
}
export function invalid(field, value, detail) {
    return new FieldError(field, withDetail(`Invalid value: ${formatValue(value)}`, detail), "FieldValueInvalid");
}
export function required(field, detail = "") {
    return new FieldError(field, withDetail("Required value", detail), "FieldValueRequired");
}
export function duplicate(field, value) {
    return new FieldError(field, `Duplicate value: ${formatValue(value)}`, "FieldValueDuplicate");
}
export function notSupported(field, value, supported) {
    const list = supported.map((s) => JSON.stringify(s)).join(", ");
    const body = `Unsupported value: ${formatValue(value)}`;
    return new FieldError(field, withDetail(body, list ? `supported values: ${list}` : ""), "FieldValueNotSupported");
}
export function forbidden(field, detail) {
    return new FieldError(field, withDetail("Forbidden", detail), "FieldValueForbidden");
}
export function notFound(field, value) {
    return new FieldError(field, `Not found: ${formatValue(value)}`, "FieldValueNotFound");
}
export function tooLong(field, maxBytes) {
    return new FieldError(field, `Too long: may not be more than ${maxBytes} bytes`, "FieldValueTooLong");
}
export function tooMany(field, actual, max) {
    return new FieldError(field, `Too many: ${actual}: must have at most ${max} items`, "FieldValueInvalid");
}
/** One Invalid error per message of a string-returning checker (names.ts), the common Kubernetes idiom. */
export function invalidEach(field, value, messages) {
    return messages.map((m) => invalid(field, value, m));
}
/** The Kubernetes "immutable" error: `Invalid value: <new>: field is immutable`. */
export function immutable(field, value) {
    return invalid(field, value, "field is immutable");
}
//# sourceMappingURL=field.js.map