/**
 * A schema-less protobuf reader for tests (what `protoc --decode_raw` does): field numbers to raw values, with no
 * knowledge of the API server's field table, so tests can check responses against field numbers typed by hand from
 * upstream's generated.proto.
 */

/** Field number → its occurrences: a varint as bigint, a length-delimited field as its bytes. */
export type Fields = Map<number, (bigint | Buffer)[]>;

export function readFields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw new Error("truncated varint");
      const b = buf[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error("truncated field");
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unexpected wire type ${wire} for field ${num}`);
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}

/** The one occurrence of a length-delimited field, as bytes (fails when absent or repeated). */
export function bytesAt(f: Fields, num: number): Buffer {
  const v = f.get(num);
  if (!v || v.length !== 1 || typeof v[0] === "bigint") throw new Error(`field ${num}: ${v ? `${v.length} values` : "absent"}`);
  return v[0];
}

export const textAt = (f: Fields, num: number): string => bytesAt(f, num).toString("utf8");
export const messageAt = (f: Fields, num: number): Fields => readFields(bytesAt(f, num));

export function intAt(f: Fields, num: number): number {
  const v = f.get(num);
  if (!v || v.length !== 1 || typeof v[0] !== "bigint") throw new Error(`field ${num}: not one varint`);
  return Number(BigInt.asIntN(64, v[0]));
}

/** Every occurrence of a repeated message field, read. */
export const messagesAt = (f: Fields, num: number): Fields[] => (f.get(num) ?? []).map((v) => readFields(v as Buffer));

/** A map field's entries {1: key, 2: value} as key → value bytes. */
export function mapAt(f: Fields, num: number): Map<string, Buffer> {
  return new Map(messagesAt(f, num).map((e) => [textAt(e, 1), e.has(2) ? bytesAt(e, 2) : Buffer.alloc(0)]));
}

/** The k8s\0 envelope (runtime.Unknown {typeMeta 1 {apiVersion 1, kind 2}, raw 2, contentEncoding 3, contentType 4}). */
export function readEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Fields; rawBytes: Buffer; contentEncoding: string } {
  if (!body.subarray(0, 4).equals(Buffer.from("k8s\0", "binary"))) throw new Error("no k8s\\0 magic");
  const unknown = readFields(body.subarray(4));
  const typeMeta = messageAt(unknown, 1);
  const rawBytes = bytesAt(unknown, 2);
  return { apiVersion: textAt(typeMeta, 1), kind: textAt(typeMeta, 2), raw: readFields(rawBytes), rawBytes, contentEncoding: unknown.has(3) ? textAt(unknown, 3) : "" };
}

/** The frames of a protobuf watch stream: 4-byte big-endian length, then a WatchEvent {type 1, object 2 {raw 1}}. */
export function readWatchFrames(body: Buffer): { type: string; object: ReturnType<typeof readEnvelope> }[] {
  const out: { type: string; object: ReturnType<typeof readEnvelope> }[] = [];
  for (let pos = 0; pos < body.length; ) {
    const len = body.readUInt32BE(pos);
    const event = readFields(body.subarray(pos + 4, pos + 4 + len));
    out.push({ type: textAt(event, 1), object: readEnvelope(bytesAt(messageAt(event, 2), 1)) });
    pos += 4 + len;
  }
  return out;
}
