/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON form of the
 * object. Wire format: the 4-byte magic "k8s\0", then a runtime.Unknown whose typeMeta names the kind and whose raw
 * bytes are the object's message (proto2).
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding)
 *
 * The Go encoder writes every non-pointer field, zero values included; JSON omits them (omitempty), so zero
 * scalars and empty messages of non-pointer fields are dropped here, while a pointer field that arrives is kept
 * whatever its value. A field number the table does not know is refused (400) rather than skipped as protobuf
 * decoders do: skipping it would accept a field and drop it.
 */
import { ApiError } from "../../api/errors.js";
import type { KubeObject } from "../../api/types.js";
import { MESSAGES, UPSTREAM_VERSION, rootMessage, type FieldDef, type MessageDef } from "./schema.js";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Deeper than any Kubernetes object nests; a bound for hand-made bodies. */
const MAX_DEPTH = 64;

type Json = Record<string, unknown>;

/** A body we cannot take: the message for the client, and whether it is the media type (415) or the bytes (400). */
class Refused extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** The object a protobuf body carries. Throws ApiError 415 for kinds without a schema, 400 for bad or unknown bytes. */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw ApiError.badRequest("the protobuf body lacks the k8s\\0 prefix");
  try {
    const envelope = decodeEnvelope(body.subarray(4));
    const message = rootMessage(envelope.apiVersion, envelope.kind);
    if (!message) {
      const what = envelope.kind ? `${envelope.kind} (${envelope.apiVersion})` : "this kind";
      throw new Refused(`protobuf is not supported for ${what}: send application/json`, true);
    }
    const obj = decodeMessage(envelope.raw, message, envelope.kind, 0);
    return { apiVersion: envelope.apiVersion || "v1", kind: envelope.kind, ...obj } as KubeObject;
  } catch (err) {
    if (err instanceof Refused && err.unsupported) throw new ApiError("UnsupportedMediaType", err.message);
    if (err instanceof Refused) throw ApiError.badRequest(err.message);
    throw ApiError.badRequest(`the protobuf body could not be decoded: ${(err as Error).message}`);
  }
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

/** runtime.Unknown {typeMeta 1 {apiVersion 1, kind 2}, raw 2, contentEncoding 3, contentType 4}. */
function decodeEnvelope(buf: Buffer): Envelope {
  const out: Envelope = { apiVersion: "", kind: "", raw: Buffer.alloc(0) };
  let encoding = "";
  forEachField(buf, "runtime.Unknown", (num, wire, r) => {
    if (wire !== 2) throw new Refused(`field ${num} of runtime.Unknown has wire type ${wire}`);
    const b = r.bytes();
    if (num === 1) {
      forEachField(b, "runtime.TypeMeta", (n, w, tr) => {
        if (w !== 2 || (n !== 1 && n !== 2)) throw unknownField("runtime.TypeMeta", n, "typeMeta");
        const s = tr.bytes().toString("utf8");
        if (n === 1) out.apiVersion = s;
        else out.kind = s;
      });
    } else if (num === 2) out.raw = b;
    else if (num === 3) encoding = b.toString("utf8");
    else if (num !== 4) throw unknownField("runtime.Unknown", num, "");
  });
  if (encoding) throw new Refused(`protobuf bodies with contentEncoding ${encoding} are not supported: send application/json`, true);
  return out;
}

function unknownField(message: string, num: number, path: string): Refused {
  return new Refused(
    `the protobuf body has field ${num} of ${message}${path ? ` (at ${path})` : ""}, which this server does not know ` +
      `(it decodes k8s.io/api ${UPSTREAM_VERSION}); it is refused rather than dropped: send the object as application/json`,
  );
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as a signed 64-bit integer (int32 and int64 fields both), exact up to 2^53. */
  varint(): number {
    const start = this.pos;
    let result = 0;
    // Up to 7 bytes (49 bits) in plain arithmetic: every field number, length and count in practice.
    for (let mul = 1; this.pos - start < 7; mul *= 128) {
      if (this.pos >= this.buf.length) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
    }
    this.pos = start;
    return Number(BigInt.asIntN(64, this.bigVarint()));
  }

  private bigVarint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.pos >= this.buf.length || shift > 63n) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  }

  /** A length-delimited UTF-8 string, read without making a Buffer view of it. */
  string(): string {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.buf.length) throw new Error("truncated field");
    this.pos += len;
    return this.buf.toString("utf8", this.pos - len, this.pos);
  }

  bytes(): Buffer {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.buf.length) throw new Error("truncated field");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

/** Calls `each` with every field's number, wire type and a reader positioned at its value, which `each` must read. */
function forEachField(buf: Buffer, message: string, each: (num: number, wire: number, r: Reader) => void): void {
  const r = new Reader(buf);
  while (!r.done) {
    const key = r.varint();
    const num = Math.floor(key / 8);
    const wire = key % 8;
    if (key < 0) throw new Error(`a negative field key in ${message}`);
    if (num === 0) throw new Error(`field number 0 in ${message}`);
    each(num, wire, r);
  }
}

