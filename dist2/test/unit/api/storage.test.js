import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { assertErrors, assertHasError, createErrors, CTX, updateErrors } from "./helpers.js";
function pv(spec = {}) {
    return {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv1" },
        spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/srv/pv1" }, ...spec },
    };
}
function pvc(spec = {}) {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
    };
}
describe("PersistentVolume", () => {
    it("defaults reclaim policy, volume mode and status; drops a namespace", () => {
        const input = pv();
        input.metadata.namespace = "default";
        const out = admitCreate(input, CTX);
        assert.equal(out.spec.persistentVolumeReclaimPolicy, "Retain");
        assert.equal(out.spec.volumeMode, "Filesystem");
        assert.equal(out.spec.hostPath.type, "");
        assert.deepEqual(out.status, { phase: "Pending" });
        assert.equal(out.metadata.namespace, undefined);
    });
    it("requires capacity.storage and access modes", () => {
        const errs = createErrors(pv({ capacity: {}, accessModes: [] }));
        assertErrors(errs, [
            "spec.accessModes: Required value",
            "spec.capacity: Required value",
            'spec.capacity: Unsupported value: {}: supported values: "storage"',
        ]);
        assertErrors(createErrors(pv({ capacity: { storage: "0" } })), ['spec.capacity.storage: Invalid value: "0": must be greater than zero']);
    });
    it("checks access modes, reclaim policy and volume mode enums", () => {
        const errs = createErrors(pv({ accessModes: ["ReadWriteSometimes", "ReadWriteOncePod", "ReadWriteOnce"], persistentVolumeReclaimPolicy: "Keep", volumeMode: "Raw" }));
        assertErrors(errs, [
            'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
            "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
            'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
            'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
        ]);
    });
    it("requires exactly one source", () => {
        assertErrors(createErrors(pv({ hostPath: undefined })), ["spec: Required value: must specify a volume type"]);
        assertErrors(createErrors(pv({ local: { path: "/mnt/disk" }, nodeAffinity: {} })), ["spec.local: Forbidden: may not specify more than 1 volume type"]);
        assertErrors(createErrors(pv({ hostPath: undefined, local: { path: "/mnt/disk" } })), ["spec.nodeAffinity: Required value: Local volume requires node affinity"]);
    });
    it("keeps its source immutable", () => {
        const old = admitCreate(pv(), CTX);
        const next = structuredClone(old);
        next.spec.hostPath.path = "/elsewhere";
        assertHasError(updateErrors(next, old), "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n");
        const capacity = structuredClone(old);
        capacity.spec.capacity = { storage: "2Gi" };
        assert.equal(admitUpdate(capacity, old, CTX).spec.capacity["storage"], "2Gi");
    });
});
describe("PersistentVolumeClaim", () => {
    it("defaults volume mode and status, writes quantities canonically", () => {
        const out = admitCreate(pvc({ resources: { requests: { storage: "1.5Gi" } } }), CTX);
        assert.equal(out.spec.volumeMode, "Filesystem");
        assert.deepEqual(out.status, { phase: "Pending" });
        assert.equal(out.spec.resources.requests["storage"], "1536Mi");
    });
    it("requires access modes and a positive storage request", () => {
        assertErrors(createErrors(pvc({ accessModes: [], resources: {} })), [
            "spec.accessModes: Required value: at least 1 access mode is required",
            "spec.resources.requests.storage: Required value",
        ]);
        assertErrors(createErrors(pvc({ resources: { requests: { storage: "0" } } })), ['spec.resources.requests.storage: Invalid value: "0": must be greater than zero']);
        assertHasError(createErrors(pvc({ resources: { requests: { storage: "big" } } })), 'spec.resources.requests.storage: Invalid value: "big": quantities must match');
    });
    it("checks its selector and storage class", () => {
        const errs = createErrors(pvc({ storageClassName: "Fast_SSD", selector: { matchExpressions: [{ key: "k", operator: "In" }] } }));
        assertErrors(errs, [
            "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            'spec.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
        ]);
    });
    it("may grow its request, nothing else", () => {
        const old = admitCreate(pvc(), CTX);
        const grow = structuredClone(old);
        grow.spec.resources.requests["storage"] = "2Gi";
        assert.equal(admitUpdate(grow, old, CTX).spec.resources.requests["storage"], "2Gi");
        const shrink = structuredClone(old);
        shrink.spec.resources.requests["storage"] = "512Mi";
        assertErrors(updateErrors(shrink, old), ["spec.resources.requests.storage: Forbidden: field can not be less than previous value"]);
        const modes = structuredClone(old);
        modes.spec.accessModes = ["ReadWriteMany"];
        const errs = updateErrors(modes, old);
        assert.equal(errs.length, 1);
        assert.ok(errs[0].startsWith("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"));
        const bind = structuredClone(old);
        bind.spec.volumeName = "pv1";
        assert.equal(admitUpdate(bind, old, CTX).spec.volumeName, "pv1");
    });
});
//# sourceMappingURL=storage.test.js.map