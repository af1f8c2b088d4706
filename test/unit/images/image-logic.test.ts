/**
 * Pure image logic: layer entry paths (clamping, whiteout mapping), digest validation, the tar reader (pax, long
 * names, checksums, truncation), manifests and platform selection, and USER resolution against passwd/group text.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { entryComponents, entryMeaning, parseDigest } from "../../../src/images/store/layer-path.js";
import { tarEntries, TarFormatError } from "../../../src/images/store/tar-reader.js";
import { sniffCompression } from "../../../src/images/store/decompress.js";
import { allowedXattr } from "../../../src/images/store/unpack.js";
import { layerCompression, parseImageConfig, parseManifest, type Descriptor } from "../../../src/images/manifest.js";
import { selectPlatform } from "../../../src/images/platform.js";
import { parseGroup, parsePasswd, resolveImageUser } from "../../../src/images/image-user.js";
import { normalizeImageRef } from "../../../src/runtime/images.js";
import { tarBuffer } from "../../helpers/tar-writer.js";

async function* chunked(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function readAll(b: Buffer, size = 7) {
  const out: { name: string; type: string; linkname: string; data: string; xattrs: string[] }[] = [];
  for await (const e of tarEntries(chunked(b, size))) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(c);
    out.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname, data: Buffer.concat(parts).toString(), xattrs: [...e.header.xattrs.keys()] });
  }
  return out;
}

describe("layer entry paths", () => {
  test("'..', absolute and dotted names stay inside the layer root", () => {
    assert.deepEqual(entryComponents("../../../tmp/outside/x"), ["tmp", "outside", "x"]);
    assert.deepEqual(entryComponents("/etc/passwd"), ["etc", "passwd"]);
    assert.deepEqual(entryComponents("./a/./b/../c/"), ["a", "c"]);
    assert.deepEqual(entryComponents("a/../../.."), []);
    assert.deepEqual(entryComponents("./"), []);
  });

  test("whiteouts map to the hidden path, opaque markers to their directory, AUFS metadata is ignored", () => {
    assert.deepEqual(entryMeaning(["bin", ".wh.echo"]), { kind: "whiteout", path: ["bin", "echo"] });
    assert.deepEqual(entryMeaning(["etc", ".wh..wh..opq"]), { kind: "opaque", dir: ["etc"] });
    assert.deepEqual(entryMeaning([".wh..wh..opq"]), { kind: "opaque", dir: [] });
    assert.equal(entryMeaning([".wh..wh.plnk"]).kind, "ignore");
    assert.deepEqual(entryMeaning(["bin", "echo"]), { kind: "entry", path: ["bin", "echo"] });
    assert.throws(() => entryMeaning(["x", ".wh."]), /invalid whiteout/);
    assert.throws(() => entryMeaning(["x", ".wh.."]), /invalid whiteout/);
  });

  test("digests used as file names must match the grammar (CVE-2024-3727)", () => {
    const hex = "a".repeat(64);
    assert.deepEqual(parseDigest(`sha256:${hex}`), { algorithm: "sha256", hex });
    assert.equal(parseDigest(`sha512:${"b".repeat(128)}`).algorithm, "sha512");
    for (const bad of [`sha256:../../${hex}`, `sha256:${hex.toUpperCase()}`, `sha256:${hex}/x`, `md5:${hex}`, "sha256:abc", `sha256:${hex}\n`, 42]) {
      assert.throws(() => parseDigest(bad, "layers[0].digest"), /layers\[0\]\.digest: invalid/);
    }
  });

  test("only user, trusted (not trusted.overlay), capability and ACL xattrs are taken from an image", () => {
    assert.ok(allowedXattr("security.capability"));
    assert.ok(allowedXattr("user.x"));
    assert.ok(allowedXattr("system.posix_acl_access"));
    assert.ok(!allowedXattr("trusted.overlay.redirect"));
    assert.ok(!allowedXattr("trusted.overlay.opaque"));
    assert.ok(!allowedXattr("security.selinux"));
  });
});

describe("tar reader", () => {
  test("ustar entries of every type, pax long names and link targets, xattrs, read in 7-byte chunks", async () => {
    const long = `${"d".repeat(120)}/${"f".repeat(90)}`;
    const tar = tarBuffer([
      { name: "dir/", type: "dir" },
      { name: "dir/file", data: "hello" },
      { name: long, data: "x".repeat(1000) },
      { name: "link", type: "symlink", linkname: "/".padEnd(150, "t") },
      { name: "hard", type: "hardlink", linkname: "dir/file" },
      { name: "null", type: "char", major: 1, minor: 3 },
      { name: "cap", data: "", xattrs: { "security.capability": Buffer.from([1, 0, 0, 2]) } },
    ]);
    const entries = await readAll(tar);
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [["dir/", "dir"], ["dir/file", "file"], [long, "file"], ["link", "symlink"], ["hard", "hardlink"], ["null", "char"], ["cap", "file"]]);
    assert.equal(entries[1].data, "hello");
    assert.equal(entries[2].data.length, 1000);
    assert.equal(entries[3].linkname.length, 150);
    assert.deepEqual(entries[6].xattrs, ["security.capability"]);
  });

  test("an entry whose body is not read is skipped correctly", async () => {
    const tar = tarBuffer([{ name: "a", data: "x".repeat(700) }, { name: "b", data: "y" }]);
    const names: string[] = [];
    for await (const e of tarEntries(chunked(tar, 100))) names.push(e.header.name);
    assert.deepEqual(names, ["a", "b"]);
  });

  test("a bad checksum, a truncated body and an oversized pax header are errors", async () => {
    const tar = tarBuffer([{ name: "a", data: "x".repeat(700) }]);
    const bad = Buffer.from(tar);
    bad[0] ^= 1;
    await assert.rejects(readAll(bad), TarFormatError);
    await assert.rejects(readAll(tar.subarray(0, 900)), /archive truncated/);
    const huge = tarBuffer([{ name: "a", data: "" }]);
    huge.write("77777777777", 124, "latin1"); // size field of a pax header made enormous
    huge[156] = "x".charCodeAt(0);
    let sum = 0;
    huge.write("        ", 148, "latin1");
    for (let i = 0; i < 512; i++) sum += huge[i];
    huge.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    await assert.rejects(readAll(huge), /extended header of \d+ bytes/);
  });

  test("compression is sniffed from the first bytes", () => {
    assert.equal(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0])), "gzip");
    assert.equal(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), "zstd");
    assert.equal(sniffCompression(Buffer.from("dir/")), "none");
  });
});

describe("manifests", () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  const manifest = (layers: unknown[]) => Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c"), size: 10 }, layers,
  }));

  test("a manifest's layers are checked: digest grammar, media type, size", () => {
    const ok = parseManifest(manifest([{ mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", digest: d("a"), size: 3 }]), undefined);
    assert.equal(ok.kind === "manifest" && ok.manifest.layers.length, 1);
    assert.throws(() => parseManifest(manifest([{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: "sha256:../x", size: 3 }]), undefined), /layers\[0\]\.digest: invalid/);
    assert.equal(layerCompression("text/plain"), undefined, "the puller refuses a layer of a type it cannot unpack");
    assert.equal(layerCompression("application/vnd.docker.image.rootfs.diff.tar"), "none");
    assert.throws(() => parseManifest(manifest([{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: d("a"), size: -1 }]), undefined), /size/);
  });

  test("the served type must agree with the declared one; unknown types are refused", () => {
    assert.throws(() => parseManifest(manifest([]), "application/vnd.docker.distribution.manifest.v2+json"), /served as/);
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2,"mediaType":"application/x"}'), undefined), /unsupported manifest media type/);
  });

  test("index: the first entry for linux/this arch, attestations and other platforms skipped", () => {
    const index: Descriptor[] = ([
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("1"), size: 1, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("2"), size: 1, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("3"), size: 1, platform: { os: "linux", architecture: "amd64" } },
      { mediaType: "application/x-unknown", digest: d("4"), size: 1, platform: { os: "linux", architecture: "amd64" } },
    ]);
    assert.equal(selectPlatform(index, { os: "linux", architecture: "amd64" }).digest, d("3"));
    assert.equal(selectPlatform(index, { os: "linux", architecture: "arm64", variant: "v8" }).digest, d("2"));
    assert.throws(() => selectPlatform(index, { os: "linux", architecture: "s390x" }), /no image for platform linux\/s390x .*linux\/arm64\/v8/);
  });

  test("config: diff_ids validated, Entrypoint/Cmd/Env/User/WorkingDir/StopSignal kept", () => {
    const c = parseImageConfig(Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: [d("e")] }, config: { Entrypoint: ["/e"], Cmd: null, User: "app:staff", StopSignal: "SIGQUIT", WorkingDir: "/w", Env: ["A=1"] } })));
    assert.deepEqual(c.config, { Entrypoint: ["/e"], Env: ["A=1"], WorkingDir: "/w", User: "app:staff", StopSignal: "SIGQUIT" });
    assert.throws(() => parseImageConfig(Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: ["sha256:/etc"] } }))), /diff_ids\[0\]: invalid digest/);
    assert.throws(() => parseImageConfig(Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: [] }, config: { Cmd: "sh" } }))), /Cmd: must be a list/);
  });
});

describe("image USER", () => {
  const passwd = parsePasswd("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nbroken line\n");
  const group = parseGroup("root:x:0:\nstaff:x:50:app,other\napp:x:1001:\nwheel:x:10:app\n");

  test("name, uid, name:group, uid:gid, unknown numeric ids and missing names", () => {
    assert.deepEqual(resolveImageUser("", passwd, group), { uid: 0, gid: 0, additionalGids: [] });
    assert.deepEqual(resolveImageUser("app", passwd, group), { uid: 1000, gid: 1001, additionalGids: [50, 10] });
    assert.deepEqual(resolveImageUser("1000", passwd, group), { uid: 1000, gid: 1001, additionalGids: [50, 10] });
    assert.deepEqual(resolveImageUser("app:staff", passwd, group), { uid: 1000, gid: 50, additionalGids: [10] });
    assert.deepEqual(resolveImageUser("4242:77", passwd, group), { uid: 4242, gid: 77, additionalGids: [] });
    assert.deepEqual(resolveImageUser("4242", passwd, group), { uid: 4242, gid: 0, additionalGids: [] });
    assert.throws(() => resolveImageUser("nobody", passwd, group), /unable to find user nobody: no matching entries in passwd file/);
    assert.throws(() => resolveImageUser("app:nogroup", passwd, group), /unable to find group nogroup: no matching entries in group file/);
  });

  test("runAsUser replaces the image's user and group", () => {
    assert.deepEqual(resolveImageUser("app:staff", passwd, group, 0), { uid: 0, gid: 0, additionalGids: [] });
    assert.deepEqual(resolveImageUser("nobody", passwd, group, 1000), { uid: 1000, gid: 1001, additionalGids: [50, 10] });
  });
});

describe("references", () => {
  test("normalised as Docker does", () => {
    assert.equal(normalizeImageRef("busybox"), "docker.io/library/busybox:latest");
    assert.equal(normalizeImageRef("busybox:1.28"), "docker.io/library/busybox:1.28");
    assert.equal(normalizeImageRef("docker.io/busybox:1.28"), "docker.io/library/busybox:1.28");
    assert.equal(normalizeImageRef("me/app"), "docker.io/me/app:latest");
    assert.equal(normalizeImageRef("registry.k8s.io/pause:3.9"), "registry.k8s.io/pause:3.9");
    assert.equal(normalizeImageRef("127.0.0.1:5000/x"), "127.0.0.1:5000/x:latest");
    assert.equal(normalizeImageRef(`nginx@sha256:${"a".repeat(64)}`), `docker.io/library/nginx@sha256:${"a".repeat(64)}`);
  });
});
