/**
 * `nodelet image build --debian PKG... --tag NAME`, the parts that are ours: package names checked before anything
 * runs, the host's suite and apt source files as apt reads them, mmdebstrap's argv, and the image made of the tar
 * mmdebstrap writes (one uncompressed layer, unpacked with the layer rules: no device nodes, no escape; the blob is
 * the tar itself; Debian's config). mmdebstrap itself is stood in for by a runner that writes a tar, so this runs in
 * a second; the real build (a minute or more from a mirror) is a step of `make bench`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FieldError } from "../../../src/api/errors.js";
import { hostAptSources, mmdebstrapArgv, validateDebianPackages } from "../../../src/images/debian-build.js";
import { ImageStore } from "../../../src/runtime/images.js";
import { HostRunner, type RunOptions, type RunResult } from "../../../src/sys/runner.js";
import { tarBuffer } from "../../helpers/tar-writer.js";

const dir = mkdtempSync(join(tmpdir(), "nodelet-debian-build-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An /etc with an os-release and apt sources as Debian 12 has them, plus files apt would not read. */
function fakeEtc(name: string, osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n'): string {
  const etc = join(dir, name);
  mkdirSync(join(etc, "apt/sources.list.d"), { recursive: true });
  writeFileSync(join(etc, "os-release"), osRelease);
  writeFileSync(join(etc, "apt/sources.list"), "# See sources.list.d\n\n");
  writeFileSync(join(etc, "apt/sources.list.d/debian.sources"), "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n");
  writeFileSync(join(etc, "apt/sources.list.d/extra.list"), "deb http://mirror.invalid/debian bookworm main\n");
  writeFileSync(join(etc, "apt/sources.list.d/old.list.disabled"), "deb http://old.invalid/debian bookworm main\n");
  writeFileSync(join(etc, "apt/sources.list.d/empty.list"), "# nothing\n");
  return etc;
}

/** A HostRunner whose mmdebstrap writes `tar` to its target (argv's second word after "--") instead of building. */
class FakeMmdebstrap extends HostRunner {
  calls: string[][] = [];
  constructor(private readonly tar: Buffer | undefined) {
    super();
  }
  override async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    if (argv[0] !== "mmdebstrap") return super.run(argv, opts);
    this.calls.push(argv);
    if (!this.tar) return super.run(["sh", "-c", "echo 'E: Unable to locate package nosuchpkg' >&2; exit 1"], opts);
    writeFileSync(argv[argv.indexOf("--") + 2], this.tar);
    return { stdout: "", stderr: "I: success", code: 0 };
  }
}

