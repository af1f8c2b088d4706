/**
 * The ELF reader and the loader's search, checked against what `ldd` and `ldconfig -p` say about this host's own
 * binaries and about binaries compiled here with RPATH, RUNPATH and $ORIGIN (ldd runs only here, in the test, as
 * the reference). A binary made to leave a mark when anything executes it is read without leaving one.
 */
import { before, after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElf, readElf, ElfError } from "../../../src/runtime/elf.js";
import { hostLdCache, sharedLibraries } from "../../../src/runtime/elf-libraries.js";
import { ImageStore } from "../../../src/runtime/images.js";
import { parseLdCache } from "../../../src/runtime/ld-cache.js";
import { HostRunner } from "../../../src/sys/runner.js";
/** What ldd lists for a file: the paths of the loader and the libraries (linux-vdso has none). */
function lddPaths(path) {
    const out = spawnSync("ldd", [path], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.split("\n").flatMap((line) => {
        if (/not found/.test(line))
            return [`missing:${line.trim().split(/\s/)[0]}`];
        const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
        return m ? [m[1]] : [];
    });
}
async function ours(path) {
    const libs = await sharedLibraries(path);
    return [...libs.paths, ...libs.missing.map((n) => `missing:${n}`)];
}
const sorted = (a) => [...a].sort();
const gccAvailable = spawnSync("gcc", ["--version"]).status === 0;
describe("ELF libraries", () => {
    it("this host's binaries: the same loader and libraries as ldd", async () => {
        const bins = ["/usr/bin/python3", "/bin/ls", process.execPath, "/usr/sbin/iptables", "/usr/bin/openssl", "/bin/busybox"];
        for (const bin of bins.filter((b) => existsSync(b))) {
            const expected = bin === "/bin/busybox" ? [] : lddPaths(bin); // static: ldd says "not a dynamic executable"
            assert.deepEqual(sorted(await ours(bin)), sorted(expected), bin);
        }
    });
    it("readElf: class, machine, interpreter and DT_NEEDED of /bin/ls; a non-ELF file is undefined", async () => {
        const ls = (await readElf("/bin/ls"));
        assert.equal(ls.bits, 64);
        assert.equal(ls.interpreter, lddPaths("/bin/ls").find((p) => p.includes("ld-linux")));
        assert.ok(ls.needed.includes("libc.so.6"), ls.needed.join(","));
        assert.equal(await readElf("/etc/passwd"), undefined);
    });
    it("/etc/ld.so.cache parses to what ldconfig -p prints", async () => {
        const cache = await hostLdCache();
        const printed = spawnSync("ldconfig", ["-p"], { encoding: "utf8" }).stdout;
        const expected = new Set();
        for (const line of printed.split("\n").slice(1)) {
            const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
            if (m && !m[2].includes("hwcap"))
                expected.add(`${m[1]} ${m[3]}`);
        }
        const got = new Set([...cache].flatMap(([name, paths]) => paths.map((p) => `${name} ${p}`)));
        assert.ok(expected.size > 10);
        assert.deepEqual(got, expected);
        assert.throws(() => parseLdCache(Buffer.from("not a cache at all, no header here")), /glibc-ld\.so\.cache1\.1/);
    });
    it("malformed ELF files are refused with ElfError, never read past their end or looped on", async () => {
        const good = readFileSync("/bin/ls");
        const parse = (buf) => parseElf(async (off, len) => buf.subarray(off, off + len), buf.length, "crafted");
        // Cut short, and header fields pointing anywhere.
        await assert.rejects(parse(good.subarray(0, 40)), ElfError);
        const farPh = Buffer.from(good);
        farPh.writeBigUInt64LE(0xffffffffffn, 32); // e_phoff far past the end
        await assert.rejects(parse(farPh), /outside the file/);
        const manyPh = Buffer.from(good);
        manyPh.writeUInt16LE(0xffff, 56); // e_phnum
        await assert.rejects(parse(manyPh), /program headers/);
        // 2,000 random corruptions of the first 4 KiB: each parses or is refused, nothing else.
        let seed = 42;
        const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
        for (let i = 0; i < 2000; i++) {
            const bad = Buffer.from(good);
            for (let k = 0; k < 8; k++)
                bad[rand() % 4096] = rand() % 256;
            await parse(bad).catch((err) => assert.ok(err instanceof ElfError || err instanceof RangeError, err.stack));
        }
    });
    describe("compiled here: RPATH, RUNPATH, $ORIGIN and a hostile binary", { skip: gccAvailable ? false : "no gcc" }, () => {
        let dir;
        const cc = (args) => {
            const r = spawnSync("gcc", args, { encoding: "utf8", cwd: dir });
            assert.equal(r.status, 0, r.stderr);
        };
        before(() => {
            dir = mkdtempSync(join(tmpdir(), "nodelet-elf-"));
            mkdirSync(join(dir, "lib"));
            mkdirSync(join(dir, "deep"));
            writeFileSync(join(dir, "two.c"), "int two(void) { return 2; }\n");
            writeFileSync(join(dir, "one.c"), "int two(void); int one(void) { return two() - 1; }\n");
            writeFileSync(join(dir, "main.c"), "int one(void); int main(void) { return one(); }\n");
            cc(["-shared", "-fPIC", "-o", "lib/libtwo.so", "two.c"]);
            // libone needs libtwo but says nowhere where it is: only an RPATH inherited from the executable finds it.
            cc(["-shared", "-fPIC", "-o", "lib/libone.so", "one.c", "-Llib", "-ltwo"]);
        });
        after(() => rmSync(dir, { recursive: true, force: true }));
        it("RPATH with $ORIGIN is inherited by the libraries it loads; RUNPATH is not", async () => {
            cc(["-o", "deep/with-rpath", "main.c", "-Llib", "-lone", "-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib"]);
            cc(["-o", "deep/with-runpath", "main.c", "-Llib", "-lone", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib"]);
            const rpath = join(dir, "deep/with-rpath");
            const runpath = join(dir, "deep/with-runpath");
            assert.deepEqual((await readElf(rpath)).rpath, ["$ORIGIN/../lib"]);
            assert.deepEqual((await readElf(runpath)).runpath, ["$ORIGIN/../lib"]);
            assert.deepEqual(sorted(await ours(rpath)), sorted(lddPaths(rpath)));
            assert.ok((await ours(rpath)).some((p) => p.endsWith("/libtwo.so")), "libtwo found through the inherited RPATH");
            // With RUNPATH, libone's own search (which has none) cannot find libtwo: ldd says "not found", and so do we.
            assert.deepEqual(sorted(await ours(runpath)), sorted(lddPaths(runpath)));
            assert.ok((await ours(runpath)).includes("missing:libtwo.so"));
        });
        it("image build --from-host: the binary and its libraries by their host paths, no command run; a missing library refused", async () => {
            const steps = [];
            const recorder = { record: (_owner, step) => steps.push(JSON.stringify(step)) };
            const images = new ImageStore(join(dir, "images"), new HostRunner(recorder));
            const image = await images.buildFromHost([join(dir, "deep/with-rpath")], "rpath:1");
            for (const p of lddPaths(join(dir, "deep/with-rpath")))
                assert.ok(existsSync(join(image.lowerDirs[0], p)), `${p} is in the image`);
            // The one command is the tar that archives the finished layer into the blob store.
            assert.deepEqual(steps.filter((s) => !s.includes('"argv":["tar"')), [], "nothing was executed to find the libraries");
            await assert.rejects(images.buildFromHost([join(dir, "deep/with-runpath")], "runpath:1"), /--from-host: ".*with-runpath" needs libtwo\.so, which this host does not have/);
        });
        it("binaries that mark a file when run (a constructor and main; an interpreter of their own) are read, not run", async () => {
            const marker = (n) => join(dir, `ran-${n}`);
            writeFileSync(join(dir, "evil.c"), `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void c(void) { close(open("${marker("ctor")}", O_CREAT | O_WRONLY, 0600)); }\nint main(void) { return 0; }\n`);
            // An interpreter with no libc: two raw system calls (x86-64), so it runs whatever the program it is asked to load.
            writeFileSync(join(dir, "interp.c"), `#include <sys/syscall.h>\nstatic long sc(long n, long a, long b, long c) { long r; __asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory"); return r; }\nvoid _start(void) { sc(SYS_open, (long)"${marker("interp")}", 0101, 0600); sc(SYS_exit, 0, 0, 0); for (;;); }\n`);
            cc(["-o", "evil", "evil.c"]);
            const hostile = [join(dir, "evil")];
            if (process.arch === "x64") {
                cc(["-nostdlib", "-static", "-fno-stack-protector", "-o", "evil-interp", "interp.c"]);
                cc(["-o", "evil-own-interp", "evil.c", `-Wl,--dynamic-linker=${join(dir, "evil-interp")}`]);
                hostile.push(join(dir, "evil-own-interp"));
            }
            for (const bin of hostile) {
                const libs = await sharedLibraries(bin);
                assert.ok(libs.paths.some((p) => p.endsWith("/libc.so.6")), bin);
            }
            if (process.arch === "x64")
                assert.equal((await sharedLibraries(hostile[1])).paths[0], join(dir, "evil-interp"));
            assert.equal(existsSync(marker("ctor")) || existsSync(marker("interp")), false, "reading the binaries ran nothing");
            // They are live: run, each leaves its mark (so the check above means something).
            for (const bin of hostile)
                spawnSync(bin);
            assert.equal(existsSync(marker("ctor")), true);
            if (process.arch === "x64")
                assert.equal(existsSync(marker("interp")), true);
        });
    });
});
//# sourceMappingURL=elf-libraries.test.js.map