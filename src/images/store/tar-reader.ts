/**
 * A streaming reader of tar archives as image layers use them: ustar headers, pax extended headers (path,
 * linkpath, size, uid, gid, SCHILY.xattr.*), GNU long names (`L`) and long link names (`K`), and GNU base-256
 * numbers. Nothing is held beyond one header and the pending chunk of input: an entry's content is handed out as
 * the chunks it arrives in, and must be consumed (or skipped) before the next entry is read.
 *
 * Written here rather than taken from npm: the npm tar packages carry a history of path-handling CVEs (see
 * shared reference images.md), and a layer needs only parsing — every path decision is the unpacker's
 * (layer-path.ts, unpack.ts). Inputs are bounded as Go's archive/tar (containerd's reader) bounds them: a pax,
 * global pax or long-name record over 1 MiB, global pax records adding up to more than 1 MiB, more than
 * MAX_META_RECORDS such records before one entry, a bad header checksum or a truncated archive is an error naming
 * the entry. Without these a small compressed layer could make the reader hold or parse gigabytes of headers.
 */

export type TarEntryType = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";

export interface TarHeader {
  /** The entry's path as the archive spells it (not yet normalised or checked). */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from pax `SCHILY.xattr.NAME` records (values as raw bytes). */
  xattrs: Map<string, Buffer>;
}

export interface TarEntry {
  header: TarHeader;
  /** The content: exactly header.size bytes, in chunks. Must be drained before the next entry is asked for. */
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
/** Most bytes a pax record set or a GNU long name may have: far above any real path, far below memory trouble. */
export const MAX_META_SIZE = 1 << 20;
/** Most extended-header records (pax, global pax, long name, long link) in a row before an entry: 4 real ones and slack. */
export const MAX_META_RECORDS = 16;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(`invalid layer tar: ${message}`);
    this.name = "TarFormatError";
  }
}

