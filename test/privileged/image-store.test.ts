/**
 * The image store as root: malicious layers (one per traversal class of shared reference images.md) write nothing
 * outside their layer directory and commit nothing when refused; a corrupted or truncated layer leaves nothing; a
 * layer shared by two images is stored once; gzip, zstd and plain layers; two concurrent pulls share one; and
 * inside a real container the merged view of whiteouts, opaque directories, hardlinks, device nodes and the image's
 * USER (resolved inside the image, not through a symlink to the host) is what OCI says.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsRoot } from "../helpers/root.js";
import { tarBuffer, type TarSpec } from "../helpers/tar-writer.js";
import { writeOciLayout, type TestImage } from "../helpers/oci-image.js";
import { makeRuntime, runToExit, testPod, type RuntimeHarness } from "../helpers/runtime-harness.js";
import { ImageStore, ociArch } from "../../src/runtime/images.js";
import { Puller, type PullProgress } from "../../src/images/pull.js";
import { OciLayoutSource } from "../../src/images/oci-layout.js";
import { HostRunner } from "../../src/sys/runner.js";

const skip = needsRoot();
const platform = { os: "linux", architecture: ociArch(process.arch) };

/** A snapshot of a directory tree: every path with its type, mode and content, to prove nothing changed. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.nlink} ${st.isFile() ? readFileSync(p, "utf8") : ""}`);
      if (st.isDirectory()) walk(p);
    }
  };
  out.push(`${dir} ${statSync(dir).mode.toString(8)}`);
  walk(dir);
  return out;
}

/** A busybox layer: the static binary and the applets the tests use. */
function busyboxLayer(): TarSpec[] {
  const applets = ["sh", "ls", "cat", "test", "stat", "echo", "id", "sleep", "grep", "tr", "wc"];
  return [
    { name: "bin/", type: "dir" },
    { name: "bin/busybox", data: readFileSync("/bin/busybox"), mode: 0o755 },
    ...applets.map((a) => ({ name: `bin/${a}`, type: "symlink" as const, linkname: "busybox" })),
  ];
}

