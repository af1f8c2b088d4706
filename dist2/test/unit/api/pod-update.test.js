import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitUpdate } from "../../../src/api/admission.js";
import { admittedPod, assertErrors, assertHasError, container, CTX, updateErrors } from "./helpers.js";
function stored(spec = {}) {
    const p = admittedPod(spec);
    p.metadata = { ...p.metadata, uid: "u-1", resourceVersion: "7", creationTimestamp: "2024-01-01T00:00:00Z" };
    return p;
}
function edit(p, fn) {
    const q = structuredClone(p);
    fn(q);
    return q;
}
const FORBIDDEN_PREFIX = "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n";
describe("pod updates", () => {
    it("allows changing images, labels and annotations", () => {
        const old = stored({ initContainers: [container({ name: "init" })] });
        const next = edit(old, (q) => {
            q.spec.containers[0].image = "busybox:1.37";
            q.spec.initContainers[0].image = "alpine:3";
            q.metadata.labels = { app: "web" };
            q.metadata.annotations = { note: "x" };
        });
        const out = admitUpdate(next, old, CTX);
        assert.equal(out.spec.containers[0].image, "busybox:1.37");
        assert.deepEqual(out.metadata.labels, { app: "web" });
    });
    it("allows setting or lowering activeDeadlineSeconds, not raising or removing it", () => {
        const old = stored();
        assert.doesNotThrow(() => admitUpdate(edit(old, (q) => (q.spec.activeDeadlineSeconds = 100)), old, CTX));
        const withDeadline = stored({ activeDeadlineSeconds: 100 });
        assert.doesNotThrow(() => admitUpdate(edit(withDeadline, (q) => (q.spec.activeDeadlineSeconds = 50)), withDeadline, CTX));
        assertErrors(updateErrors(edit(withDeadline, (q) => (q.spec.activeDeadlineSeconds = 200)), withDeadline), [
            "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value",
        ]);
        assertErrors(updateErrors(edit(withDeadline, (q) => delete q.spec.activeDeadlineSeconds), withDeadline), [
            "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value",
        ]);
    });
    it("allows adding tolerations and changing their tolerationSeconds only", () => {
        const old = stored();
        const added = edit(old, (q) => q.spec.tolerations.push({ key: "k", operator: "Exists", effect: "NoSchedule" }));
        assert.equal(admitUpdate(added, old, CTX).spec.tolerations.length, 3);
        const seconds = edit(old, (q) => (q.spec.tolerations[0].tolerationSeconds = 60));
        assert.doesNotThrow(() => admitUpdate(seconds, old, CTX));
        const removed = edit(old, (q) => q.spec.tolerations.pop());
        assertErrors(updateErrors(removed, old), ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]);
    });
    it("allows terminationGracePeriodSeconds only from negative to 1", () => {
        const negative = stored();
        negative.spec.terminationGracePeriodSeconds = -1;
        assert.doesNotThrow(() => admitUpdate(edit(negative, (q) => (q.spec.terminationGracePeriodSeconds = 1)), negative, CTX));
        const old = stored();
        const errs = updateErrors(edit(old, (q) => (q.spec.terminationGracePeriodSeconds = 60)), old);
        assert.equal(errs.length, 1);
        assert.ok(errs[0].startsWith(FORBIDDEN_PREFIX), errs[0]);
        assert.match(errs[0], /spec\.terminationGracePeriodSeconds: 30 → 60/);
    });
    it("forbids any other spec change, with the Kubernetes message", () => {
        const old = stored({ containers: [container({ ports: [{ containerPort: 80 }] })] });
        const errs = updateErrors(edit(old, (q) => (q.spec.containers[0].ports[0].containerPort = 8080)), old);
        assert.equal(errs.length, 1);
        assert.ok(errs[0].startsWith(FORBIDDEN_PREFIX), errs[0]);
        assert.match(errs[0], /spec\.containers\[0\]\.ports\[0\]\.containerPort: 80 → 8080/);
        assertHasError(updateErrors(edit(old, (q) => (q.spec.restartPolicy = "Never")), old), FORBIDDEN_PREFIX);
    });
    it("forbids adding or removing containers", () => {
        const old = stored();
        assertErrors(updateErrors(edit(old, (q) => q.spec.containers.push(container({ name: "two" }))), old), [
            "spec.containers: Forbidden: pod updates may not add or remove containers",
        ]);
    });
    it("still validates the new spec", () => {
        const old = stored();
        assertErrors(updateErrors(edit(old, (q) => (q.spec.containers[0].image = "")), old), ["spec.containers[0].image: Required value"]);
    });
    it("forbids changing name, namespace and uid", () => {
        const old = stored();
        const errs = updateErrors(edit(old, (q) => {
            q.metadata.name = "other";
            q.metadata.namespace = "ns2";
            q.metadata.uid = "u-2";
        }), old);
        assertErrors(errs, [
            'metadata.name: Invalid value: "other": field is immutable',
            'metadata.namespace: Invalid value: "ns2": field is immutable',
            'metadata.uid: Invalid value: "u-2": field is immutable',
        ]);
    });
    it("keeps server-set metadata the client left out, and the old status", () => {
        const old = stored();
        old.status = { phase: "Running", podIP: "10.0.0.5" };
        const next = edit(old, (q) => {
            delete q.metadata.uid;
            delete q.metadata.creationTimestamp;
            delete q.metadata.namespace;
            q.status = { phase: "Failed" };
        });
        const out = admitUpdate(next, old, CTX);
        assert.equal(out.metadata.uid, "u-1");
        assert.equal(out.metadata.creationTimestamp, "2024-01-01T00:00:00Z");
        assert.equal(out.metadata.namespace, "default");
        assert.deepEqual(out.status, { phase: "Running", podIP: "10.0.0.5" });
    });
    it("accepts an update that re-sends the stored object with defaults left out", () => {
        const old = stored();
        const next = edit(old, (q) => {
            delete q.spec.dnsPolicy;
            delete q.spec.containers[0].terminationMessagePath;
            delete q.spec.containers[0].resources;
        });
        assert.doesNotThrow(() => admitUpdate(next, old, CTX));
    });
    it("updates status, and only status, through the status subresource", () => {
        const old = stored();
        const next = edit(old, (q) => {
            q.status = { phase: "Running", podIP: "10.0.0.9" };
            q.spec.containers[0].image = "ignored:1";
        });
        const out = admitUpdate(next, old, { ...CTX, subresource: "status" });
        assert.equal(out.status.phase, "Running");
        assert.equal(out.spec.containers[0].image, "busybox:1.36");
    });
});
//# sourceMappingURL=pod-update.test.js.map