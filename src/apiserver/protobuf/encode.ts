/**
 * Encodes responses as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), from the same field table the
 * request decoder reads (schema.ts): the magic "k8s\0", then a runtime.Unknown {typeMeta, raw, contentEncoding,
 * contentType} whose raw bytes are the object's message. Watch streams (`;stream=watch`) are frames of a 4-byte
 * big-endian length and a metav1.WatchEvent whose object carries one such envelope.
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding)
 *
 * Fields are written as their JSON form has them (JSON omits what Go's zero values would write, and a proto2 reader
 * takes an absent field as its zero). A JSON key the message has no field for, or a value of the wrong type, makes
 * the object unencodable (`undefined`): the caller answers JSON instead, which every client that asks for protobuf
 * also accepts, rather than dropping the field. `apiVersion` and `kind` of a top-level message (Go's TypeMeta, which
 * has no protobuf tag) travel in the envelope and are skipped inside lists.
 */
import { MESSAGES, PROTOBUF_ROOTS, rootMessage, type FieldDef } from "./schema.js";

type Json = Record<string, unknown>;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A field of a message as JSON names it: its number and definition, or the inline field whose message holds it. */
interface Named {
  num: number;
  field: FieldDef;
}

interface Compiled {
  direct: Map<string, Named>;
  /** JSON name → the inline (embedded) field whose message, or a message inline in it, has that name. */
  inline: Map<string, Named>;
  /** Messages of kinds with TypeMeta: their apiVersion/kind keys belong to the envelope. */
  typed: boolean;
}

const TYPED = new Set(PROTOBUF_ROOTS.map((k) => rootMessage(k.slice(0, k.indexOf(" ")), k.slice(k.indexOf(" ") + 1))));

const compiled = new Map<string, Compiled>();

function compile(key: string): Compiled {
  let c = compiled.get(key);
  if (c) return c;
  const def = MESSAGES.get(key);
  if (!def) throw new Error(`no protobuf message ${key}`);
  c = { direct: new Map(), inline: new Map(), typed: TYPED.has(key) };
  for (const [num, field] of def) {
    if (field.name !== "") {
      c.direct.set(field.name, { num, field });
      continue;
    }
    const inner = compile((field.type as { message: string }).message);
    for (const name of [...inner.direct.keys(), ...inner.inline.keys()]) c.inline.set(name, { num, field });
  }
  compiled.set(key, c);
  return c;
}

/** Thrown inside the encoder when the JSON has something the message cannot carry. */
class Unencodable extends Error {}

