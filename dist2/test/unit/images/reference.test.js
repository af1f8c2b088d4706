import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { familiarReference, formatReference, InvalidImageNameError, manifestSelector, parseImageReference, validateDigest, } from "../../../src/images/reference.js";
const D = `sha256:${"ab".repeat(32)}`;
const norm = (s) => formatReference(parseImageReference(s));
describe("image references (normalised as Docker's ParseNormalizedNamed + TagNameOnly)", () => {
    it("adds docker.io, library/ and latest as Docker does", () => {
        assert.equal(norm("nginx"), "docker.io/library/nginx:latest");
        assert.equal(norm("nginx:1.14.2"), "docker.io/library/nginx:1.14.2");
        assert.equal(norm("busybox:1.28"), "docker.io/library/busybox:1.28");
        assert.equal(norm("team/app"), "docker.io/team/app:latest");
        assert.equal(norm("docker.io/library/debian"), "docker.io/library/debian:latest");
        assert.equal(norm("index.docker.io/debian:12"), "docker.io/library/debian:12");
        assert.equal(norm("registry.k8s.io/busybox"), "registry.k8s.io/busybox:latest");
        assert.equal(norm("a/b/c/d:v"), "docker.io/a/b/c/d:v");
    });
    it("detects a registry host by '.', ':', localhost or upper case in the first component", () => {
        assert.deepEqual(parseImageReference("localhost/app"), { registry: "localhost", repository: "app", tag: "latest" });
        assert.deepEqual(parseImageReference("localhost:5000/app:v1"), { registry: "localhost:5000", repository: "app", tag: "v1" });
        assert.deepEqual(parseImageReference("127.0.0.1:5000/tiny/busybox:v1"), { registry: "127.0.0.1:5000", repository: "tiny/busybox", tag: "v1" });
        assert.deepEqual(parseImageReference("[::1]:5000/x"), { registry: "[::1]:5000", repository: "x", tag: "latest" });
        assert.deepEqual(parseImageReference("Registry/x"), { registry: "Registry", repository: "x", tag: "latest" });
        assert.deepEqual(parseImageReference("example.com/x"), { registry: "example.com", repository: "x", tag: "latest" });
        assert.equal(parseImageReference("localhostx/app").registry, "docker.io", "only the exact word localhost");
        assert.equal(parseImageReference("example.com/x").repository, "x", "no library/ outside Docker Hub");
    });
    it("keeps digests, and both a tag and a digest; no latest is added to a digest", () => {
        assert.deepEqual(parseImageReference(`nginx@${D}`), { registry: "docker.io", repository: "library/nginx", digest: D });
        assert.deepEqual(parseImageReference(`nginx:1.2@${D}`), { registry: "docker.io", repository: "library/nginx", tag: "1.2", digest: D });
        assert.equal(norm(`host:5000/a/b:t@${D}`), `host:5000/a/b:t@${D}`);
        assert.equal(manifestSelector(parseImageReference(`x:t@${D}`)), D, "the digest pins what is pulled");
        assert.equal(manifestSelector(parseImageReference("x:t")), "t");
        assert.equal(parseImageReference(`x@sha512:${"0".repeat(128)}`).digest, `sha512:${"0".repeat(128)}`);
    });
    it("prints the familiar form Docker shows", () => {
        assert.equal(familiarReference(parseImageReference("docker.io/library/nginx")), "nginx:latest");
        assert.equal(familiarReference(parseImageReference("docker.io/team/app:v1")), "team/app:v1");
        assert.equal(familiarReference(parseImageReference("localhost:5000/app:v1")), "localhost:5000/app:v1");
    });
    it("refuses bad references with the reason", () => {
        const bad = [
            ["", /empty/],
            ["Nginx", /must be lowercase/],
            ["docker.io/Team/app", /must be lowercase/],
            ["nginx:", /tag ""/],
            ["nginx:-x", /tag "-x"/],
            [`nginx:${"a".repeat(129)}`, /tag/],
            ["nginx@sha256:abc", /64 lower-case hex/],
            [`nginx@sha256:${"AB".repeat(32)}`, /lower-case hex/],
            [`nginx@md5:${"a".repeat(32)}`, /unsupported digest algorithm "md5"/],
            ["nginx@", /expected ALGORITHM:HEX/],
            ["a//b", /empty path component/],
            ["a/b/", /empty path component/],
            ["ngi nx", /white space/],
            [" nginx", /white space/],
            ["a..b/c", /not a valid host/],
            ["exa_mple.com/x", /not a valid host/],
            ["host:port/x", /not a valid host/],
            ["a/-b", /path component "-b"/],
            ["a/b_", /path component "b_"/],
            ["a/b___c", /path component/],
            ["ab".repeat(32), /64-byte hexadecimal/],
            [`example.com/${"a".repeat(250)}`, /more than 255/],
            ["../../etc/passwd", /registry host "\.\." is not a valid host/],
            ["a/../b", /path component "\.\."/],
        ];
        for (const [input, re] of bad) {
            assert.throws(() => parseImageReference(input), (err) => err instanceof InvalidImageNameError && /^invalid reference format: /.test(err.message) && re.test(err.message), `${JSON.stringify(input)} refused with ${re}`);
        }
    });
    it("accepts every separator the grammar allows", () => {
        for (const ok of ["a.b/c", "a/b.c", "a/b_c", "a/b__c", "a/b---c", "a:1", "a:A_b.c-d", "x-y.example.com:443/a/b"]) {
            assert.doesNotThrow(() => parseImageReference(ok), ok);
        }
    });
    it("validates digests before they are used as paths (CVE-2024-3727)", () => {
        assert.equal(validateDigest(D), D);
        assert.throws(() => validateDigest(`sha256:../../${"a".repeat(58)}`), /hex/);
        assert.throws(() => validateDigest(`sha256:${"a".repeat(65)}`), /hex/);
        assert.throws(() => validateDigest("sha256"), /ALGORITHM:HEX/);
    });
});
//# sourceMappingURL=reference.test.js.map