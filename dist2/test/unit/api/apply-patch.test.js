import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate } from "../../../src/api/admission.js";
import { goJsonStringify } from "../../../src/api/json.js";
import { applyStrategicMergePatch, createApplyPatch, LAST_APPLIED_ANNOTATION } from "../../../src/api/patch.js";
import { CTX } from "./helpers.js";
function config(image, extra = {}) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default", labels: { app: "web" } },
        spec: { containers: [{ name: "c", image }], ...extra },
    };
}
/** What `kubectl apply` leaves on the server the first time: the defaulted object with the annotation. */
function liveAfterFirstApply(cfg) {
    const annotated = structuredClone(cfg);
    annotated.metadata["annotations"] = { [LAST_APPLIED_ANNOTATION]: `${goJsonStringify(cfg)}\n` };
    const live = admitCreate(annotated, CTX);
    return { live, lastApplied: cfg };
}
function annotationOf(patch) {
    return patch["metadata"]["annotations"][LAST_APPLIED_ANNOTATION];
}
describe("createApplyPatch", () => {
    it("computes the patch kubectl sends when an image changes", () => {
        const { live, lastApplied } = liveAfterFirstApply(config("busybox:1.35"));
        const modified = config("busybox:1.36");
        const patch = createApplyPatch(lastApplied, modified, live, "Pod");
        const annotation = `${goJsonStringify(modified)}\n`;
        assert.deepEqual(patch, {
            metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: annotation } },
            spec: { "$setElementOrder/containers": [{ name: "c" }], containers: [{ image: "busybox:1.36", name: "c" }] },
        });
        assert.equal(annotation, '{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web"},"name":"p","namespace":"default"},"spec":{"containers":[{"image":"busybox:1.36","name":"c"}]}}\n');
        const applied = applyStrategicMergePatch(live, patch, "Pod");
        assert.equal(applied.spec.containers[0]["image"], "busybox:1.36");
        assert.equal(applied.spec.containers[0]["terminationMessagePath"], "/dev/termination-log", "defaults survive");
        assert.equal(applied.spec.nodeName, "node-1", "server-set fields survive");
    });
    it("returns an empty patch when nothing changed", () => {
        const { live, lastApplied } = liveAfterFirstApply(config("busybox:1.35"));
        assert.deepEqual(createApplyPatch(lastApplied, config("busybox:1.35"), live, "Pod"), {});
    });
    it("deletes fields removed from the configuration, and only those", () => {
        const cfg = config("a:1");
        cfg["metadata"]["labels"] = { app: "web", tier: "fe" };
        const { live, lastApplied } = liveAfterFirstApply(cfg);
        live["metadata"]["labels"]["added-by-someone-else"] = "x";
        const patch = createApplyPatch(lastApplied, config("a:1"), live, "Pod");
        assert.deepEqual(patch["metadata"]["labels"], { tier: null });
        assert.equal(patch["spec"], undefined);
        const applied = applyStrategicMergePatch(live, patch, "Pod");
        assert.deepEqual(applied.metadata.labels, { app: "web", "added-by-someone-else": "x" });
    });
    it("deletes a removed container with $patch: delete and keeps the order", () => {
        const two = config("a:1");
        two["spec"].containers.push({ name: "d", image: "d:1" });
        const { live, lastApplied } = liveAfterFirstApply(two);
        const patch = createApplyPatch(lastApplied, config("a:1"), live, "Pod");
        assert.deepEqual(patch["spec"], { "$setElementOrder/containers": [{ name: "c" }], containers: [{ name: "d", $patch: "delete" }] });
        const applied = applyStrategicMergePatch(live, patch, "Pod");
        assert.deepEqual(applied.spec.containers.map((c) => c["name"]), ["c"]);
    });
    it("removes scalars from merge lists with $deleteFromPrimitiveList", () => {
        const withFinalizers = (f) => ({ ...config("a:1"), metadata: { name: "p", namespace: "default", finalizers: f } });
        const last = withFinalizers(["example.com/a", "example.com/b"]);
        const live = { ...withFinalizers(["example.com/a", "example.com/b", "example.com/server"]) };
        const patch = createApplyPatch(last, withFinalizers(["example.com/a"]), live, "Pod");
        const meta = patch["metadata"];
        assert.deepEqual(meta["$deleteFromPrimitiveList/finalizers"], ["example.com/b"]);
        assert.deepEqual(meta["$setElementOrder/finalizers"], ["example.com/a"]);
        const applied = applyStrategicMergePatch(live, patch, "Pod");
        assert.deepEqual(applied.metadata.finalizers, ["example.com/a", "example.com/server"]);
    });
    it("adds $retainKeys when a volume changes source", () => {
        const before = config("a:1", { volumes: [{ name: "v", emptyDir: {} }] });
        const { live, lastApplied } = liveAfterFirstApply(before);
        const after = config("a:1", { volumes: [{ name: "v", hostPath: { path: "/data" } }] });
        const patch = createApplyPatch(lastApplied, after, live, "Pod");
        const spec = patch["spec"];
        assert.deepEqual(spec["volumes"], [{ name: "v", emptyDir: null, hostPath: { path: "/data" }, $retainKeys: ["hostPath", "name"] }]);
        const applied = applyStrategicMergePatch(live, patch, "Pod");
        assert.deepEqual(applied.spec.volumes, [{ name: "v", hostPath: { path: "/data" } }]);
    });
    it("never deletes without a last-applied configuration", () => {
        const live = admitCreate(config("a:1"), CTX);
        const modified = { ...config("a:2"), metadata: { name: "p", namespace: "default" } };
        const patch = createApplyPatch(undefined, modified, live, "Pod");
        assert.equal(patch["metadata"]["labels"], undefined);
        assert.ok(annotationOf(patch).startsWith('{"apiVersion":"v1"'));
    });
    it("merges Service ports by port", () => {
        const svc = (ports) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "default" }, spec: { ports } });
        const last = svc([{ port: 80 }, { port: 443, name: "https" }]);
        const live = svc([{ port: 80, protocol: "TCP", targetPort: 80 }, { port: 443, name: "https", protocol: "TCP", targetPort: 443 }]);
        const patch = createApplyPatch(last, svc([{ port: 80, targetPort: 8080 }]), live, "Service");
        assert.deepEqual(patch["spec"], {
            "$setElementOrder/ports": [{ port: 80 }],
            ports: [{ port: 80, targetPort: 8080 }, { port: 443, $patch: "delete" }],
        });
    });
    it("computes a JSON merge patch for kinds without a schema", () => {
        const last = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { a: 1, b: [1] } };
        const live = { ...last, spec: { a: 1, b: [1], serverSide: true } };
        const modified = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { b: [2] } };
        const patch = createApplyPatch(last, modified, live, "Widget");
        assert.deepEqual(patch["spec"], { a: null, b: [2] });
    });
    it("escapes the annotation like Go's encoder", () => {
        const cfg = config("a:1");
        cfg["metadata"]["annotations"] = { note: "<b>&</b>" };
        const patch = createApplyPatch(undefined, cfg, {}, "Pod");
        assert.match(annotationOf(patch), /"note":"\\u003cb\\u003e\\u0026\\u003c\/b\\u003e"/);
    });
});
//# sourceMappingURL=apply-patch.test.js.map