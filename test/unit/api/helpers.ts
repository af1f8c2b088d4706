/** Shared test helpers for the API layer: building objects and reading the errors they produce. */
import assert from "node:assert/strict";
import { admitCreate, admitUpdate, type AdmissionContext } from "../../../src/api/admission.js";
import { ApiError } from "../../../src/api/errors.js";
import type { ErrorList } from "../../../src/api/field.js";
import type { Container, KubeObject, Pod } from "../../../src/api/types.js";

export const CTX: AdmissionContext = { nodeName: "node-1", random: () => 0 };

/** "field: detail" lines of an error list, the way kubectl prints them. */
export function lines(errs: ErrorList): string[] {
  return errs.map((e) => `${e.field}: ${e.detail}`);
}

/** Runs `fn`, expects an ApiError, returns it. */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an ApiError");
}

/** The "field: message" causes of the 422 that admitting `obj` produces. */
export function createErrors(obj: unknown): string[] {
  const err = apiError(() => admitCreate(obj as KubeObject, CTX));
  assert.equal(err.reason, "Invalid", err.message);
  return (err.details.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}

export function updateErrors(obj: unknown, old: unknown, ctx: AdmissionContext = CTX): string[] {
  const err = apiError(() => admitUpdate(obj as KubeObject, old as KubeObject, ctx));
  assert.equal(err.reason, "Invalid", err.message);
  return (err.details.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}

/** Asserts that exactly `expected` errors were produced (order-insensitive). */
export function assertErrors(actual: string[], expected: string[]): void {
  assert.deepEqual([...actual].sort(), [...expected].sort());
}

/** Asserts that one of the errors starts with `prefix`. */
export function assertHasError(actual: string[], prefix: string): void {
  assert.ok(actual.some((l) => l.startsWith(prefix)), `no error starting with ${JSON.stringify(prefix)} in:\n${actual.join("\n")}`);
}

export function container(overrides: Partial<Container> = {}): Container {
  return { name: "c", image: "busybox:1.36", ...overrides };
}

export function pod(spec: Partial<Pod["spec"]> = {}, name = "p"): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [container()], ...spec } };
}

/** A pod after admission, as the store would hold it. */
export function admittedPod(spec: Partial<Pod["spec"]> = {}): Pod {
  return admitCreate(pod(spec), CTX);
}