describe("image store (privileged)", { skip }, () => {
  let dir: string;
  let outside: string;
  let store: ImageStore;
  let puller: Puller;
  let n = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "nodelet-imagestore-"));
    outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "sentinel"), "original");
    chmodSync(outside, 0o755);
    store = new ImageStore(join(dir, "images"), new HostRunner());
    puller = new Puller(store, { platform });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function pull(images: TestImage[], name = images[0].name, onProgress?: (p: PullProgress) => void) {
    const layout = join(dir, `layout-${n++}`);
    const written = writeOciLayout(layout, images);
    const ref = `test.local/${name}:v1`;
    const result = await puller.pull({ ref, repository: `test.local/${name}`, tag: ref, source: await OciLayoutSource.open(layout, name), onProgress });
    return { result, written, layout };
  }

  function nothingLeft(): void {
    const tmp = join(dir, "images", "tmp");
    assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], "no temporary layer directory is left");
    const blobs = join(dir, "images", "blobs", "sha256");
    assert.deepEqual((existsSync(blobs) ? readdirSync(blobs) : []).filter((f) => f.startsWith(".tmp")), [], "no temporary blob is left");
  }

  // Each escape is written with an absolute host path to a directory outside the store; a correct unpack lands it
  // inside the layer (the layer root being "/"), or refuses the layer.
  const out = () => outside.slice(1);
  const escapes: [string, () => TarSpec[]][] = [
    ["'..' names", () => [{ name: `${"../".repeat(12)}${out()}/dotdot`, data: "x" }]],
    ["absolute names", () => [{ name: `/${out()}/abs`, data: "x" }]],
    ["an absolute symlink, then a write through it", () => [{ name: "evil", type: "symlink", linkname: outside }, { name: "evil/pwn", data: "x" }]],
    ["a relative symlink out of the root, then a write through it", () => [{ name: "rel", type: "symlink", linkname: `${"../".repeat(12)}${out()}` }, { name: "rel/pwn2", data: "x" }]],
    ["a symlink to a host file, then a file of the same name", () => [{ name: "f", type: "symlink", linkname: join(outside, "sentinel") }, { name: "f", data: "pwned" }]],
    ["a symlink, then a directory entry of the same name (chmod through it, CVE-2021-32760)", () => [{ name: "d", type: "symlink", linkname: outside }, { name: "d/", type: "dir", mode: 0o777 }]],
    ["a whiteout through a symlinked parent", () => [{ name: "sub", type: "symlink", linkname: outside }, { name: "sub/.wh.sentinel", data: "" }]],
    ["a symlink named '.' or '/' (CVE-2021-29136)", () => [{ name: "./", type: "dir", mode: 0o755 }, { name: "x", type: "symlink", linkname: "/" }, { name: `x/${out()}/dot`, data: "x" }]],
  ];

  for (const [what, entries] of escapes) {
    test(`malicious layer, ${what}: nothing is written outside the layer`, async () => {
      const before = snapshot(outside);
      const name = `evil${n}`;
      await pull([{ name, layers: [tarBuffer(entries())] }]).catch(() => undefined);
      assert.deepEqual(snapshot(outside), before, "the host directory is untouched");
      nothingLeft();
    });
  }

  test("malicious layer, hardlinks to a host file (directly and through a symlink) are refused, nothing committed", async () => {
    const before = snapshot(outside);
    for (const entries of [
      [{ name: "h", type: "hardlink", linkname: `${"../".repeat(12)}${out()}/sentinel` }],
      [{ name: "s", type: "symlink", linkname: outside }, { name: "h2", type: "hardlink", linkname: "s/sentinel" }],
    ] as TarSpec[][]) {
      const name = `hard${n}`;
      await assert.rejects(pull([{ name, layers: [tarBuffer(entries)] }]), /hardlink target .* is not in this layer/);
      assert.equal(store.has(`test.local/${name}:v1`), false);
    }
    assert.deepEqual(snapshot(outside), before);
    assert.equal(lstatSync(join(outside, "sentinel")).nlink, 1, "no new link to the host file");
    nothingLeft();
  });

  test("digests used as paths are validated before use (CVE-2024-3727)", async () => {
    await assert.rejects(
      store.layers.ensure({ digest: `sha256:${"a".repeat(64)}`, diffID: "sha256:../../../outside", size: 1, mediaType: "application/vnd.oci.image.layer.v1.tar" }, async () => (async function* () {})()),
      /diffID: invalid digest/,
    );
    const layout = join(dir, "layout-baddigest");
    writeOciLayout(layout, [{ name: "bad", layers: [tarBuffer([{ name: "a", data: "x" }])] }]);
    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(join(layout, "blobs", index.manifests[0].digest.replace(":", "/")), "utf8")) as { layers: { digest: string }[] };
    manifest.layers[0].digest = `sha256:../../../../${out()}/x`;
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = `sha256:${execFileSync("sha256sum", { input: bytes }).toString().slice(0, 64)}`;
    writeFileSync(join(layout, "blobs", "sha256", digest.slice(7)), bytes);
    index.manifests[0].digest = digest;
    writeFileSync(join(layout, "index.json"), JSON.stringify(index));
    await assert.rejects(puller.pull({ ref: "test.local/bad:v1", repository: "test.local/bad", tag: "test.local/bad:v1", source: await OciLayoutSource.open(layout, "bad") }), /layers\[0\]\.digest: invalid sha256 digest/);
    nothingLeft();
  });

  test("a corrupted layer blob and a truncated gzip stream leave nothing: no layer, no blob, no image", async () => {
    for (const damage of ["flip", "truncate"] as const) {
      const layout = join(dir, `layout-corrupt-${damage}`);
      const [w] = writeOciLayout(layout, [{ name: "corrupt", layers: [tarBuffer([{ name: "big", data: "z".repeat(200_000) }])] }]);
      const blobFile = join(layout, "blobs", "sha256", w.layers[0].digest.slice(7));
      const blob = readFileSync(blobFile);
      if (damage === "flip") blob[blob.length - 20] ^= 0xff;
      writeFileSync(blobFile, damage === "flip" ? blob : blob.subarray(0, blob.length - 100));
      await assert.rejects(puller.pull({ ref: "test.local/corrupt:v1", repository: "test.local/corrupt", tag: "test.local/corrupt:v1", source: await OciLayoutSource.open(layout, "corrupt") }));
      assert.equal(existsSync(store.layers.path(w.layers[0].diffID)), false, `${damage}: the layer is not committed`);
      assert.equal(existsSync(join(dir, "images", "blobs", "sha256", w.layers[0].digest.slice(7))), false, `${damage}: the blob is not committed`);
      assert.equal(store.has("test.local/corrupt:v1"), false);
      nothingLeft();
    }
  });

  test("a layer shared by two images is unpacked and stored once; gzip, zstd and plain layers; progress reported", async () => {
    const base = tarBuffer([{ name: "shared/", type: "dir" }, { name: "shared/file", data: "base" }]);
    const before = readdirSync(join(dir, "images", "layers")).length;
    const first = await pull([{ name: "one", layers: [base, tarBuffer([{ name: "one", data: "1" }])] }]);
    const states: string[] = [];
    const second = await pull([{ name: "two", layers: [base, tarBuffer([{ name: "two", data: "2" }])] }], "two", (p) => states.push(`${p.layer === first.written[0].layers[0].digest ? "base" : "top"}:${p.state}`));
    assert.equal(readdirSync(join(dir, "images", "layers")).length, before + 3, "three layer directories for four layers");
    assert.equal(first.result.image.lowerDirs[1], second.result.image.lowerDirs[1], "both images stack the same base directory");
    assert.ok(states.includes("base:exists") && !states.includes("base:downloading"), `the base layer was skipped: ${states.join(" ")}`);
    assert.ok(states.includes("top:done"));
    for (const compression of ["zstd", "none"] as const) {
      const { result } = await pull([{ name: `c-${compression}`, compression, layers: [tarBuffer([{ name: `made-by-${compression}`, data: compression }])] }]);
      assert.equal(readFileSync(join(result.image.lowerDirs[0], `made-by-${compression}`), "utf8"), compression);
    }
  });

  test("two pulls of one reference at once share one pull", async () => {
    const layout = join(dir, "layout-shared-pull");
    writeOciLayout(layout, [{ name: "once", layers: [tarBuffer([{ name: "big", data: "q".repeat(2_000_000) }])] }]);
    let progress = 0;
    const req = async () => ({ ref: "test.local/once:v1", repository: "test.local/once", tag: "test.local/once:v1", source: await OciLayoutSource.open(layout, "once"), onProgress: (p: PullProgress) => void (p.state === "done" && progress++) });
    const [r1, r2] = [req(), req()];
    const [a, b] = await Promise.all([puller.pull(await r1), puller.pull(await r2)]);
    assert.strictEqual(a, b, "the second caller got the first pull's result");
    assert.equal(progress, 1, "one download");
  });

  test("a disk that fills mid-pull leaves nothing partial", async () => {
    const small = join(dir, "small");
    mkdirSync(small);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
    try {
      const s = new ImageStore(join(small, "images"), new HostRunner());
      const p = new Puller(s, { platform });
      const layout = join(dir, "layout-full");
      // Random bytes do not compress: the 1.5 MB file cannot fit next to its own blob on a 1 MB filesystem.
      writeOciLayout(layout, [{ name: "full", layers: [tarBuffer([{ name: "junk", data: randomBytes(1_500_000) }])] }]);
      await assert.rejects(p.pull({ ref: "test.local/full:v1", repository: "test.local/full", tag: "test.local/full:v1", source: await OciLayoutSource.open(layout, "full") }), /ENOSPC|no space/i);
      assert.deepEqual(readdirSync(join(small, "images", "tmp")), [], "no temporary left");
      assert.deepEqual(existsSync(join(small, "images", "layers")) ? readdirSync(join(small, "images", "layers")) : [], []);
      assert.deepEqual(readdirSync(join(small, "images", "blobs", "sha256")), [], "no blob left");
      assert.equal(s.has("test.local/full:v1"), false);
    } finally {
      execFileSync("umount", [small]);
    }
  });
});

