import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyStrategicMergePatch } from "../../../src/api/patch.js";
import { apiError } from "./helpers.js";
const smp = (target, patch, kind = "Pod") => applyStrategicMergePatch(target, patch, kind);
function podWith(containers, extra = {}) {
    return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "web", tier: "fe" } }, spec: { containers, ...extra } };
}
const A = { name: "a", image: "a:1", ports: [{ containerPort: 80, protocol: "TCP" }] };
const B = { name: "b", image: "b:1" };
describe("strategic merge patch: lists merged by key", () => {
    it("merges containers by name, keeping the other fields", () => {
        const out = smp(podWith([A, B]), { spec: { containers: [{ name: "b", image: "b:2" }] } });
        assert.deepEqual(out["spec"]["containers"], [A, { name: "b", image: "b:2" }]);
    });
    it("applies the patch kubectl sends for client-side apply", () => {
        const current = podWith([{ name: "c", image: "busybox:1.35", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" }]);
        const patch = JSON.parse('{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"apiVersion\\":\\"v1\\"}\\n"}},"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"image":"busybox:1.36","name":"c"}]}}');
        const out = smp(current, patch);
        assert.deepEqual(out, {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p", labels: { app: "web", tier: "fe" }, annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1"}\n' } },
            spec: { containers: [{ name: "c", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" }] },
        });
    });
    it("merges ports by containerPort, env by name, volumeMounts by mountPath", () => {
        const c = {
            name: "a",
            ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }],
            env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
            envFrom: [{ configMapRef: { name: "x" } }],
            volumeMounts: [{ name: "v", mountPath: "/a" }, { name: "w", mountPath: "/b" }],
        };
        const out = smp(podWith([c]), {
            spec: {
                containers: [
                    {
                        name: "a",
                        ports: [{ containerPort: 443, name: "https" }],
                        env: [{ name: "B", value: "3" }],
                        envFrom: [{ secretRef: { name: "y" } }],
                        volumeMounts: [{ mountPath: "/b", readOnly: true }],
                    },
                ],
            },
        });
        const got = out["spec"]["containers"][0];
        assert.deepEqual(got["ports"], [{ containerPort: 80, name: "http" }, { containerPort: 443, name: "https" }]);
        assert.deepEqual(got["env"], [{ name: "A", value: "1" }, { name: "B", value: "3" }]);
        assert.deepEqual(got["envFrom"], [{ secretRef: { name: "y" } }], "envFrom has no merge key: replaced");
        assert.deepEqual(got["volumeMounts"], [{ name: "v", mountPath: "/a" }, { name: "w", mountPath: "/b", readOnly: true }]);
    });
    it("puts a new item first when no $setElementOrder is given (as Kubernetes does)", () => {
        const out = smp(podWith([A]), { spec: { containers: [B] } });
        assert.deepEqual(out["spec"]["containers"].map((c) => c["name"]), ["b", "a"]);
    });
    it("orders with $setElementOrder, keeping server-only items in place", () => {
        const original = { spec: { containers: [{ name: "1", x: "a" }, { name: "2", v: 2 }, { name: "9" }, { name: "3", v: 3 }, { name: "4", v: 4 }] } };
        const patch = { spec: { "$setElementOrder/containers": [{ name: "2" }, { name: "1" }, { name: "4" }, { name: "3" }] } };
        const out = smp(original, patch);
        assert.deepEqual(out["spec"]["containers"].map((c) => c["name"]), ["2", "1", "9", "4", "3"]);
    });
    it("orders like Kubernetes when $setElementOrder meets deletions and additions", () => {
        // Kubernetes edits the list in place (Go slice aliasing), so the new item lands after the server-only one.
        const current = { spec: { containers: [{ name: "1" }, { name: "2", x: "b" }, { name: "4", x: "c" }] } };
        const patch = { spec: { "$setElementOrder/containers": [{ name: "2" }, { name: "3" }], containers: [{ name: "3" }, { name: "1", $patch: "delete" }] } };
        assert.deepEqual(smp(current, patch), { spec: { containers: [{ name: "2", x: "b" }, { name: "4", x: "c" }, { name: "3" }] } });
    });
    it("replaces lists without a merge key: tolerations, Endpoints subsets", () => {
        const out = smp(podWith([A], { tolerations: [{ key: "a", operator: "Exists" }] }), { spec: { tolerations: [{ key: "b", operator: "Exists" }] } });
        assert.deepEqual(out["spec"]["tolerations"], [{ key: "b", operator: "Exists" }]);
        const ep = { subsets: [{ addresses: [{ ip: "10.0.0.1" }] }] };
        assert.deepEqual(smp(ep, { subsets: [{ addresses: [{ ip: "10.0.0.2" }] }] }, "Endpoints"), { subsets: [{ addresses: [{ ip: "10.0.0.2" }] }] });
    });
    it("merges Service ports by port and status conditions by type", () => {
        const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
        assert.deepEqual(smp(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, "Service"), {
            spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
        });
        const withStatus = { status: { conditions: [{ type: "Ready", status: "False" }, { type: "PodScheduled", status: "True" }] } };
        assert.deepEqual(smp(withStatus, { status: { conditions: [{ type: "Ready", status: "True" }] } }), {
            status: { conditions: [{ type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }] },
        });
    });
    it("unions primitive merge lists (finalizers) and keeps order", () => {
        const out = smp({ metadata: { finalizers: ["a", "b"] } }, { metadata: { finalizers: ["b", "c"] } });
        assert.deepEqual(out["metadata"]["finalizers"], ["a", "b", "c"]);
    });
});
describe("strategic merge patch: directives", () => {
    it("$patch: delete removes a list item by key", () => {
        const out = smp(podWith([A, B]), { spec: { containers: [{ name: "a", $patch: "delete" }] } });
        assert.deepEqual(out["spec"]["containers"], [B]);
    });
    it("$patch: replace replaces a whole list", () => {
        const out = smp(podWith([A, B]), { spec: { containers: [{ name: "z", image: "z:1" }, { $patch: "replace" }] } });
        assert.deepEqual(out["spec"]["containers"], [{ name: "z", image: "z:1" }]);
    });
    it("$patch: replace replaces a map, $patch: delete empties it", () => {
        const out = smp(podWith([A]), { metadata: { labels: { $patch: "replace", only: "this" } } });
        assert.deepEqual(out["metadata"]["labels"], { only: "this" });
        const del = smp(podWith([A], { securityContext: { runAsUser: 1 } }), { spec: { securityContext: { $patch: "delete" } } });
        assert.deepEqual(del["spec"]["securityContext"], {});
        const absent = smp(podWith([A]), { spec: { securityContext: { $patch: "delete" } } });
        assert.equal(absent["spec"]["securityContext"], undefined);
    });
    it("$retainKeys drops the keys not listed (switching a volume's source)", () => {
        const original = podWith([A], { volumes: [{ name: "v", emptyDir: {} }] });
        const out = smp(original, { spec: { volumes: [{ name: "v", hostPath: { path: "/x" }, $retainKeys: ["hostPath", "name"] }] } });
        assert.deepEqual(out["spec"]["volumes"], [{ name: "v", hostPath: { path: "/x" } }]);
    });
    it("$deleteFromPrimitiveList removes scalars", () => {
        const out = smp({ metadata: { finalizers: ["a", "b", "c"] } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "x"] } });
        assert.deepEqual(out, { metadata: { finalizers: ["a", "c"] } });
        const both = smp({ metadata: { finalizers: ["a"] } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"], finalizers: ["z"] } });
        assert.deepEqual(both["metadata"]["finalizers"], ["z"]);
    });
    it("null deletes a key; a null for a missing key is ignored", () => {
        const out = smp(podWith([A]), { metadata: { labels: { tier: null, gone: null } }, spec: { nodeName: null } });
        assert.deepEqual(out["metadata"]["labels"], { app: "web" });
        assert.ok(!("gone" in out["metadata"]["labels"]));
    });
    it("drops directives inside newly added subtrees", () => {
        const out = smp({ metadata: { name: "p" } }, { spec: { "$setElementOrder/containers": [{ name: "a" }], containers: [{ name: "a", env: [{ name: "X", value: null }] }] } });
        assert.deepEqual(out["spec"], { containers: [{ name: "a", env: [{ name: "X" }] }] });
    });
    it("does not mutate its inputs", () => {
        const target = podWith([A, B]);
        const patch = { spec: { containers: [{ name: "a", $patch: "delete" }] } };
        const t = structuredClone(target);
        const p = structuredClone(patch);
        smp(target, patch);
        assert.deepEqual(target, t);
        assert.deepEqual(patch, p);
    });
});
describe("strategic merge patch: errors and fallbacks", () => {
    it("rejects malformed patches with 400", () => {
        const bad = [
            [{ spec: { containers: [{ image: "x" }] } }, /does not contain declared merge key: name/],
            [{ spec: { containers: [{ name: "a", $patch: "delete2" }] } }, /Unknown patch type: delete2/],
            [{ spec: { containers: [{ $patch: "merge" }] } }, /merging lists cannot yet be specified in the patch/],
            [{ spec: { "$setElementOrder/containers": [{ name: "a" }], containers: [{ name: "b" }] } }, /doesn't match \$setElementOrder list/],
            [{ metadata: { "$deleteFromPrimitiveListfinalizers": ["a"] } }, /invalid patch format of primitive list/],
            [{ metadata: { labels: { $patch: "explode" } } }, /Unknown patch type: explode/],
            [{ metadata: { $retainKeys: ["name"], labels: { a: "b" } } }, /invalid patch format of retainKeys/],
            [[1], /must be a JSON object/],
        ];
        for (const [patch, re] of bad) {
            const err = apiError(() => smp(podWith([A, B]), patch));
            assert.equal(err.reason, "BadRequest", JSON.stringify(patch));
            assert.match(err.message, re);
        }
    });
    it("falls back to a merge patch for kinds without a schema", () => {
        assert.deepEqual(smp({ spec: { list: [1, 2], a: 1 } }, { spec: { list: [3], a: null } }, "Widget"), { spec: { list: [3] } });
    });
});
//# sourceMappingURL=smp.test.js.map