/** Reads exact byte counts from an async stream of chunks, keeping at most one partly used chunk. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private done = false;

  constructor(src: AsyncIterable<Buffer>) {
    this.it = src[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, r.value]) : r.value;
    return true;
  }

  /** Exactly n bytes (n is small: a header or a bounded record); fewer only at the end of input. */
  async read(n: number): Promise<Buffer> {
    while (this.pending.length < n && (await this.fill()));
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  /** n bytes as chunks, without gathering them; throws if the input ends first. */
  async *chunks(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) throw new TarFormatError(`${what}: archive truncated`);
      const take = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(take.length);
      left -= take.length;
      yield take;
    }
  }

  async skip(n: number, what: string): Promise<void> {
    for await (const _ of this.chunks(n, what));
  }

  /** Ends the input early: its return() runs upstream, so a decompressor and the source stream are released. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.it.return?.();
  }
}

/** The entries of a tar stream, in order. Throws TarFormatError for a malformed archive. */
export async function* tarEntries(src: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(src);
  let pax: Map<string, string> | undefined;
  let globalPax = new Map<string, string>();
  let xattrs = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let globalBytes = 0;
  let metaRecords = 0;
  // Left without close() only at the end of archive: the caller reads the padding after it (it is part of the diffID).
  let ended = false;
  try {
    for (;;) {
      const block = await r.read(BLOCK);
      if (block.length === 0) return void (ended = true); // no end-of-archive blocks: tolerated, as GNU tar does
      if (block.length < BLOCK) throw new TarFormatError("archive truncated inside a header");
      if (isZero(block)) return void (ended = true); // end of archive (the second zero block and any padding are not read)
      verifyChecksum(block);
      const typeflag = String.fromCharCode(block[156] || 0x30);
      const size = parseNumber(block, 124, 12, "size");
      const rawName = headerName(block);
      if ("xgLK".includes(typeflag)) {
        if (size > MAX_META_SIZE) throw new TarFormatError(`${rawName}: extended header of ${size} bytes (limit ${MAX_META_SIZE})`);
        if (++metaRecords > MAX_META_RECORDS) throw new TarFormatError(`${rawName}: more than ${MAX_META_RECORDS} extended headers in a row`);
        if (typeflag === "g" && (globalBytes += size) > MAX_META_SIZE) {
          throw new TarFormatError(`${rawName}: global extended headers of more than ${MAX_META_SIZE} bytes in all`);
        }
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        const data = await r.read(padded);
        if (data.length < padded) throw new TarFormatError(`${rawName}: archive truncated inside an extended header`);
        const body = data.subarray(0, size);
        if (typeflag === "x") [pax, xattrs] = parsePax(body, rawName);
        else if (typeflag === "g") globalPax = new Map([...globalPax, ...parsePax(body, rawName)[0]]);
        else if (typeflag === "L") longName = cString(body);
        else longLink = cString(body);
        continue;
      }
      const p = new Map([...globalPax, ...(pax ?? [])]);
      const header: TarHeader = {
        name: p.get("path") ?? longName ?? rawName,
        type: entryType(typeflag, rawName),
        mode: parseNumber(block, 100, 8, "mode") & 0o7777,
        uid: paxNumber(p, "uid") ?? parseNumber(block, 108, 8, "uid"),
        gid: paxNumber(p, "gid") ?? parseNumber(block, 116, 8, "gid"),
        size: paxNumber(p, "size") ?? size,
        mtime: paxNumber(p, "mtime") ?? parseNumber(block, 136, 12, "mtime"),
        linkname: p.get("linkpath") ?? longLink ?? cString(block.subarray(157, 257)),
        devmajor: parseNumber(block, 329, 8, "devmajor"),
        devminor: parseNumber(block, 337, 8, "devminor"),
        xattrs,
      };
      pax = undefined;
      longName = longLink = undefined;
      metaRecords = 0;
      xattrs = new Map();
      // Only regular files carry content blocks (POSIX: other types' size is zero or ignored, as GNU tar reads it).
      const contentSize = header.type === "file" ? header.size : 0;
      const total = Math.ceil(contentSize / BLOCK) * BLOCK;
      let consumed = false;
      const body = (async function* () {
        consumed = true;
        yield* r.chunks(contentSize, header.name);
      })();
      yield { header, body };
      if (!consumed) await r.skip(contentSize, header.name);
      else for await (const _ of body); // whatever the consumer left
      await r.skip(total - contentSize, header.name);
    }
  } finally {
    if (!ended) await r.close();
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function verifyChecksum(block: Buffer): void {
  const want = parseNumber(block, 148, 8, "checksum");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  if (sum !== want) throw new TarFormatError(`header checksum mismatch (${sum} != ${want}): not a tar archive, or corrupt`);
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString("utf8");
}

/** ustar splits long names into prefix (345..500) and name (0..100). */
function headerName(block: Buffer): string {
  const name = cString(block.subarray(0, 100));
  const magic = block.subarray(257, 263).toString("latin1");
  const prefix = magic.startsWith("ustar") && magic !== "ustar " ? cString(block.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** An octal field, or GNU base-256 (high bit set) for values that do not fit. */
export function parseNumber(block: Buffer, off: number, len: number, field: string): number {
  const f = block.subarray(off, off + len);
  if (f[0] & 0x80) {
    if (f[0] === 0xff) throw new TarFormatError(`negative ${field}`);
    let v = f[0] & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i];
    if (!Number.isSafeInteger(v)) throw new TarFormatError(`${field} too large`);
    return v;
  }
  const s = f.toString("latin1").replace(/\0.*$/s, "").trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`${field} is not an octal number: ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function entryType(flag: string, name: string): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "7":
      return name.endsWith("/") ? "dir" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "3":
      return "char";
    case "4":
      return "block";
    case "5":
      return "dir";
    case "6":
      return "fifo";
    default:
      throw new TarFormatError(`${name}: unsupported entry type ${JSON.stringify(flag)}`);
  }
}

/** pax records: "LEN KEY=VALUE\n", LEN counting the whole record. Values of xattrs are kept as bytes. */
export function parsePax(data: Buffer, name: string): [Map<string, string>, Map<string, Buffer>] {
  const out = new Map<string, string>();
  const xattrs = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0 || sp - i > 8) throw new TarFormatError(`${name}: malformed pax record`);
    const len = Number(data.subarray(i, sp).toString("latin1"));
    if (!Number.isInteger(len) || len <= sp - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw new TarFormatError(`${name}: malformed pax record length`);
    }
    const rec = data.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarFormatError(`${name}: pax record without '='`);
    const key = rec.subarray(0, eq).toString("utf8");
    const value = rec.subarray(eq + 1);
    if (key.startsWith("SCHILY.xattr.")) xattrs.set(key.slice("SCHILY.xattr.".length), Buffer.from(value));
    else out.set(key, value.toString("utf8"));
    i += len;
  }
  return [out, xattrs];
}

function paxNumber(p: Map<string, string>, key: string): number | undefined {
  const v = p.get(key);
  if (v === undefined) return undefined;
  const n = key === "mtime" ? Math.floor(Number(v)) : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new TarFormatError(`pax ${key} is not a non-negative integer: ${JSON.stringify(v)}`);
  return n;
}
