import { test } from "node:test";
import assert from "node:assert/strict";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import { defaultClass } from "../../../src/api/storage-class.js";
import { printerFor } from "../../../src/api/tables/index.js";
const CTX = { nodeName: "n1" };
const sc = (o = {}) => ({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast" }, provisioner: "nodelet.io/local", ...o });
function invalid(fn) {
    try {
        fn();
    }
    catch (e) {
        assert.ok(e instanceof ApiError && e.reason === "Invalid", String(e));
        return e.message;
    }
    assert.fail("accepted");
}
test("StorageClass defaults: reclaimPolicy Delete, volumeBindingMode Immediate", () => {
    const out = admitCreate(sc(), CTX);
    assert.equal(out.reclaimPolicy, "Delete");
    assert.equal(out.volumeBindingMode, "Immediate");
    assert.equal(out.metadata.namespace, undefined, "cluster-scoped");
});
test("StorageClass validation names the field; parameters, provisioner, reclaimPolicy and binding mode are immutable", () => {
    assert.match(invalid(() => admitCreate(sc({ provisioner: "" }), CTX)), /provisioner: Required value/);
    assert.match(invalid(() => admitCreate(sc({ reclaimPolicy: "Recycle" }), CTX)), /reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"/);
    assert.match(invalid(() => admitCreate(sc({ volumeBindingMode: "Later" }), CTX)), /volumeBindingMode: Unsupported value: "Later"/);
    const old = admitCreate(sc({ parameters: { a: "1" } }), CTX);
    assert.match(invalid(() => admitUpdate({ ...old, parameters: { a: "2" } }, old, CTX)), /parameters: Forbidden: updates to parameters are forbidden./);
    assert.match(invalid(() => admitUpdate({ ...old, reclaimPolicy: "Retain" }, old, CTX)), /reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden./);
    assert.equal(admitUpdate({ ...old, allowVolumeExpansion: true }, old, CTX).allowVolumeExpansion, true);
});
test("the default class: annotated true (GA or beta spelling), newest wins; its table name says (default)", () => {
    const def = (name, at, ann = "storageclass.kubernetes.io/is-default-class") => sc({ metadata: { name, creationTimestamp: at, annotations: { [ann]: "true" } } });
    assert.equal(defaultClass([sc(), def("a", "2026-01-01T00:00:00Z"), def("b", "2026-01-02T00:00:00Z", "storageclass.beta.kubernetes.io/is-default-class")])?.metadata.name, "b");
    assert.equal(defaultClass([sc()]), undefined);
    const local = { ...def("local", "2026-01-01T00:00:00Z"), volumeBindingMode: "WaitForFirstConsumer", reclaimPolicy: "Delete", allowVolumeExpansion: true };
    const row = printerFor("StorageClass").cells(local, Date.parse("2026-01-01T00:00:05Z"));
    assert.deepEqual(row, ["local (default)", "nodelet.io/local", "Delete", "WaitForFirstConsumer", true, "5s"]);
    assert.deepEqual(printerFor("StorageClass").columns.map((c) => c.name), ["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]);
});
//# sourceMappingURL=storage-class.test.js.map