import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { selectorPredicate, selects } from "../../../src/api/labels.js";
import { budgetSelects } from "../../../src/api/eviction.js";
import type { PodDisruptionBudget } from "../../../src/api/policy-types.js";
import type { LabelSelector, Pod } from "../../../src/api/types.js";

describe("a stored object's selector", () => {
  test("absent selects nothing, {} everything, an unknown operator nothing; labels absent are no labels", () => {
    assert.equal(selects(undefined, { app: "web" }), false);
    assert.equal(selects(null, { app: "web" }), false);
    assert.equal(selects({}, { app: "web" }), true);
    assert.equal(selects({}, undefined), true);
    assert.equal(selects({ matchLabels: { app: "web" } }, { app: "web", tier: "x" }), true);
    assert.equal(selects({ matchLabels: { app: "web" } }, undefined), false);
    assert.equal(selects({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] }, undefined), true);
    const bad = { matchExpressions: [{ key: "app", operator: "Near", values: ["web"] }] } as unknown as LabelSelector;
    assert.equal(selects(bad, { app: "web" }), false);
    const match = selectorPredicate({ matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] });
    assert.deepEqual([match({ app: "api" }), match({ app: "db" })], [true, false]);
  });

  test("a PodDisruptionBudget with an empty selector covers no pod (unlike {} elsewhere)", () => {
    const pdb = (selector?: LabelSelector) => ({ metadata: { name: "b", namespace: "default" }, spec: { selector } }) as PodDisruptionBudget;
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", labels: { app: "web" } }, spec: { containers: [] } } as Pod;
    assert.equal(budgetSelects(pdb(undefined), pod), false);
    assert.equal(budgetSelects(pdb({}), pod), false);
    assert.equal(budgetSelects(pdb({ matchLabels: { app: "web" } }), pod), true);
    assert.equal(budgetSelects(pdb({ matchLabels: { app: "db" } }), pod), false);
  });
});
