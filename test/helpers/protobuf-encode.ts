/**
 * A proto2 encoder for tests: the wire primitives, and an encoder of a JSON object through the API server's own
 * protobuf table that writes what Go's generated Marshal writes (every non-pointer field, zero values included;
 * pointers only when set). It throws on a JSON key the table has no field for, so a fixture cannot carry a field
 * the table would not decode.
 */
import { MESSAGES, rootMessage, type FieldDef } from "../../src/apiserver/protobuf/schema.js";

type Json = Record<string, unknown>;

export const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
};
export const key = (num: number, wire: number): Buffer => varint((num << 3) | wire);
export const int = (num: number, v: number | bigint): Buffer => Buffer.concat([key(num, 0), varint(v)]);
export const bytes = (num: number, b: Buffer): Buffer => Buffer.concat([key(num, 2), varint(b.length), b]);
export const str = (num: number, s: string): Buffer => bytes(num, Buffer.from(s));
export const msg = (num: number, ...parts: Buffer[]): Buffer => bytes(num, Buffer.concat(parts));
export const entry = (num: number, k: string, v: string | Buffer): Buffer => msg(num, str(1, k), typeof v === "string" ? str(2, v) : bytes(2, v));
export const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from("k8s\0", "binary"), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), str(3, ""), str(4, "")]);

/** The protobuf body a client-go program would send for `obj` (its apiVersion and kind pick the message). */
export function encodeObject(obj: Json): Buffer {
  const { apiVersion, kind, ...rest } = obj as Json & { apiVersion: string; kind: string };
  const message = rootMessage(apiVersion, kind);
  if (!message) throw new Error(`no protobuf message for ${apiVersion} ${kind}`);
  const used = new Set<string>();
  const raw = encodeMessage(rest, message, used, kind);
  const extra = Object.keys(rest).filter((k) => !used.has(k));
  if (extra.length) throw new Error(`${kind}: no protobuf field for ${extra.join(", ")}`);
  return envelope(apiVersion, kind, raw);
}

/** Encodes the keys of `json` that `message` has fields for, marking them in `used` (inline messages share it). */
function encodeMessage(json: Json, message: string, used: Set<string>, path: string): Buffer {
  const def = MESSAGES.get(message);
  if (!def) throw new Error(`no message ${message}`);
  const parts: Buffer[] = [];
  for (const [num, field] of [...def.entries()].sort(([a], [b]) => a - b)) {
    if (field.name === "") {
      parts.push(bytes(num, encodeMessage(json, (field.type as { message: string }).message, used, path)));
      continue;
    }
    used.add(field.name);
    const v = json[field.name];
    const at = `${path}.${field.name}`;
    if (field.label === "repeated") {
      for (const item of (v as unknown[] | undefined) ?? []) parts.push(encodeValue(num, field, item, at));
    } else if (field.label === "map") {
      for (const [k, item] of Object.entries((v as Json | undefined) ?? {})) parts.push(msg(num, str(1, k), encodeValue(2, field, item, `${at}.${k}`)));
    } else if (v !== undefined) {
      parts.push(encodeValue(num, field, v, at));
    } else if (field.label === "single") {
      parts.push(zero(num, field, at));
    }
  }
  return Buffer.concat(parts);
}

/** What Go writes for a non-pointer field left at its zero value. */
function zero(num: number, field: FieldDef, path: string): Buffer {
  const t = field.type;
  if (t === "int" || t === "bool") return int(num, 0);
  if (t === "string" || t === "bytes") return bytes(num, Buffer.alloc(0));
  if (t === "Quantity") return msg(num, str(1, "0"));
  if (t === "IntOrString") return msg(num, int(1, 0), int(2, 0), str(3, ""));
  if (typeof t === "object") return bytes(num, encodeMessage({}, t.message, new Set(), path));
  return msg(num);
}

function encodeValue(num: number, field: FieldDef, v: unknown, path: string): Buffer {
  const t = field.type;
  if (typeof t === "object") {
    const used = new Set<string>();
    const b = encodeMessage(v as Json, t.message, used, path);
    const extra = Object.keys(v as Json).filter((k) => !used.has(k));
    if (extra.length) throw new Error(`${path}: no protobuf field for ${extra.join(", ")}`);
    return bytes(num, b);
  }
  switch (t) {
    case "string":
      return str(num, v as string);
    case "bytes":
      return bytes(num, Buffer.from(v as string, "base64"));
    case "int":
      return int(num, v as number);
    case "bool":
      return int(num, v ? 1 : 0);
    case "Quantity":
      return msg(num, str(1, v as string));
    case "Time":
    case "MicroTime": {
      const ms = Date.parse(v as string);
      const micros = /\.(\d{6})Z$/.exec(v as string);
      return msg(num, int(1, Math.floor(ms / 1000)), int(2, micros ? Number(micros[1]) * 1000 : 0));
    }
    case "IntOrString":
      return typeof v === "number" ? msg(num, int(1, 0), int(2, v), str(3, "")) : msg(num, int(1, 1), int(2, 0), str(3, v as string));
    case "FieldsV1":
    case "RawExtension":
      return msg(num, str(1, JSON.stringify(v)));
    case "StringList":
      return msg(num, ...(v as string[]).map((s) => str(1, s)));
  }
}
