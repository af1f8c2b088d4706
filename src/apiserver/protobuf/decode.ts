/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON form of the
 * object, for the kinds in schema.ts. Wire format: the 4-byte magic "k8s\0", then a runtime.Unknown whose typeMeta
 * names the kind and whose raw bytes are the object's message (proto2).
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding)
 *
 * The Go encoder writes every non-pointer field, zero values included; JSON omits them (omitempty), so zero
 * scalars and empty messages are dropped here. Map values and list items are kept as they are.
 */
import { ApiError } from "../../api/errors.js";
import type { KubeObject } from "../../api/types.js";
import { MESSAGES, PROTOBUF_KINDS, type FieldDef, type MessageDef } from "./schema.js";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Json = Record<string, unknown>;

/** A decoded string or bytes field (bytes come out base64); "" when it was absent. */
function textOf(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The object a protobuf body carries. Throws ApiError 415 for kinds without a schema, 400 for bad bytes. */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw ApiError.badRequest("the protobuf body lacks the k8s\\0 prefix");
  try {
    const unknown = decodeMessage(body.subarray(4), MESSAGES.Unknown);
    const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const kind = typeMeta.kind ?? "";
    if (!PROTOBUF_KINDS.includes(kind)) {
      throw new ApiError("UnsupportedMediaType", `protobuf is not supported for ${kind || "this kind"}: send application/json`);
    }
    const raw = Buffer.from(textOf(unknown.raw), "base64");
    return { apiVersion: typeMeta.apiVersion ?? "v1", kind, ...decodeMessage(raw, MESSAGES[kind]) } as KubeObject;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw ApiError.badRequest(`the protobuf body could not be decoded: ${(err as Error).message}`);
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.pos >= this.buf.length || shift > 63n) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  }

  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new Error("truncated field");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/** Decodes one message by its schema; unknown fields are skipped, as protobuf does. */
function decodeMessage(buf: Buffer, def: MessageDef): Json {
  const out: Json = {};
  const r = new Reader(buf);
  while (!r.done) {
    const key = Number(r.varint());
    const field = def[key >>> 3];
    const wire = key & 7;
    if (!field) {
      r.skip(wire);
      continue;
    }
    const value = wire === 0 ? varintValue(r.varint(), field) : wire === 2 ? lengthDelimited(r.bytes(), field) : (r.skip(wire), undefined);
    store(out, field, value);
  }
  return out;
}

function varintValue(v: bigint, field: FieldDef): unknown {
  if (field.type === "bool") return v !== 0n;
  return Number(BigInt.asIntN(64, v));
}

function lengthDelimited(b: Buffer, field: FieldDef): unknown {
  const t = field.type;
  if (t === "string") return b.toString("utf8");
  if (t === "bytes") return b.toString("base64");
  if (t === "quantity") return textOf(decodeMessage(b, { 1: { name: "string", type: "string" } }).string);
  if (t === "time") return time(decodeMessage(b, { 1: { name: "seconds", type: "int" }, 2: { name: "nanos", type: "int" } }));
  if (t === "intOrString") {
    const v = decodeMessage(b, { 1: { name: "type", type: "int" }, 2: { name: "intVal", type: "int" }, 3: { name: "strVal", type: "string" } });
    return v.type === 1 ? (v.strVal ?? "") : (v.intVal ?? 0);
  }
  if (t === "rawJson") {
    const raw = decodeMessage(b, { 1: { name: "raw", type: "bytes" } }).raw;
    return raw === undefined ? undefined : (JSON.parse(Buffer.from(textOf(raw), "base64").toString("utf8")) as unknown);
  }
  if (typeof t === "object" && "map" in t) {
    const e = decodeMessage(b, { 1: { name: "key", type: "string" }, 2: { name: "value", type: t.map } });
    return [textOf(e.key), e.value ?? ""];
  }
  if (typeof t === "object" && "message" in t) return decodeMessage(b, MESSAGES[t.message]);
  throw new Error(`field ${field.name}: a ${String(t)} cannot be length-delimited`);
}

function time(v: Json): string | undefined {
  const seconds = Number(v.seconds ?? 0);
  if (seconds === 0 && !v.nanos) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Adds a decoded value: maps collect entries, repeated fields append, zero scalars and empty messages are omitted. */
function store(out: Json, field: FieldDef, value: unknown): void {
  if (typeof field.type === "object" && "map" in field.type) {
    const [k, v] = value as [string, unknown];
    ((out[field.name] ??= {}) as Json)[k] = v;
  } else if (field.repeated) {
    ((out[field.name] ??= []) as unknown[]).push(value);
  } else if (!isZero(value) || (field.pointer && value !== undefined)) {
    out[field.name] = value;
  }
}

function isZero(v: unknown): boolean {
  return v === undefined || v === "" || v === 0 || v === false || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}
