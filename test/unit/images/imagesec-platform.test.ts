/**
 * One manifest parser and one platform selector (containerd's platforms.Only matcher) for pull, import and the registry
 * client: variants with their fallback order (amd64 v3 → v2 → v1 → 386, arm v7 → v6 → v5, arm64 → arm), amd64/v1
 * and a missing variant being the same platform, os.version ignored on Linux, os.features refused, attestations and
 * unknown media types skipped; the puller picks by the same rules from a multi-platform OCI layout.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { OCI_MANIFEST, type Descriptor, type Platform } from "../../../src/images/manifest.js";
import { OciLayoutSource } from "../../../src/images/oci-layout.js";
import { acceptedPlatforms, amd64Level, nodePlatform, normalizePlatform, selectPlatform } from "../../../src/images/platform.js";
import { Puller } from "../../../src/images/pull.js";
import { ImageStore } from "../../../src/runtime/images.js";
import { ScriptedRunner } from "../../../src/sys/scripted-runner.js";
import { OciLayout } from "../../helpers/oci-layout.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (c: string, platform: Platform, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: OCI_MANIFEST, digest: D(c), size: 1, platform, ...extra });
const linux = (architecture: string, variant?: string, more: Partial<Platform> = {}): Platform => ({ os: "linux", architecture, ...(variant ? { variant } : {}), ...more });

describe("platform selector", () => {
  test("normalisation as containerd's: x86_64, aarch64, armhf, i386, amd64/v1, arm64/v8, bare arm", () => {
    assert.deepEqual(normalizePlatform({ os: "Linux", architecture: "x86_64", variant: "v1" }), linux("amd64"));
    assert.deepEqual(normalizePlatform({ os: "linux", architecture: "aarch64", variant: "8" }), linux("arm64"));
    assert.deepEqual(normalizePlatform({ os: "linux", architecture: "armhf" }), linux("arm", "v7"));
    assert.deepEqual(normalizePlatform({ os: "linux", architecture: "arm" }), linux("arm", "v7"));
    assert.deepEqual(normalizePlatform({ os: "linux", architecture: "i386", variant: "x" }), linux("386"));
  });

  test("the order a node accepts: amd64 level down to v1 then 386; arm down to v5; arm64 then arm", () => {
    const f = (p: Platform) => acceptedPlatforms(normalizePlatform(p)).map((q) => [q.architecture, q.variant ?? ""].join("/"));
    assert.deepEqual(f(linux("amd64", "v3")), ["amd64/v3", "amd64/v2", "amd64/", "386/"]);
    assert.deepEqual(f(linux("amd64", "v1")), ["amd64/", "386/"]);
    assert.deepEqual(f(linux("arm", "v7")), ["arm/v7", "arm/v6", "arm/v5"]);
    assert.deepEqual(f(linux("arm64", "v8")), ["arm64/", "arm/v8", "arm/v7", "arm/v6", "arm/v5"]);
    assert.deepEqual(f(linux("arm64", "v8.2")), ["arm64/v8.2", "arm64/v8.1", "arm64/", "arm/v8", "arm/v7", "arm/v6", "arm/v5"]);
  });

  test("amd64 variants: the best level the node runs wins, whatever the index order; v1 and no variant are one", () => {
    const index = [entry("1", linux("amd64", "v2")), entry("2", linux("amd64")), entry("3", linux("amd64", "v3")), entry("4", linux("amd64", "v4"))];
    assert.equal(selectPlatform(index, linux("amd64", "v3")).digest, D("3"));
    assert.equal(selectPlatform(index, linux("amd64", "v2")).digest, D("1"));
    assert.equal(selectPlatform(index, linux("amd64", "v1")).digest, D("2"));
    assert.equal(selectPlatform(index, linux("amd64")).digest, D("2"));
    assert.equal(selectPlatform([entry("5", linux("amd64", "v1"))], linux("amd64")).digest, D("5"), "an entry's v1 is the node's no-variant");
    assert.equal(selectPlatform([entry("6", linux("386")), entry("7", linux("amd64", "v3"))], linux("amd64", "v2")).digest, D("6"), "386 is the last resort, never a level above the node's");
    assert.throws(() => selectPlatform([entry("7", linux("amd64", "v3"))], linux("amd64", "v2")), /no image for platform linux\/amd64\/v2 in the index \(it has: linux\/amd64\/v3\)/);
  });

  test("arm: v7 runs v6 and v5, never v8; arm64 runs arm when the index has no arm64", () => {
    const index = [entry("a", linux("arm", "v5")), entry("b", linux("arm", "v8")), entry("c", linux("arm", "v6"))];
    assert.equal(selectPlatform(index, linux("arm", "v7")).digest, D("c"));
    assert.equal(selectPlatform(index, linux("arm64", "v8")).digest, D("b"));
    assert.equal(selectPlatform([...index, entry("d", linux("aarch64"))], linux("arm64", "v8")).digest, D("d"));
  });

  test("os.version is ignored on Linux; an entry needing os.features the node lacks is not chosen", () => {
    assert.equal(selectPlatform([entry("a", linux("amd64", undefined, { "os.version": "10.0.17763" }))], linux("amd64")).digest, D("a"));
    assert.equal(selectPlatform([entry("a", linux("amd64", undefined, { "os.features": ["win32k"] })), entry("b", linux("amd64"))], linux("amd64")).digest, D("b"));
  });

  test("attestations and entries of unknown media types are skipped, not errors; the first of equals wins", () => {
    const att = entry("a", linux("amd64"), { annotations: { "vnd.docker.reference.type": "attestation-manifest" } });
    const odd = entry("b", linux("amd64"), { mediaType: "application/vnd.example.thing" });
    assert.equal(selectPlatform([att, odd, entry("c", linux("amd64")), entry("d", linux("amd64"))], linux("amd64")).digest, D("c"));
  });

  test("the node's amd64 level from its CPU flags (v1 when unknown)", () => {
    const v2 = ["cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"];
    const v3 = [...v2, "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"];
    assert.equal(amd64Level([]), "v1");
    assert.equal(amd64Level(v2), "v2");
    assert.equal(amd64Level(v3), "v3");
    assert.equal(amd64Level([...v3, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]), "v4");
    assert.equal(amd64Level(["avx2", "avx512f"]), "v1", "levels are cumulative");
    assert.deepEqual(nodePlatform("x64", v3), linux("amd64", "v3"));
  });
});

describe("the puller selects with the same rules", () => {
  const root = mkdtempSync(join(tmpdir(), "nodelet-imagesec-platform-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  test("from a multi-platform layout: amd64/v3 for a v3 node, the v1 image for a v2 node, arm/v7 for arm/v7", async () => {
    const layout = new OciLayout(join(root, "layout"));
    const v1 = await layout.image({ architecture: "amd64", files: { "which": "v1\n" } });
    const v3 = await layout.image({ architecture: "amd64", variant: "v3", files: { "which": "v3\n" } });
    const arm = await layout.image({ architecture: "arm", variant: "v7", files: { "which": "arm\n" } });
    layout.tag("multi", await layout.index([v1, v3, arm], { attestationFor: v1 }));
    const pull = async (platform: Platform, store: string) => {
      const images = new ImageStore(join(root, store), new ScriptedRunner());
      const { image } = await new Puller(images, { platform }).pull({ ref: `layout:${store}`, source: await OciLayoutSource.open(layout.dir, "multi") });
      return image.id;
    };
    assert.equal(await pull(linux("amd64", "v3"), "s1"), v3.config.digest.slice(7));
    assert.equal(await pull(linux("amd64", "v2"), "s2"), v1.config.digest.slice(7));
    assert.equal(await pull(linux("arm", "v7"), "s3"), arm.config.digest.slice(7));
  });

  test("an import reads the layout's index.json with the same parser: a platform without an architecture is refused", async () => {
    const dir = join(root, "bad-index");
    mkdirSync(dir);
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: D("a"), size: 1, platform: { os: "linux" } }] }));
    await assert.rejects(OciLayoutSource.open(dir), /index\.json: manifests\[0\]\.platform must have string os and architecture/);
  });
});
