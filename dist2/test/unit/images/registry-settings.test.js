/**
 * The node's registry settings: daemon flags parsed, files checked at start with the flag or field named, the node's
 * Docker config re-read when it changes, pull secrets turned into credentials with the kubelet's skips.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseDaemonConfig } from "../../../src/cmd/daemon-config.js";
import { NodeCredentialsFile, pullSecretCredentials } from "../../../src/images/registry/node-credentials.js";
import { loadNodeRegistries } from "../../../src/images/registry/settings.js";
const dir = mkdtempSync(join(tmpdir(), "registry-settings-"));
const b64 = (s) => Buffer.from(s).toString("base64");
const dockerConfig = (host, user) => JSON.stringify({ auths: { [host]: { auth: b64(`${user}:pw`) } } });
describe("registry settings", () => {
    after(() => rmSync(dir, { recursive: true, force: true }));
    it("daemon flags: --registries-config, repeated --insecure-registry and --registry-ca, --registry-config", () => {
        const cfg = parseDaemonConfig(["--root", dir, "--insecure-registry", "a.lan:5000", "--insecure-registry", "b.lan", "--registry-ca", "/x.pem", "--registries-config", "/r.json", "--registry-config", "/c.json"]);
        assert.deepEqual(cfg.registries, { registriesConfig: "/r.json", insecureRegistries: ["a.lan:5000", "b.lan"], registryCa: ["/x.pem"], registryConfig: "/c.json" });
        assert.deepEqual(parseDaemonConfig(["--root", dir]).registries, { registriesConfig: undefined, insecureRegistries: [], registryCa: [], registryConfig: undefined });
    });
    it("reads ROOT/registries.json by default and names the file and field when it is wrong", () => {
        const root = mkdtempSync(join(dir, "root-"));
        const none = loadNodeRegistries({ insecureRegistries: [], registryCa: [] }, root);
        assert.equal(none.client.hosts.pullEndpoints("docker.io").length, 1);
        none.client.close();
        writeFileSync(join(root, "registries.json"), JSON.stringify({ registries: { "docker.io": { mirrors: ["http://127.0.0.1:5000"] } } }));
        const withFile = loadNodeRegistries({ insecureRegistries: [], registryCa: [] }, root);
        assert.deepEqual(withFile.client.hosts.pullEndpoints("docker.io").map((e) => e.url), ["http://127.0.0.1:5000", "https://registry-1.docker.io"]);
        withFile.client.close();
        writeFileSync(join(root, "registries.json"), JSON.stringify({ registries: { "docker.io": { mirrors: [1] } } }));
        assert.throws(() => loadNodeRegistries({ insecureRegistries: [], registryCa: [] }, root), /registries\.json: registries\["docker.io"\]\.mirrors\[0\] must be a string/);
        assert.throws(() => loadNodeRegistries({ registriesConfig: join(root, "missing.json"), insecureRegistries: [], registryCa: [] }, root), /--registries-config .*missing.json: cannot read: ENOENT/);
        assert.throws(() => loadNodeRegistries({ insecureRegistries: ["http://x"], registryCa: [] }, dir), /--insecure-registry: "http:\/\/x"/);
        const notPem = join(dir, "not.pem");
        writeFileSync(notPem, "hello");
        assert.throws(() => loadNodeRegistries({ insecureRegistries: [], registryCa: [notPem] }, dir), /registry CA .*not.pem: no PEM certificate/);
        assert.throws(() => loadNodeRegistries({ insecureRegistries: [], registryCa: [], registryConfig: join(dir, "nope.json") }, dir), /--registry-config .*nope.json: cannot read: ENOENT/);
    });
    it("the node's Docker config is re-read when it changes; a broken edit keeps the last good credentials", () => {
        const file = join(dir, "config.json");
        writeFileSync(file, dockerConfig("r.example", "first"));
        const creds = new NodeCredentialsFile(file);
        assert.deepEqual(creds.lookup("r.example", "x").map((c) => c.username), ["first"]);
        writeFileSync(file, dockerConfig("r.example", "second"));
        utimesSync(file, new Date(), new Date(Date.now() + 5000));
        assert.deepEqual(creds.lookup("r.example", "x").map((c) => c.username), ["second"]);
        writeFileSync(file, "{ half");
        utimesSync(file, new Date(), new Date(Date.now() + 10_000));
        assert.deepEqual(creds.lookup("r.example", "x").map((c) => c.username), ["second"]);
        assert.equal(creds.lookup("r.example", "x")[0].origin, `--registry-config ${file}`);
    });
    it("pull secrets: dockerconfigjson and dockercfg used in order; missing, mistyped or malformed ones skipped with a warning", () => {
        const secret = (name, type, data) => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "ns" }, type, data });
        const { source, warnings } = pullSecretCredentials("ns", [
            { name: "missing", secret: undefined },
            { name: "opaque", secret: secret("opaque", "Opaque", { x: b64("y") }) },
            { name: "broken", secret: secret("broken", "kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64("{SECRETSTUFF") }) },
            { name: "a", secret: secret("a", "kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64(dockerConfig("r.example", "a")) }) },
            { name: "b", secret: secret("b", "kubernetes.io/dockercfg", { ".dockercfg": b64(JSON.stringify({ "r.example": { auth: b64("b:pw") } })) }) },
        ]);
        assert.deepEqual(source.lookup("r.example", "x").map((c) => [c.username, c.origin]), [
            ["a", "imagePullSecret ns/a"],
            ["b", "imagePullSecret ns/b"],
        ]);
        assert.equal(warnings.length, 3);
        assert.match(warnings[0], /Unable to retrieve pull secret ns\/missing/);
        assert.match(warnings[1], /ns\/opaque is of type "Opaque"/);
        assert.match(warnings[2], /imagePullSecret ns\/broken: not valid JSON; ignored/);
        assert.ok(!warnings.join().includes("SECRETSTUFF"));
    });
});
//# sourceMappingURL=registry-settings.test.js.map