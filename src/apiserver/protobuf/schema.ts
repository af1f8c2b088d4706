/**
 * The protobuf field table (generated.ts, generated from k8s.io/api and k8s.io/apimachinery by
 * scripts/protobuf-schema.mjs) read into field definitions. Every kind the API serves, with the whole of each message
 * it reaches, so a body kubectl (or any client-go program) sends as `application/vnd.kubernetes.protobuf` decodes
 * to the same object as its JSON form.
 */
import { MESSAGES as TABLE, ROOTS, UPSTREAM_VERSION } from "./generated.js";

export { UPSTREAM_VERSION };

export type Scalar = "string" | "bytes" | "int" | "bool";

/**
 * Types with a JSON form of their own: Time {seconds, nanos} → RFC 3339, MicroTime → RFC 3339 with microseconds,
 * Quantity {string} → its string, IntOrString {type, intVal, strVal} → a number or string, FieldsV1 and
 * RawExtension {raw} → the JSON value of their bytes, StringList {items} → an array of strings.
 */
export type Special = "Time" | "MicroTime" | "Quantity" | "IntOrString" | "FieldsV1" | "RawExtension" | "StringList";

const SCALARS: readonly string[] = ["string", "bytes", "int", "bool"];
const SPECIALS: readonly string[] = ["Time", "MicroTime", "Quantity", "IntOrString", "FieldsV1", "RawExtension", "StringList"];

export interface FieldDef {
  /** The JSON name; "" for an embedded message whose fields belong to the parent (`json:",inline"`). */
  name: string;
  /**
   * single: a Go value, whose zero value is not told apart from absence (and is omitted, as JSON omitempty does);
   * pointer: a Go pointer, written only when set, so a zero that arrives is kept (`replicas: 0`, `runAsNonRoot: false`).
   */
  label: "single" | "pointer" | "repeated" | "map";
  /** A scalar, a special form, or the key of another message in MESSAGES. */
  type: Scalar | Special | { message: string };
}

export type MessageDef = ReadonlyMap<number, FieldDef>;

function parseField(where: string, spec: string): FieldDef {
  const space = spec.indexOf(" ");
  const rawName = spec.slice(0, space);
  let rest = spec.slice(space + 1);
  let label: FieldDef["label"] = "single";
  if (rest.startsWith("[]")) [label, rest] = ["repeated", rest.slice(2)];
  else if (rest.startsWith("*")) [label, rest] = ["pointer", rest.slice(1)];
  else if (rest.startsWith("map[string]")) [label, rest] = ["map", rest.slice("map[string]".length)];
  let type: FieldDef["type"];
  if (SCALARS.includes(rest)) type = rest as Scalar;
  else if (SPECIALS.includes(rest)) type = rest as Special;
  else if (rest in TABLE) type = { message: rest };
  else throw new Error(`protobuf table: ${where} names an unknown type ${rest}`);
  return { name: rawName === "..." ? "" : rawName, label, type };
}

function build(): ReadonlyMap<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  for (const [key, fields] of Object.entries(TABLE)) {
    out.set(key, new Map(Object.entries(fields).map(([n, spec]) => [Number(n), parseField(`${key} field ${n}`, spec)])));
  }
  return out;
}

/** Message key ("core/v1.PodSpec") → its fields by number. */
export const MESSAGES: ReadonlyMap<string, MessageDef> = build();

/** The message of a top-level object, by the apiVersion and kind its envelope names. */
export function rootMessage(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version; its message is meta/v1's.
  return ROOTS[`${apiVersion} ${kind}`] ?? ROOTS[`meta.k8s.io/v1 ${kind}`];
}

/** "apiVersion kind" of every object that may arrive as protobuf. */
export const PROTOBUF_ROOTS: readonly string[] = Object.keys(ROOTS);
