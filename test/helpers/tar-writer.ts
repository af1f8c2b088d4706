/**
 * Writes tar archives for tests: layers with exactly the entries a test wants, including ones no honest archiver
 * makes (`..` names, absolute paths, links out of the root, whiteouts), as ustar with a pax header for long names,
 * long link targets and xattrs.
 */
export interface TarSpec {
  name: string;
  type?: "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";
  data?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  major?: number;
  minor?: number;
  xattrs?: Record<string, string | Buffer>;
}

const FLAGS = { file: "0", hardlink: "1", symlink: "2", char: "3", block: "4", dir: "5", fifo: "6" } as const;

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, "0") + "\0";
}

function header(name: string, flag: string, size: number, s: TarSpec, linkname: string): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, "utf8");
  b.write(octal(s.mode ?? (flag === "5" ? 0o755 : 0o644), 8), 100, "latin1");
  b.write(octal(s.uid ?? 0, 8), 108, "latin1");
  b.write(octal(s.gid ?? 0, 8), 116, "latin1");
  b.write(octal(size, 12), 124, "latin1");
  b.write(octal(0, 12), 136, "latin1");
  b.write("        ", 148, "latin1");
  b.write(flag, 156, "latin1");
  b.write(linkname.slice(0, 100), 157, "utf8");
  b.write("ustar\0", 257, "latin1");
  b.write("00", 263, "latin1");
  b.write(octal(s.major ?? 0, 8), 329, "latin1");
  b.write(octal(s.minor ?? 0, 8), 337, "latin1");
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i];
  b.write(octal(sum, 7) + " ", 148, "latin1");
  return b;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest ? Buffer.concat([data, Buffer.alloc(512 - rest)]) : data;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from("\n")]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** The archive of `entries`, in order, with the two end-of-archive blocks. */
export function tarBuffer(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of entries) {
    const type = s.type ?? "file";
    const data = type === "file" ? Buffer.from(s.data ?? "") : Buffer.alloc(0);
    const linkname = s.linkname ?? "";
    const records: Buffer[] = [];
    if (Buffer.byteLength(s.name) > 100) records.push(paxRecord("path", Buffer.from(s.name)));
    if (Buffer.byteLength(linkname) > 100) records.push(paxRecord("linkpath", Buffer.from(linkname)));
    for (const [k, v] of Object.entries(s.xattrs ?? {})) records.push(paxRecord(`SCHILY.xattr.${k}`, Buffer.from(v)));
    if (records.length) {
      const pax = Buffer.concat(records);
      parts.push(header("PaxHeader", "x", pax.length, { name: "PaxHeader" }, ""), pad(pax));
    }
    parts.push(header(s.name, FLAGS[type], data.length, s, linkname), pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * One extended-header record as an archiver writes it before an entry: pax (`x`), global pax (`g`), GNU long name
 * (`L`) or long link (`K`), with `body` as its content (pax records from `paxRecords`, or a name).
 */
export function extendedHeader(flag: "x" | "g" | "L" | "K", body: Buffer): Buffer {
  return Buffer.concat([header(flag === "g" ? "GlobalHead" : "PaxHeader", flag, body.length, { name: "PaxHeader" }, ""), pad(body)]);
}

/** pax "LEN KEY=VALUE\n" records. */
export function paxRecords(records: Record<string, string | Buffer>): Buffer {
  return Buffer.concat(Object.entries(records).map(([k, v]) => paxRecord(k, Buffer.from(v))));
}
