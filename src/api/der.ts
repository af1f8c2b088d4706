/**
 * The little of ASN.1 DER that certificate signing requests and certificates need: reading a TLV (tag, the bytes of
 * its content, and the whole encoding) and writing one. Lengths are bounded by the input (a length running past the
 * end is an error), so a hostile request cannot make the reader allocate or loop.
 */

export interface Tlv {
  tag: number;
  /** The content octets. */
  value: Buffer;
  /** The whole encoding: tag, length and content. */
  raw: Buffer;
}

export class DerError extends Error {}

/** The TLV at `offset` of `buf`. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new DerError("truncated");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
  let len = buf[offset + 1];
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError("unsupported length");
    if (offset + 2 + n > buf.length) throw new DerError("truncated");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i];
    head += n;
  }
  const end = offset + head + len;
  if (end > buf.length) throw new DerError("truncated");
  return { tag, value: buf.subarray(offset + head, end), raw: buf.subarray(offset, end) };
}

/** The TLVs one after another inside a constructed value. */
export function children(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < value.length) {
    const t = readTlv(value, off);
    out.push(t);
    off += t.raw.length;
    if (out.length > 10_000) throw new DerError("too many elements");
  }
  return out;
}

/** The dotted form of an OBJECT IDENTIFIER's content. */
export function decodeOid(value: Buffer): string {
  if (!value.length) throw new DerError("empty object identifier");
  const parts: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = Math.min(Math.floor(first / 40), 2);
  return [a, first - a * 40, ...parts].join(".");
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

export const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, UTF8: 0x0c, PRINTABLE: 0x13, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31 } as const;

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let head: Buffer;
  if (n < 0x80) head = Buffer.from([tag, n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, body]);
}

export const seq = (...content: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...content);

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(bytes));
}

/** A non-negative INTEGER from big-endian bytes (a 0 octet added when the top bit is set). */
export function uint(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1);
  return tlv(TAG.INTEGER, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

export const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(TAG.BIT_STRING, Buffer.from([unusedBits]), bytes);

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), to the second. */
export function time(ms: number): Buffer {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const digits = iso.replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "Z");
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2))) : tlv(TAG.GENERALIZED_TIME, Buffer.from(digits));
}

/** A Name of RDNs, each one attribute: `[[oid, value], …]` as UTF8String. */
export function name(attrs: [string, string][]): Buffer {
  return seq(...attrs.map(([o, v]) => tlv(TAG.SET, seq(oid(o), tlv(TAG.UTF8, Buffer.from(v))))));
}

/** A PEM block of `type` around `der`, 64 characters a line. */
export function pem(type: string, der: Buffer): string {
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

/** The DER of the first PEM block of `type` in `text`, or undefined. */
export function pemBlock(text: string, type: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n([A-Za-z0-9+/=\\r\\n]*?)-----END \\1-----`).exec(text);
  if (!m || m[1] !== type) return undefined;
  return Buffer.from(m[2].replace(/[\r\n]/g, ""), "base64");
}