/** A growing buffer; a nested message reserves one length byte and moves its bytes when the length needs more. */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.ensure(10);
    if (n < 0) {
      // int32 and int64 negatives are ten bytes of two's complement.
      let v = BigInt.asUintN(64, BigInt(n));
      while (v > 0x7fn) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return;
    }
    while (n > 0x7f) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  tag(num: number, wire: number): void {
    this.varint(num * 8 + wire);
  }

  string(num: number, s: string): void {
    this.tag(num, 2);
    const len = Buffer.byteLength(s, "utf8");
    this.varint(len);
    this.ensure(len);
    if (len === s.length && len < 64) {
      // Short ASCII: a loop beats a call into the buffer's native writer.
      for (let i = 0; i < len; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    } else this.buf.write(s, this.pos, len, "utf8");
    this.pos += len;
  }

  bytes(num: number, b: Buffer): void {
    this.tag(num, 2);
    this.varint(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** Opens a length-delimited field; returns where its length goes, for end(). */
  begin(num: number): number {
    this.tag(num, 2);
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }

  /** The bytes written: a view of the writer's buffer, which is not written again. */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function encodeMessage(w: Writer, obj: unknown, key: string): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Unencodable();
  const c = compile(key);
  let groups: Map<number, { field: FieldDef; json: Json }> | undefined;
  for (const name in obj) {
    const v = (obj as Json)[name];
    if (v === undefined || v === null) continue;
    const d = c.direct.get(name);
    if (d) {
      encodeField(w, d.num, d.field, v);
      continue;
    }
    const i = c.inline.get(name);
    if (i) {
      groups ??= new Map();
      let g = groups.get(i.num);
      if (!g) groups.set(i.num, (g = { field: i.field, json: {} }));
      g.json[name] = v;
      continue;
    }
    if (c.typed && (name === "apiVersion" || name === "kind")) continue;
    throw new Unencodable();
  }
  if (groups) {
    for (const [num, g] of groups) {
      const at = w.begin(num);
      encodeMessage(w, g.json, (g.field.type as { message: string }).message);
      w.end(at);
    }
  }
}

function encodeField(w: Writer, num: number, field: FieldDef, v: unknown): void {
  if (field.label === "repeated") {
    if (!Array.isArray(v)) throw new Unencodable();
    for (const item of v) encodeValue(w, num, field, item);
  } else if (field.label === "map") {
    if (typeof v !== "object" || Array.isArray(v)) throw new Unencodable();
    for (const k in v as Json) {
      const item = (v as Json)[k];
      if (item === undefined) continue;
      const at = w.begin(num);
      w.string(1, k);
      if (item !== null) encodeValue(w, 2, field, item);
      w.end(at);
    }
  } else encodeValue(w, num, field, v);
}

function encodeValue(w: Writer, num: number, field: FieldDef, v: unknown): void {
  const t = field.type;
  if (typeof t === "object") {
    const at = w.begin(num);
    encodeMessage(w, v, t.message);
    w.end(at);
    return;
  }
  switch (t) {
    case "string":
      if (typeof v !== "string") throw new Unencodable();
      return w.string(num, v);
    case "bytes":
      if (typeof v !== "string") throw new Unencodable();
      return w.bytes(num, Buffer.from(v, "base64"));
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) throw new Unencodable();
      w.tag(num, 0);
      return w.varint(v);
    case "bool":
      if (typeof v !== "boolean") throw new Unencodable();
      w.tag(num, 0);
      return w.varint(v ? 1 : 0);
    case "Quantity": {
      if (typeof v !== "string" && typeof v !== "number") throw new Unencodable();
      const at = w.begin(num);
      w.string(1, String(v));
      return w.end(at);
    }
    case "Time":
    case "MicroTime":
      return time(w, num, v);
    case "IntOrString": {
      const at = w.begin(num);
      if (typeof v === "number" && Number.isInteger(v)) {
        w.tag(1, 0);
        w.varint(0);
        w.tag(2, 0);
        w.varint(v);
      } else if (typeof v === "string") {
        w.tag(1, 0);
        w.varint(1);
        w.string(3, v);
      } else throw new Unencodable();
      return w.end(at);
    }
    case "FieldsV1":
    case "RawExtension": {
      const at = w.begin(num);
      w.string(1, JSON.stringify(v));
      return w.end(at);
    }
    case "StringList": {
      if (!Array.isArray(v)) throw new Unencodable();
      const at = w.begin(num);
      for (const s of v) {
        if (typeof s !== "string") throw new Unencodable();
        w.string(1, s);
      }
      return w.end(at);
    }
  }
}

const FRACTION = /\.(\d{1,9})(?:Z|[+-]\d\d:\d\d)$/;

/** metav1.Time and MicroTime: {seconds 1, nanos 2} from RFC 3339. */
function time(w: Writer, num: number, v: unknown): void {
  if (typeof v !== "string") throw new Unencodable();
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new Unencodable();
  const frac = FRACTION.exec(v);
  const at = w.begin(num);
  w.tag(1, 0);
  w.varint(Math.floor(ms / 1000));
  const nanos = frac ? Number(frac[1].padEnd(9, "0")) : 0;
  if (nanos) {
    w.tag(2, 0);
    w.varint(nanos);
  }
  w.end(at);
}

/** The envelope up to its raw field, opened; close with closeEnvelope. */
function openEnvelope(w: Writer, apiVersion: string, kind: string): number {
  w.ensure(4);
  MAGIC.copy(w.buf, w.pos);
  w.pos += 4;
  const meta = w.begin(1);
  w.string(1, apiVersion);
  w.string(2, kind);
  w.end(meta);
  return w.begin(2);
}

function closeEnvelope(w: Writer, raw: number): void {
  w.end(raw);
  // contentEncoding and contentType: empty, as Go writes them.
  w.string(3, "");
  w.string(4, "");
}

/** The message of an object's apiVersion and kind, or undefined when the kind has no protobuf form (CRD-like kinds). */
export function protobufMessageOf(obj: { apiVersion?: unknown; kind?: unknown }): string | undefined {
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return undefined;
  return rootMessage(obj.apiVersion, obj.kind);
}

function encodeInto(w: Writer, obj: Json): boolean {
  const message = protobufMessageOf(obj);
  if (!message) return false;
  const start = w.pos;
  try {
    const raw = openEnvelope(w, obj.apiVersion as string, obj.kind as string);
    encodeMessage(w, obj, message);
    closeEnvelope(w, raw);
    return true;
  } catch (err) {
    if (!(err instanceof Unencodable)) throw err;
    w.pos = start;
    return false;
  }
}

/** An object (or a List, or a Status) in the protobuf envelope; undefined when it has no protobuf form. */
export function encodeKubernetesProtobuf(obj: Json): Buffer | undefined {
  const w = new Writer();
  return encodeInto(w, obj) ? w.result() : undefined;
}

/**
 * A List built an item at a time: `add` encodes each item straight into the list's buffer (memory holds the
 * encoded list, as the length of the envelope's raw bytes comes before them); `finish` adds the list metadata.
 * undefined when the list kind has no protobuf form.
 */
export interface ProtobufListEncoder {
  /** false when an item cannot be encoded (the response should be JSON). */
  add(item: Json): boolean;
  finish(metadata: Json): Buffer | undefined;
}

export function protobufListEncoder(apiVersion: string, listKind: string): ProtobufListEncoder | undefined {
  const message = rootMessage(apiVersion, listKind);
  if (!message) return undefined;
  const items = compile(message).direct.get("items");
  const meta = compile(message).direct.get("metadata");
  if (!items || !meta || typeof items.field.type !== "object") return undefined;
  const itemMessage = items.field.type.message;
  const w = new Writer(64 * 1024);
  const raw = openEnvelope(w, apiVersion, listKind);
  let ok = true;
  return {
    add(item) {
      if (!ok) return false;
      try {
        const at = w.begin(items.num);
        encodeMessage(w, item, itemMessage);
        w.end(at);
      } catch (err) {
        if (!(err instanceof Unencodable)) throw err;
        ok = false;
      }
      return ok;
    },
    finish(metadata) {
      if (!ok) return undefined;
      try {
        encodeValue(w, meta.num, meta.field, metadata);
      } catch (err) {
        if (!(err instanceof Unencodable)) throw err;
        return undefined;
      }
      closeEnvelope(w, raw);
      return w.result();
    },
  };
}

const WATCH_EVENT = compile("meta/v1.WatchEvent");
const EVENT_TYPE = WATCH_EVENT.direct.get("type")!.num;
const EVENT_OBJECT = WATCH_EVENT.direct.get("object")!.num;

/**
 * One frame of a protobuf watch stream: the length (4 bytes, big-endian) and a WatchEvent {type, object: {raw: the
 * object's envelope}}. undefined when the object has no protobuf form.
 */
export function protobufWatchFrame(type: string, object: Json): Buffer | undefined {
  const w = new Writer(4096);
  w.pos = 4;
  w.string(EVENT_TYPE, type);
  const obj = w.begin(EVENT_OBJECT);
  const raw = w.begin(1);
  if (!encodeInto(w, object)) return undefined;
  w.end(raw);
  w.end(obj);
  w.buf.writeUInt32BE(w.pos - 4, 0);
  return w.result();
}