describe("image build --debian", () => {
  it("package names: Debian's grammar only, so none reads as an option or a second list", () => {
    for (const ok of [["hello"], ["libc6", "g++", "python3.11", "ca-certificates"]]) validateDebianPackages(ok);
    for (const bad of [[], ["-oAPT::Get=x"], ["Hello"], ["a,b"], ["a"], ["x y"], ["../etc"], ["pkg=1.0"]]) {
      assert.throws(() => validateDebianPackages(bad), (e: unknown) => e instanceof FieldError && e.field === "--debian", JSON.stringify(bad));
    }
  });

  it("the host's suite and the apt source files apt reads (.list, .sources, with entries), in apt's order", () => {
    const etc = fakeEtc("etc-ok");
    const s = hostAptSources(etc);
    assert.equal(s.suite, "bookworm");
    assert.deepEqual(s.files, [join(etc, "apt/sources.list.d/debian.sources"), join(etc, "apt/sources.list.d/extra.list")]);
    assert.deepEqual(mmdebstrapArgv(["hello", "curl"], s, "/x/out.tar"), [
      "mmdebstrap", "--mode=root", "--variant=apt", "--format=tar", "--include=hello,curl", "--", "bookworm", "/x/out.tar", ...s.files,
    ]);
    assert.throws(() => hostAptSources(fakeEtc("etc-nocodename", 'NAME="Something"\n')), /--debian: .*names no VERSION_CODENAME/);
    const bare = fakeEtc("etc-nosources");
    for (const f of readdirSync(join(bare, "apt/sources.list.d"))) rmSync(join(bare, "apt/sources.list.d", f));
    assert.throws(() => hostAptSources(bare), /--debian: this node has no apt sources/);
  });

  it("mmdebstrap's tar becomes a one-layer image: the blob is the tar, unpacked with the layer rules, Debian's config", async () => {
    const tar = tarBuffer([
      { name: "./", type: "dir" },
      { name: "./usr/", type: "dir" },
      { name: "./usr/bin/", type: "dir" },
      { name: "./usr/bin/hello", data: "#!/bin/sh\necho hello\n", mode: 0o755 },
      { name: "./bin", type: "symlink", linkname: "usr/bin" },
      { name: "./dev/", type: "dir" },
      { name: "./dev/null", type: "char", major: 1, minor: 3, mode: 0o666 },
      { name: "./etc/", type: "dir" },
      { name: "./etc/debian_version", data: "12.10\n" },
    ]);
    const runner = new FakeMmdebstrap(tar);
    const images = new ImageStore(join(dir, "store-ok"), runner);
    const image = await images.buildDebian(["hello"], "deb/hello:1", fakeEtc("etc-build"));
    assert.equal(runner.calls.length, 1);
    assert.ok(runner.calls[0].includes("--include=hello"));
    assert.deepEqual(image.tags, ["docker.io/deb/hello:1"]);
    assert.deepEqual(image.config.Cmd, ["bash"]);
    assert.equal(image.local, true, "built here: no registry has it, no policy pulls it");
    const [layer] = image.lowerDirs;
    assert.equal(readFileSync(join(layer, "usr/bin/hello"), "utf8"), "#!/bin/sh\necho hello\n");
    assert.equal(lstatSync(join(layer, "usr/bin/hello")).mode & 0o777, 0o755);
    assert.ok(lstatSync(join(layer, "bin")).isSymbolicLink());
    assert.ok(!existsSync(join(layer, "dev/null")), "device nodes are left out of a layer, as for a pulled one");
    const record = images.record("deb/hello:1")!;
    const digest = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
    assert.deepEqual(record.layers.map((l) => [l.digest, l.diffID, l.size, l.mediaType]), [[digest, digest, tar.length, "application/vnd.oci.image.layer.v1.tar"]]);
    assert.ok(await images.blobs.has({ algorithm: "sha256", hex: digest.slice(7) }), "the tar is kept as the layer's blob (for save and push)");
    assert.deepEqual(readdirSync(join(dir, "store-ok", "tmp")), [], "mmdebstrap's tar and the unpack directory are gone");
  });

  it("a failing mmdebstrap: the cause named, no image, nothing left in tmp; a link out of the root stays inside", async () => {
    const root = join(dir, "store-fail");
    const failing = new ImageStore(root, new FakeMmdebstrap(undefined));
    await assert.rejects(failing.buildDebian(["nosuchpkg"], "deb/none:1", fakeEtc("etc-fail")), /building a Debian image of nosuchpkg with mmdebstrap: .*Unable to locate package nosuchpkg/);
    assert.equal(await failing.resolve("deb/none:1"), undefined);
    assert.deepEqual(readdirSync(join(root, "tmp")), []);

    const evil = tarBuffer([{ name: "./", type: "dir" }, { name: "./x", type: "symlink", linkname: "/etc" }, { name: "./x/pwned", data: "no" }]);
    const escaping = new ImageStore(root, new FakeMmdebstrap(evil));
    // An absolute symlink in a parent is followed inside the layer, as for a pulled layer: the file lands in the image's /etc.
    const img = await escaping.buildDebian(["hello"], "deb/evil:1", fakeEtc("etc-evil"));
    assert.equal(readFileSync(join(img.lowerDirs[0], "etc/pwned"), "utf8"), "no");
    assert.ok(!existsSync("/etc/pwned"));
    assert.deepEqual(readdirSync(join(root, "tmp")), []);
    await assert.rejects(escaping.buildDebian(["-oFoo"], "deb/x:1", fakeEtc("etc-opt")), /--debian: "-oFoo" is not a Debian package name/);
  });
});
