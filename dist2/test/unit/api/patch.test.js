import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyJsonPatch, applyMergePatch } from "../../../src/api/patch.js";
import { apiError } from "./helpers.js";
describe("JSON merge patch (RFC 7386)", () => {
    it("merges objects, deletes with null, replaces lists and scalars", () => {
        const target = { a: 1, b: { c: 2, d: [1, 2] }, e: "x" };
        const patch = { a: null, b: { c: 3, d: [9], f: { g: 1 } }, e: { nested: true } };
        assert.deepEqual(applyMergePatch(target, patch), { b: { c: 3, d: [9], f: { g: 1 } }, e: { nested: true } });
    });
    it("does not mutate its inputs", () => {
        const target = { a: { b: 1 } };
        const patch = { a: { c: 2 } };
        applyMergePatch(target, patch);
        assert.deepEqual(target, { a: { b: 1 } });
        assert.deepEqual(patch, { a: { c: 2 } });
    });
    it("passes the RFC 7386 examples", () => {
        const cases = [
            [{ a: "b" }, { a: "c" }, { a: "c" }],
            [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
            [{ a: "b" }, { a: null }, {}],
            [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
            [{ a: ["b"] }, { a: "c" }, { a: "c" }],
            [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
            [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
            [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
            [{ e: null }, { a: 1 }, { e: null, a: 1 }],
            [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
        ];
        for (const [t, p, r] of cases)
            assert.deepEqual(applyMergePatch(t, p), r);
    });
    it("rejects a patch that is not an object", () => {
        assert.equal(apiError(() => applyMergePatch({}, [1])).reason, "BadRequest");
    });
});
describe("JSON patch (RFC 6902)", () => {
    const doc = { metadata: { name: "p", labels: { "a/b": "1", "c~d": "2" } }, spec: { list: [1, 2, 3] } };
    it("adds, removes, replaces, moves, copies and tests", () => {
        const out = applyJsonPatch(doc, [
            { op: "test", path: "/metadata/name", value: "p" },
            { op: "add", path: "/metadata/labels/new", value: "x" },
            { op: "remove", path: "/metadata/labels/a~1b" },
            { op: "replace", path: "/metadata/labels/c~0d", value: "3" },
            { op: "add", path: "/spec/list/-", value: 4 },
            { op: "add", path: "/spec/list/0", value: 0 },
            { op: "remove", path: "/spec/list/1" },
            { op: "copy", from: "/spec/list", path: "/spec/copy" },
            { op: "move", from: "/metadata/labels/new", path: "/metadata/moved" },
        ]);
        assert.deepEqual(out, {
            metadata: { name: "p", labels: { "c~d": "3" }, moved: "x" },
            spec: { list: [0, 2, 3, 4], copy: [0, 2, 3, 4] },
        });
        assert.deepEqual(doc.spec.list, [1, 2, 3], "input untouched");
    });
    it("replaces the whole document with an empty path", () => {
        assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }]), { b: 2 });
    });
    it("fails a test with 422 Invalid", () => {
        const err = apiError(() => applyJsonPatch(doc, [{ op: "test", path: "/metadata/name", value: "q" }]));
        assert.equal(err.reason, "Invalid");
        assert.equal(err.code, 422);
        assert.equal(err.message, "testing value /metadata/name failed: test failed");
    });
    it("fails operations on missing paths with 422", () => {
        const cases = [
            [{ op: "remove", path: "/nope" }, 'remove operation does not apply: doc is missing path: "/nope": missing value'],
            [{ op: "replace", path: "/spec/nope", value: 1 }, 'replace operation does not apply: doc is missing path: "/spec/nope": missing value'],
            [{ op: "add", path: "/a/b/c", value: 1 }, 'add operation does not apply: doc is missing path: "/a/b/c": missing value'],
            [{ op: "add", path: "/spec/list/9", value: 1 }, 'add operation does not apply: doc is missing path: "/spec/list/9": missing value'],
            [{ op: "move", from: "/x", path: "/y" }, 'move operation does not apply: doc is missing from path: "/x": missing value'],
        ];
        for (const [op, message] of cases) {
            const err = apiError(() => applyJsonPatch(doc, [op]));
            assert.equal(err.code, 422, message);
            assert.equal(err.message, message);
        }
    });
    it("rejects malformed patches with 400", () => {
        for (const patch of [{}, [{ op: "jump", path: "/a" }], [{ op: "add", value: 1 }], [{ op: "add", path: "/a" }], [{ op: "copy", path: "/a" }], [{ op: "add", path: "a", value: 1 }]]) {
            assert.equal(apiError(() => applyJsonPatch(doc, patch)).code, 400, JSON.stringify(patch));
        }
    });
});
//# sourceMappingURL=patch.test.js.map