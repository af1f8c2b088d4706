/**
 * The test registry harness itself (test/helpers/registry.ts): each auth mode starts, accepts a skopeo push and
 * answers the distribution API as a real registry does, so the client tests can trust it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OCI_MANIFEST, OciLayout } from "../helpers/oci-layout.js";
import { pushImage, startRegistry } from "../helpers/registry.js";
import { needsCommand, skipUnless } from "../helpers/root.js";
const skip = skipUnless(needsCommand("docker-registry"), needsCommand("skopeo"), needsCommand("htpasswd"));
const ACCEPT = { accept: OCI_MANIFEST };
describe("test registry harness", { skip }, () => {
    let work;
    let layout;
    let image;
    const registries = [];
    before(async () => {
        work = mkdtempSync(join(tmpdir(), "regtest-layout-"));
        layout = new OciLayout(join(work, "layout"));
        image = await layout.image({ busybox: true });
        layout.tag("v1", image);
    });
    after(async () => {
        await Promise.all(registries.map((r) => r.stop()));
        rmSync(work, { recursive: true, force: true });
    });
    it("anonymous: skopeo pushes, the manifest and blobs come back byte for byte", async () => {
        const reg = await startRegistry();
        registries.push(reg);
        assert.equal(await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" }), image.digest);
        const res = await fetch(`${reg.url}/v2/tiny/busybox/manifests/v1`, { headers: ACCEPT });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("docker-content-digest"), image.digest);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), layout.readBlob(image.digest));
        const blob = await fetch(`${reg.url}/v2/tiny/busybox/blobs/${image.layers[0].digest}`);
        assert.deepEqual(Buffer.from(await blob.arrayBuffer()), layout.readBlob(image.layers[0].digest));
        assert.ok(reg.blobDataPath(image.layers[0].digest).startsWith(reg.dir));
        await reg.stop();
        await assert.rejects(fetch(`${reg.url}/v2/`), "stopped");
    });
    it("htpasswd: 401 with a Basic challenge without credentials, 200 with them", async () => {
        const reg = await startRegistry({ mode: "htpasswd", username: "alice", password: "s3cret:pw" });
        registries.push(reg);
        await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
        const anon = await fetch(`${reg.url}/v2/`);
        assert.equal(anon.status, 401);
        assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic realm=/);
        const basic = `Basic ${Buffer.from("alice:s3cret:pw").toString("base64")}`;
        const ok = await fetch(`${reg.url}/v2/tiny/busybox/manifests/v1`, { headers: { ...ACCEPT, authorization: basic } });
        assert.equal(ok.status, 200);
    });
    it("token: the registry's Bearer challenge names our token server, whose token it accepts", async () => {
        const reg = await startRegistry({ mode: "token", username: "bob", password: "pw" });
        registries.push(reg);
        await pushImage(reg, layout.dir, { from: "v1", to: "tiny/busybox:v1" });
        const anon = await fetch(`${reg.url}/v2/tiny/busybox/manifests/v1`, { headers: ACCEPT });
        assert.equal(anon.status, 401);
        const challenge = anon.headers.get("www-authenticate") ?? "";
        assert.match(challenge, new RegExp(`^Bearer realm="${reg.tokenServer?.url}",service="[^"]+",scope="repository:tiny/busybox:pull"`));
        const basic = `Basic ${Buffer.from("bob:pw").toString("base64")}`;
        const tok = await fetch(`${reg.tokenServer?.url}?service=x&scope=repository:tiny/busybox:pull`, { headers: { authorization: basic } });
        const { token } = (await tok.json());
        const ok = await fetch(`${reg.url}/v2/tiny/busybox/manifests/v1`, { headers: { ...ACCEPT, authorization: `Bearer ${token}` } });
        assert.equal(ok.status, 200, reg.log().slice(-2000));
        assert.ok(reg.tokenServer?.requests.some((r) => r.account === "bob" && r.scopes.includes("repository:tiny/busybox:pull,push")), "skopeo asked for push");
        const wrong = await fetch(`${reg.tokenServer?.url}?service=x&scope=repository:tiny/busybox:pull`, { headers: { authorization: `Basic ${Buffer.from("bob:no").toString("base64")}` } });
        assert.equal(wrong.status, 401);
    });
});
//# sourceMappingURL=registry-harness.test.js.map