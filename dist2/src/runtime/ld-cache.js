/**
 * /etc/ld.so.cache in glibc's format (elf/dl-cache.c, sysdeps/generic/dl-cache.h), as written by ldconfig since
 * glibc 2.32: the header "glibc-ld.so.cache1.1", then entries {flags, key, value, osversion, hwcap} whose key (the
 * library's name) and value (its path) are offsets from the header's start. The older "ld.so-1.7.0" format may
 * precede it (a compat layout); its entries are skipped for the new ones that follow. Entries for glibc-hwcaps
 * subdirectories (a non-zero hwcap) are left out: the loader prefers them only on CPUs that have the capability, and
 * the plain library is always listed too.
 */
const NEW_MAGIC = "glibc-ld.so.cache1.1";
const OLD_MAGIC = "ld.so-1.7.0";
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
const OLD_HEADER = 16;
const OLD_ENTRY = 12;
/** Name → paths, in the cache's order (ldconfig sorts the best candidate first). Throws when malformed. */
export function parseLdCache(buf) {
    let base = 0;
    if (buf.toString("latin1", 0, OLD_MAGIC.length) === OLD_MAGIC) {
        const n = buf.readUInt32LE(12);
        // The new format follows the old entries, aligned to 8 bytes.
        base = align8(OLD_HEADER + n * OLD_ENTRY);
    }
    if (buf.toString("latin1", base, base + NEW_MAGIC.length) !== NEW_MAGIC)
        throw new Error("not a glibc ld.so.cache (no glibc-ld.so.cache1.1 header)");
    const nlibs = buf.readUInt32LE(base + 20);
    // ldconfig writes the host's byte order, recorded in the flags byte (2 little, 3 big): little endian is handled.
    if (((buf[base + 28] ?? 0) & 3) === 3)
        throw new Error("big-endian ld.so.cache is not supported");
    if (base + NEW_HEADER + nlibs * NEW_ENTRY > buf.length)
        throw new Error(`ld.so.cache lists ${nlibs} entries but is ${buf.length} bytes`);
    const str = (off) => {
        const at = base + off;
        if (at >= buf.length)
            throw new Error(`ld.so.cache string offset ${off} past the end`);
        const end = buf.indexOf(0, at);
        return buf.toString("latin1", at, end < 0 ? buf.length : end);
    };
    const out = new Map();
    for (let i = 0; i < nlibs; i++) {
        const at = base + NEW_HEADER + i * NEW_ENTRY;
        const hwcap = buf.readBigUInt64LE(at + 16);
        if (hwcap !== 0n)
            continue;
        const name = str(buf.readUInt32LE(at + 4));
        const path = str(buf.readUInt32LE(at + 8));
        const list = out.get(name);
        if (list)
            list.push(path);
        else
            out.set(name, [path]);
    }
    return out;
}
function align8(n) {
    return (n + 7) & ~7;
}
//# sourceMappingURL=ld-cache.js.map