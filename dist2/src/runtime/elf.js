/**
 * Reads what the dynamic loader needs to know about an ELF file, from its headers alone: class, byte order and
 * machine, the interpreter (PT_INTERP), and the dynamic section's DT_NEEDED, DT_RPATH, DT_RUNPATH and DT_SONAME
 * (https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.dynamic.html). Nothing is executed, unlike `ldd`, which
 * can run the file it inspects (ldd(1), "Security"). Every read is bounded and checked against the file's size,
 * so a malformed or hostile file is an ElfError, never a large allocation or a loop.
 */
import { promises as fsp } from "node:fs";
export class ElfError extends Error {
    constructor(path, reason) {
        super(`${path}: not a readable ELF file: ${reason}`);
        this.name = "ElfError";
    }
}
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
/** Bounds no real file comes near; a file beyond them is refused rather than read. */
const MAX_PHNUM = 4096;
const MAX_DYNAMIC_BYTES = 1024 * 1024;
const MAX_INTERP_BYTES = 4096;
/** The longest name or search path read from the string table, and how many are read. */
const MAX_STRING_BYTES = 4096;
const MAX_STRINGS = 4096;
/** The ELF information of the file at `path`, or undefined when it is not an ELF file. Throws ElfError when malformed. */
export async function readElf(path) {
    const fh = await fsp.open(path, "r");
    try {
        const { size } = await fh.stat();
        const readAt = async (offset, length) => {
            const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
            const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
            return buf.subarray(0, bytesRead);
        };
        return await parseElf(readAt, size, path);
    }
    finally {
        await fh.close();
    }
}
/** parseElf over any reader (a file, a buffer in tests). `size` is the file's length; `name` is for errors. */
export async function parseElf(readAt, size, name) {
    const ident = await readAt(0, 64);
    if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46)
        return undefined;
    const fail = (reason) => {
        throw new ElfError(name, reason);
    };
    const bits = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : fail(`unknown class ${ident[4]}`);
    const le = ident[5] === 1 ? true : ident[5] === 2 ? false : fail(`unknown byte order ${ident[5]}`);
    if (ident.length < (bits === 64 ? 64 : 52))
        fail("truncated header");
    const r = reader(ident, le, bits);
    const type = r.u16(16);
    const machine = r.u16(18);
    const phoff = r.word(bits === 64 ? 32 : 28);
    const phentsize = r.u16(bits === 64 ? 54 : 42);
    const phnum = r.u16(bits === 64 ? 56 : 44);
    if (phnum > MAX_PHNUM)
        fail(`${phnum} program headers`);
    if (phentsize < (bits === 64 ? 56 : 32))
        fail(`program header size ${phentsize}`);
    const info = { bits, littleEndian: le, machine, type, needed: [], rpath: [], runpath: [] };
    if (phnum === 0)
        return info;
    const phTable = await within(readAt, size, phoff, phnum * phentsize, fail, "program headers");
    const ph = reader(phTable, le, bits);
    const segments = [];
    for (let i = 0; i < phnum; i++) {
        const at = i * phentsize;
        segments.push(bits === 64
            ? { type: ph.u32(at), offset: ph.word(at + 8), vaddr: ph.word(at + 16), filesz: ph.word(at + 32) }
            : { type: ph.u32(at), offset: ph.u32(at + 4), vaddr: ph.u32(at + 8), filesz: ph.u32(at + 16) });
    }
    const interp = segments.find((s) => s.type === PT_INTERP);
    if (interp) {
        if (interp.filesz > MAX_INTERP_BYTES)
            fail(`interpreter path of ${interp.filesz} bytes`);
        info.interpreter = cString(await within(readAt, size, interp.offset, interp.filesz, fail, "PT_INTERP"), 0);
    }
    const dyn = segments.find((s) => s.type === PT_DYNAMIC);
    if (dyn)
        await readDynamic(dyn, segments, info, { readAt, size, le, bits, fail });
    return info;
}
async function readDynamic(dyn, segments, info, c) {
    if (dyn.filesz > MAX_DYNAMIC_BYTES)
        c.fail(`dynamic section of ${dyn.filesz} bytes`);
    const table = await within(c.readAt, c.size, dyn.offset, dyn.filesz, c.fail, "PT_DYNAMIC");
    const d = reader(table, c.le, c.bits);
    const entry = c.bits === 64 ? 16 : 8;
    const tags = [];
    for (let at = 0; at + entry <= table.length; at += entry) {
        const tag = c.bits === 64 ? Number(d.i64(at)) : d.u32(at);
        const val = d.word(at + entry / 2);
        if (tag === DT_NULL)
            break;
        tags.push([tag, val]);
    }
    const strtabAddr = tags.find(([t]) => t === DT_STRTAB)?.[1];
    const strsz = tags.find(([t]) => t === DT_STRSZ)?.[1];
    if (strtabAddr === undefined || strsz === undefined)
        return;
    // DT_STRTAB is an address: find the file offset through the PT_LOAD segment that maps it. Only the strings named
    // are read (a big program's table holds megabytes of symbol names).
    const load = segments.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
    if (!load)
        c.fail("the string table is in no loaded segment");
    const base = load.offset + (strtabAddr - load.vaddr);
    if (tags.length > MAX_STRINGS)
        c.fail(`${tags.length} dynamic entries`);
    const str = async (off) => {
        if (off >= strsz)
            c.fail(`string offset ${off} past the table`);
        const chunk = await within(c.readAt, c.size, base + off, Math.min(MAX_STRING_BYTES, strsz - off), c.fail, "a dynamic string");
        if (chunk.indexOf(0) < 0)
            c.fail(`a dynamic string longer than ${MAX_STRING_BYTES} bytes`);
        return cString(chunk, 0);
    };
    for (const [tag, val] of tags) {
        if (tag === DT_NEEDED)
            info.needed.push(await str(val));
        else if (tag === DT_RPATH)
            info.rpath.push(...(await str(val)).split(":").filter(Boolean));
        else if (tag === DT_RUNPATH)
            info.runpath.push(...(await str(val)).split(":").filter(Boolean));
        else if (tag === DT_SONAME)
            info.soname = await str(val);
    }
}
/** Reads [offset, offset+length) and fails unless all of it is inside the file. */
async function within(readAt, size, offset, length, fail, what) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        fail(`${what} (${length} bytes at ${offset}) lies outside the file`);
    }
    const buf = await readAt(offset, length);
    if (buf.length < length)
        fail(`${what} is truncated`);
    return buf;
}
function cString(buf, at) {
    const end = buf.indexOf(0, at);
    return buf.toString("latin1", at, end < 0 ? buf.length : end);
}
function reader(buf, le, bits) {
    const need = (at, n) => {
        if (at + n > buf.length)
            throw new RangeError(`read of ${n} bytes at ${at} past ${buf.length}`);
    };
    const u16 = (at) => (need(at, 2), le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
    const u32 = (at) => (need(at, 4), le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    const i64 = (at) => (need(at, 8), le ? buf.readBigInt64LE(at) : buf.readBigInt64BE(at));
    const u64 = (at) => {
        need(at, 8);
        const v = le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
        // Beyond 2^53 no offset or size of a real file: mark it unusable rather than lose precision.
        return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(v);
    };
    return { u16, u32, i64, word: (at) => (bits === 64 ? u64(at) : u32(at)) };
}
//# sourceMappingURL=elf.js.map