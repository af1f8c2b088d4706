/**
 * Field paths and field errors worded exactly as the API server words them (k8s.io/apimachinery
 * pkg/util/validation/field/errors.go): `Required value`, `Invalid value: "x": <detail>`,
 * `Unsupported value: "x": supported values: "a", "b"`, `Duplicate value: "x"`, `Forbidden: <detail>`.
 *
 * Validators in this folder return `FieldError[]` (a Kubernetes ErrorList) so that every problem of an object is
 * reported at once.
 */
import { FieldError } from "./errors.js";

/** A Kubernetes field.ErrorList. */
export type ErrorList = FieldError[];

/** `child("spec", "containers")` → `spec.containers`; an empty parent yields the bare name. */
export function child(parent: string, ...names: string[]): string {
  return names.reduce((acc, n) => (acc ? `${acc}.${n}` : n), parent);
}

/** `index("spec.containers", 0)` → `spec.containers[0]`. */
export function index(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** `key("data", "a.b")` → `data[a.b]`, as field.Path.Key prints map keys. */
export function key(parent: string, k: string): string {
  return `${parent}[${k}]`;
}

/** Prints a bad value as Go's %q / %v would inside an error body. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

export function invalid(field: string, value: unknown, detail: string): FieldError {
  return new FieldError(field, withDetail(`Invalid value: ${formatValue(value)}`, detail), "FieldValueInvalid");
}

export function required(field: string, detail = ""): FieldError {
  return new FieldError(field, withDetail("Required value", detail), "FieldValueRequired");
}

export function duplicate(field: string, value: unknown): FieldError {
  return new FieldError(field, `Duplicate value: ${formatValue(value)}`, "FieldValueDuplicate");
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  const body = `Unsupported value: ${formatValue(value)}`;
  return new FieldError(field, withDetail(body, list ? `supported values: ${list}` : ""), "FieldValueNotSupported");
}

export function forbidden(field: string, detail: string): FieldError {
  return new FieldError(field, withDetail("Forbidden", detail), "FieldValueForbidden");
}

export function notFound(field: string, value: unknown): FieldError {
  return new FieldError(field, `Not found: ${formatValue(value)}`, "FieldValueNotFound");
}

export function tooLong(field: string, maxBytes: number): FieldError {
  return new FieldError(field, `Too long: may not be more than ${maxBytes} bytes`, "FieldValueTooLong");
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return new FieldError(field, `Too many: ${actual}: must have at most ${max} items`, "FieldValueInvalid");
}

/** One Invalid error per message of a string-returning checker (names.ts), the common Kubernetes idiom. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): ErrorList {
  return messages.map((m) => invalid(field, value, m));
}

/** The Kubernetes "immutable" error: `Invalid value: <new>: field is immutable`. */
export function immutable(field: string, value: unknown): FieldError {
  return invalid(field, value, "field is immutable");
}
