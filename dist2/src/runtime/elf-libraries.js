/**
 * The shared libraries the dynamic loader would map for a binary, found as glibc's ld.so finds them
 * (elf/dl-load.c _dl_map_object), from the ELF headers alone (elf.ts) — never by running `ldd`, which can execute
 * the binary it inspects. Breadth first from the binary's DT_NEEDED; each name is searched in:
 *   1. DT_RPATH of the object that needs it, then of the object that loaded that one, up to the executable
 *      (only while the needing object has no DT_RUNPATH; an object with DT_RUNPATH has no DT_RPATH);
 *   2. DT_RUNPATH of the object that needs it;
 *   3. /etc/ld.so.cache;
 *   4. the default directories.
 * $ORIGIN (the object's own directory), $LIB and $PLATFORM are expanded. A candidate of another ELF class or
 * machine is passed over, as the loader does. A name already loaded (by name or DT_SONAME) is not looked up again.
 * LD_LIBRARY_PATH is not consulted: the daemon's environment says nothing about the image being built.
 */
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
import { readElf } from "./elf.js";
import { parseLdCache } from "./ld-cache.js";
/** A bound on the objects followed: no real program maps this many, a crafted chain stops here. */
const MAX_OBJECTS = 1024;
/** The libraries of the ELF file at `path`: none for a non-ELF or static file. Throws ElfError for a malformed one. */
export async function sharedLibraries(path, search = {}) {
    const info = await readElf(path);
    if (!info || (!info.interpreter && info.needed.length === 0))
        return { paths: [], missing: [] };
    const cache = search.cache ?? (await hostLdCache());
    const dirs = search.defaultDirs ?? defaultDirs(info);
    const main = { path: await fsp.realpath(path), info };
    const names = new Set();
    const paths = [];
    const missing = [];
    if (info.interpreter) {
        paths.push(info.interpreter);
        names.add(info.interpreter);
        const rtld = await readElf(info.interpreter).catch(() => undefined);
        if (rtld?.soname)
            names.add(rtld.soname);
    }
    const queue = [main];
    for (let i = 0; i < queue.length; i++) {
        const obj = queue[i];
        for (const name of obj.info.needed) {
            if (names.has(name))
                continue;
            names.add(name);
            const found = await locate(name, obj, info, cache, dirs);
            if (!found) {
                missing.push(name);
                continue;
            }
            if (found.info.soname)
                names.add(found.info.soname);
            if (paths.includes(found.path))
                continue;
            paths.push(found.path);
            if (queue.length >= MAX_OBJECTS)
                throw new Error(`${path}: more than ${MAX_OBJECTS} shared objects`);
            queue.push({ ...found, loader: obj });
        }
    }
    return { paths, missing };
}
async function locate(name, obj, want, cache, dirs) {
    if (name.includes("/"))
        return candidate(expand(name, obj, want), want);
    const tries = [];
    if (obj.info.runpath.length === 0) {
        for (let l = obj; l; l = l.loader) {
            if (l.info.runpath.length === 0)
                tries.push(...l.info.rpath.map((d) => inDir(expand(d, l, want), name)));
        }
    }
    tries.push(...obj.info.runpath.map((d) => inDir(expand(d, obj, want), name)));
    tries.push(...(cache.get(name) ?? []));
    tries.push(...dirs.map((d) => inDir(d, name)));
    for (const p of tries) {
        const found = await candidate(p, want);
        if (found)
            return found;
    }
    return undefined;
}
/** DIR/NAME as the loader forms it: "." and ".." are kept (ldd prints them so), only a trailing slash goes. */
function inDir(dir, name) {
    return `${dir.replace(/\/+$/, "")}/${name}`;
}
/** A path that is an ELF file of the executable's class and machine, with its headers; else undefined. */
async function candidate(path, want) {
    const info = await readElf(path).catch(() => undefined);
    if (!info || info.bits !== want.bits || info.machine !== want.machine || info.littleEndian !== want.littleEndian)
        return undefined;
    return { path, info };
}
/** $ORIGIN / ${ORIGIN}: the object's directory; $LIB and $PLATFORM as Debian's glibc expands them. */
function expand(dir, obj, want) {
    const origin = dirname(obj.path);
    const triplet = TRIPLETS[want.machine];
    return dir.replace(/\$(\{ORIGIN\}|ORIGIN|\{LIB\}|LIB|\{PLATFORM\}|PLATFORM)/g, (_, token) => {
        const t = token.replace(/[{}]/g, "");
        if (t === "ORIGIN")
            return origin;
        if (t === "LIB")
            return triplet ? `lib/${triplet}` : want.bits === 64 ? "lib64" : "lib";
        return triplet?.split("-")[0] ?? "";
    });
}
/** Debian's multiarch triplets by e_machine. */
const TRIPLETS = { 62: "x86_64-linux-gnu", 183: "aarch64-linux-gnu", 3: "i386-linux-gnu", 40: "arm-linux-gnueabihf" };
/** glibc's trusted directories on Debian (multiarch first), then the FHS ones. */
function defaultDirs(info) {
    const triplet = TRIPLETS[info.machine];
    const multi = triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : [];
    const wide = info.bits === 64 ? ["/lib64", "/usr/lib64"] : [];
    return [...multi, ...wide, "/lib", "/usr/lib"];
}
/** The host's /etc/ld.so.cache, parsed; empty when there is none (a musl host) or it does not parse. */
export async function hostLdCache(path = "/etc/ld.so.cache") {
    const buf = await fsp.readFile(path).catch(() => undefined);
    if (!buf)
        return new Map();
    try {
        return parseLdCache(buf);
    }
    catch {
        return new Map();
    }
}
//# sourceMappingURL=elf-libraries.js.map