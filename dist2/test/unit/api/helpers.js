/** Shared test helpers for the API layer: building objects and reading the errors they produce. */
import assert from "node:assert/strict";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
export const CTX = { nodeName: "node-1", random: () => 0 };
/** "field: detail" lines of an error list, the way kubectl prints them. */
export function lines(errs) {
    return errs.map((e) => `${e.field}: ${e.detail}`);
}
/** Runs `fn`, expects an ApiError, returns it. */
export function apiError(fn) {
    try {
        fn();
    }
    catch (e) {
        assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
        return e;
    }
    assert.fail("expected an ApiError");
}
/** The "field: message" causes of the 422 that admitting `obj` produces. */
export function createErrors(obj) {
    const err = apiError(() => admitCreate(obj, CTX));
    assert.equal(err.reason, "Invalid", err.message);
    return (err.details.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}
export function updateErrors(obj, old, ctx = CTX) {
    const err = apiError(() => admitUpdate(obj, old, ctx));
    assert.equal(err.reason, "Invalid", err.message);
    return (err.details.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}
/** Asserts that exactly `expected` errors were produced (order-insensitive). */
export function assertErrors(actual, expected) {
    assert.deepEqual([...actual].sort(), [...expected].sort());
}
/** Asserts that one of the errors starts with `prefix`. */
export function assertHasError(actual, prefix) {
    assert.ok(actual.some((l) => l.startsWith(prefix)), `no error starting with ${JSON.stringify(prefix)} in:\n${actual.join("\n")}`);
}
export function container(overrides = {}) {
    return { name: "c", image: "busybox:1.36", ...overrides };
}
export function pod(spec = {}, name = "p") {
    return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [container()], ...spec } };
}
/** A pod after admission, as the store would hold it. */
export function admittedPod(spec = {}) {
    return admitCreate(pod(spec), CTX);
}
//# sourceMappingURL=helpers.js.map