/** Decodes one message by its table entry into its JSON form; `path` is the JSON path, for error messages. */
function decodeMessage(buf: Buffer, key: string, path: string, depth: number): Json {
  if (depth > MAX_DEPTH) throw new Refused(`the protobuf body nests more than ${MAX_DEPTH} messages deep`);
  const def: MessageDef | undefined = MESSAGES.get(key);
  if (!def) throw new Error(`no table entry for ${key}`);
  const out: Json = {};
  forEachField(buf, key, (num, wire, r) => {
    const field = def.get(num);
    if (!field) throw unknownField(key, num, path);
    const at = (): string => (field.name ? `${path}.${field.name}` : path);
    if (field.label === "repeated" && wire === 2 && (field.type === "int" || field.type === "bool")) {
      // A packed repeated scalar: the varints one after another.
      const packed = new Reader(r.bytes());
      while (!packed.done) store(out, field, scalar(packed.varint(), field));
      return;
    }
    const expected = field.type === "int" || field.type === "bool" ? 0 : 2;
    if (wire !== expected) throw new Refused(`field ${num} of ${key} (at ${at()}) has wire type ${wire}, not ${expected}`);
    if (field.label === "map") {
      const [k, v] = mapEntry(r.bytes(), field, key, at(), depth);
      ((out[field.name] ??= {}) as Json)[k] = v;
      return;
    }
    const t = field.type;
    const value = wire === 0 ? scalar(r.varint(), field) : t === "string" ? r.string() : lengthDelimited(r.bytes(), field, at(), depth);
    if (field.name === "") Object.assign(out, value as Json);
    else store(out, field, value);
  });
  return out;
}

function scalar(v: number, field: FieldDef): unknown {
  return field.type === "bool" ? v !== 0 : v;
}

function lengthDelimited(b: Buffer, field: FieldDef, path: string, depth: number): unknown {
  const t = field.type;
  if (typeof t === "object") return decodeMessage(b, t.message, path, depth + 1);
  if (t === "string") return b.toString("utf8");
  if (t === "bytes") return b.toString("base64");
  const parts = wrapper(b, t, path);
  switch (t) {
    case "Quantity":
      return text(parts.get(1));
    case "Time":
    case "MicroTime":
      return timestamp(parts, t === "MicroTime");
    case "IntOrString":
      return integer(parts.get(1)) === 1 ? text(parts.get(3)) : integer(parts.get(2));
    case "FieldsV1":
    case "RawExtension": {
      const raw = parts.get(1);
      return raw === undefined ? undefined : rawJson(raw as Buffer, path);
    }
    case "StringList":
      return ((parts.get(1) ?? []) as Buffer[]).map((s) => s.toString("utf8"));
  }
  throw new Error(`field ${path}: a ${t} cannot be length-delimited`);
}

/** The fields of each special form's message and their wire types. */
const SHAPES: Record<string, Record<number, 0 | 2>> = {
  Quantity: { 1: 2 },
  Time: { 1: 0, 2: 0 },
  MicroTime: { 1: 0, 2: 0 },
  IntOrString: { 1: 0, 2: 0, 3: 2 },
  FieldsV1: { 1: 2 },
  RawExtension: { 1: 2 },
  StringList: { 1: 2 },
};

/** The fields of a special form's message: {1: bytes|varint, 2: …}; StringList collects its repeated items. */
function wrapper(b: Buffer, t: string, path: string): Map<number, unknown> {
  const shape = SHAPES[t];
  const out = new Map<number, unknown>();
  forEachField(b, t, (num, wire, r) => {
    if (shape[num] === undefined) throw unknownField(t, num, path);
    if (wire !== shape[num]) throw new Refused(`field ${num} of ${t} (at ${path}) has wire type ${wire}`);
    const v = wire === 0 ? r.varint() : r.bytes();
    if (t === "StringList") out.set(num, [...((out.get(num) as unknown[] | undefined) ?? []), v]);
    else out.set(num, v);
  });
  return out;
}

const text = (v: unknown): string => (v === undefined ? "" : (v as Buffer).toString("utf8"));
const integer = (v: unknown): number => (v === undefined ? 0 : (v as number));

/** metav1.Time: whole seconds (as Kubernetes writes it in JSON); MicroTime: six fraction digits. Zero: absent. */
function timestamp(parts: Map<number, unknown>, micro: boolean): string | undefined {
  const seconds = integer(parts.get(1));
  const nanos = integer(parts.get(2));
  if (seconds === 0 && nanos === 0) return undefined;
  const base = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "");
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${base}Z`;
}

function rawJson(raw: Buffer, path: string): unknown {
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    throw new Refused(`${path} carries bytes that are not JSON`);
  }
}

/** A map entry {key 1, value 2}; an absent value is the value type's zero. */
function mapEntry(b: Buffer, field: FieldDef, message: string, path: string, depth: number): [string, unknown] {
  let k = "";
  let v: unknown;
  forEachField(b, `${message} map entry`, (num, wire, r) => {
    if (num === 1 && wire === 2) k = r.bytes().toString("utf8");
    else if (num === 2) {
      const expected = field.type === "int" || field.type === "bool" ? 0 : 2;
      if (wire !== expected) throw new Refused(`a map value at ${path} has wire type ${wire}`);
      v = wire === 0 ? scalar(r.varint(), field) : lengthDelimited(r.bytes(), field, `${path}.${k}`, depth);
    } else throw unknownField(`${message} map entry`, num, path);
  });
  return [k, v ?? zeroOf(field)];
}

function zeroOf(field: FieldDef): unknown {
  const t = field.type;
  if (typeof t === "object") return {};
  if (t === "int") return 0;
  if (t === "bool") return false;
  if (t === "Quantity") return "0";
  if (t === "StringList") return [];
  return "";
}

/** Adds a decoded value: repeated fields append; a non-pointer zero (scalar, empty message, zero Quantity) is omitted. */
function store(out: Json, field: FieldDef, value: unknown): void {
  if (field.label === "repeated") ((out[field.name] ??= []) as unknown[]).push(value);
  else if (field.label === "pointer" ? value !== undefined : !isZero(value, field)) out[field.name] = value;
}

function isZero(v: unknown, field: FieldDef): boolean {
  if (field.type === "Quantity" && v === "0") return true;
  return v === undefined || v === "" || v === 0 || v === false || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}