describe("images inside a real container (privileged)", { skip }, () => {
  let h: RuntimeHarness;
  let dir: string;

  before(async () => {
    h = await makeRuntime({ name: "img" });
    dir = mkdtempSync(join(tmpdir(), "nodelet-imagectr-"));
  });
  after(async () => {
    await h?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(image: string, command?: string[]) {
    const pod = testPod([{ image, ...(command ? { command } : {}) }]);
    const { record, out } = await runToExit(h, pod, { timeoutMs: 20_000, keep: true });
    return { code: record.exitCode, out };
  }

  test("whiteouts, opaque directories, hardlinks, xattrs and file capabilities in the merged view; a layer's device node is left out", async () => {
    const lower = tarBuffer([
      ...busyboxLayer(),
      { name: "etc/", type: "dir" }, { name: "etc/a", data: "a" }, { name: "etc/b", data: "b" },
      { name: "gone", data: "lower" }, { name: "keep/", type: "dir" }, { name: "keep/x", data: "x" },
    ]);
    const upper = tarBuffer([
      { name: ".wh.gone", data: "" },
      { name: "etc/", type: "dir" }, { name: "etc/.wh..wh..opq", data: "" }, { name: "etc/c", data: "c" },
      { name: "data/", type: "dir" }, { name: "data/h1", data: "same" }, { name: "data/h2", type: "hardlink", linkname: "data/h1" },
      { name: "nodes/", type: "dir" }, { name: "nodes/null", type: "char", major: 1, minor: 3, mode: 0o666 },
      { name: "capped", data: "#!", mode: 0o755, xattrs: { "security.capability": Buffer.from("0100000200200000000000000000000000000000", "hex"), "user.note": "hi", "trusted.overlay.redirect": "/etc" } },
      { name: "owned", data: "o", uid: 1234, gid: 5678, mode: 0o4750 },
    ]);
    writeOciLayout(join(dir, "merged"), [{ name: "merged", layers: [lower, upper] }]);
    const puller = new Puller(h.images, { platform });
    const { image } = await puller.pull({ ref: "test.local/merged:v1", repository: "test.local/merged", tag: "test.local/merged:v1", source: await OciLayoutSource.open(join(dir, "merged"), "merged") });
    const top = image.lowerDirs[0];
    const xattrs = execFileSync("getfattr", ["-h", "-d", "-m", "-", join(top, "capped")]).toString();
    assert.match(xattrs, /security\.capability=/);
    assert.match(xattrs, /user\.note="hi"/);
    assert.doesNotMatch(xattrs, /trusted\.overlay/, "an image cannot set overlayfs' own attributes");
    const st = lstatSync(join(top, "owned"));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 5678, 0o4750], "owner, group and set-uid mode kept");
    const { code, out } = await run("test.local/merged:v1", ["sh", "-c", [
      "test ! -e /gone && echo gone-hidden",
      "ls /etc | grep -v -e hosts -e hostname -e resolv.conf | tr '\\n' ' '; echo",
      "test -e /keep/x && echo lower-kept",
      "stat -c 'links=%h' /data/h1",
      "test -e /nodes/null || echo no-device",
      "cat /data/h2; echo",
    ].join("; ")]);
    assert.equal(code, 0, out);
    assert.match(out, /gone-hidden/);
    assert.match(out, /^c $/m, "the opaque /etc shows only the upper layer's file");
    assert.match(out, /lower-kept/);
    assert.match(out, /links=2/);
    assert.match(out, /no-device/, "a device node of a layer is never made (layers are shared with unprivileged pods)");
    assert.match(out, /^same$/m);
  });

  test("an image of 70 layers (lower paths longer than mount(2)'s page of options) runs: lowerdir+ through fsconfig", async () => {
    const layers = [tarBuffer(busyboxLayer()), ...Array.from({ length: 69 }, (_, i) => tarBuffer([{ name: "layers/", type: "dir" }, { name: `layers/${i}`, data: String(i) }]))];
    writeOciLayout(join(dir, "many"), [{ name: "many", layers, compression: "none" }]);
    const puller = new Puller(h.images, { platform });
    const { image } = await puller.pull({ ref: "test.local/many:v1", repository: "test.local/many", tag: "test.local/many:v1", source: await OciLayoutSource.open(join(dir, "many"), "many") });
    assert.ok(image.lowerDirs.join(":").length > 4096, `the lower directories take ${image.lowerDirs.join(":").length} bytes`);
    const { code, out } = await run("test.local/many:v1", ["sh", "-c", "ls /layers | wc -l; cat /layers/0 /layers/68"]);
    assert.equal(code, 0, out);
    assert.match(out, /^69\n068\n?$/);
  });

  test("USER is resolved in the image's own /etc/passwd, never through a symlink to a host file", async () => {
    const hostPasswd = join(dir, "host-passwd");
    writeFileSync(hostPasswd, "root:x:0:0::/:/bin/sh\napp:x:4242:4242::/:/bin/sh\n");
    const layers = (passwd: TarSpec) => [tarBuffer([...busyboxLayer(), { name: "etc/", type: "dir" }, passwd, { name: "etc/group", data: "root:x:0:\nstaff:x:50:app\n" }])];
    writeOciLayout(join(dir, "users"), [
      { name: "linked", layers: layers({ name: "etc/passwd", type: "symlink", linkname: hostPasswd }), config: { User: "app", Cmd: ["id"] } },
      { name: "real", layers: layers({ name: "etc/passwd", data: "root:x:0:0::/:/bin/sh\napp:x:1500:1600::/:/bin/sh\n" }), config: { User: "app:staff", Cmd: ["id"] } },
    ]);
    const puller = new Puller(h.images, { platform });
    for (const name of ["linked", "real"]) {
      await puller.pull({ ref: `test.local/${name}:v1`, repository: `test.local/${name}`, tag: `test.local/${name}:v1`, source: await OciLayoutSource.open(join(dir, "users"), name) });
    }
    await assert.rejects(run("test.local/linked:v1"), /unable to find user app: no matching entries in passwd file/);
    const { out } = await run("test.local/real:v1");
    assert.match(out, /uid=1500\(app\) gid=50\(staff\)/);
  });
});
