import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeManifests, ManifestError } from "../../../src/api/manifest.js";
function manifestError(text, source) {
    try {
        decodeManifests(text, source);
    }
    catch (e) {
        assert.ok(e instanceof ManifestError, String(e));
        return e;
    }
    assert.fail("expected a ManifestError");
}
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: c
    image: nginx
`;
describe("decodeManifests", () => {
    it("decodes a single YAML document", () => {
        const [p] = decodeManifests(POD, "pod.yaml");
        assert.deepEqual(p, { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    });
    it("decodes several documents and skips empty ones", () => {
        const text = `---\n${POD}---\n# only a comment\n---\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: "1"}\n...\n`;
        const objs = decodeManifests(text);
        assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ["Pod/web", "ConfigMap/cm"]);
    });
    it("decodes JSON", () => {
        const objs = decodeManifests(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } }), "ns.json");
        assert.equal(objs[0].kind, "Namespace");
    });
    it("expands kind: List and typed lists", () => {
        const list = {
            apiVersion: "v1",
            kind: "List",
            items: [
                { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
                { apiVersion: "v1", kind: "Secret", metadata: { name: "b" } },
            ],
        };
        assert.deepEqual(decodeManifests(JSON.stringify(list)).map((o) => o.kind), ["ConfigMap", "Secret"]);
        const podList = `apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: x}\n  spec: {containers: [{name: c, image: i}]}\n`;
        const [p] = decodeManifests(podList);
        assert.equal(p.kind, "Pod");
        assert.equal(p.apiVersion, "v1");
    });
    it("reads YAML 1.1 scalars as kubectl does", () => {
        const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {when: "12:30"}\ndata:\n  time: 12:30\n  date: 2001-12-14\nimmutable: yes\n`;
        const [cm] = decodeManifests(text);
        assert.equal(cm.data["time"], "12:30");
        assert.equal(cm.data["date"], "2001-12-14");
        assert.equal(cm.immutable, true);
        const vol = decodeManifests(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, configMap: {name: c, defaultMode: 0644}}]\n`);
        assert.equal(vol[0].spec.volumes[0].configMap.defaultMode, 420);
    });
    it("adds an empty metadata when it is missing", () => {
        const [o] = decodeManifests("apiVersion: v1\nkind: Namespace\n");
        assert.deepEqual(o.metadata, {});
    });
    it("returns nothing for an empty file", () => {
        assert.deepEqual(decodeManifests(""), []);
        assert.deepEqual(decodeManifests("---\n---\n"), []);
    });
});
describe("decodeManifests errors", () => {
    it("names source, document and line of malformed YAML", () => {
        const text = `${POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n`;
        const e = manifestError(text, "pod.yaml");
        assert.equal(e.source, "pod.yaml");
        assert.equal(e.document, 2);
        assert.equal(e.line, 13); // lines count from the start of the file
        assert.equal(e.message, "pod.yaml: document 2: line 13: invalid YAML: Nested mappings are not allowed in compact mappings");
    });
    it("rejects a document that is not a mapping", () => {
        const e = manifestError("- a\n- b\n", "list.yaml");
        assert.equal(e.message, "list.yaml: document 1: line 1: a document must be a mapping (an object), found a sequence");
        assert.match(manifestError("just a string\n").message, /found a string$/);
    });
    it("requires apiVersion and kind", () => {
        assert.equal(manifestError("kind: Pod\nmetadata: {name: x}\n", "p.yaml").message, 'p.yaml: document 1: line 1: missing required field "apiVersion"');
        assert.equal(manifestError("apiVersion: v1\nmetadata: {name: x}\n", "p.yaml").message, 'p.yaml: document 1: line 1: missing required field "kind"');
    });
    it("rejects kinds nodelet does not serve, listing the ones it does", () => {
        const e = manifestError(`${POD}---\n\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n`, "app.yaml");
        assert.equal(e.document, 2);
        assert.equal(e.line, 12);
        assert.match(e.message, /^app\.yaml: document 2: line 12: no matches for kind "Deployment" in version "apps\/v1" \(nodelet serves Pod \(v1\), Service \(v1\), /);
        assert.match(e.message, /EndpointSlice \(discovery\.k8s\.io\/v1\)[,)]/);
    });
    it("rejects a wrong apiVersion for a known kind", () => {
        const e = manifestError("kind: Pod\napiVersion: apps/v1\nmetadata: {name: x}\n", "pod.yaml");
        assert.equal(e.message, 'pod.yaml: document 1: line 2: no matches for kind "Pod" in version "apps/v1"');
    });
    it("names the failing item of a List", () => {
        const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Widget\n`;
        assert.match(manifestError(text, "l.yaml").message, /^l\.yaml: document 1: line 4: items\[1\]: no matches for kind "Widget" in version "v1"/);
    });
    it("reports a metadata that is not a mapping", () => {
        assert.equal(manifestError("apiVersion: v1\nkind: Pod\nmetadata: web\n", "p.yaml").message, "p.yaml: document 1: line 3: metadata must be a mapping");
    });
    it("reports duplicate keys", () => {
        assert.equal(manifestError("apiVersion: v1\nkind: Pod\nkind: Pod\n", "p.yaml").message, "p.yaml: document 1: line 3: invalid YAML: Map keys must be unique");
    });
    it("uses a default source name", () => {
        assert.match(manifestError("- 1\n").message, /^manifest: document 1: /);
    });
});
//# sourceMappingURL=manifest.test.js.map