/**
 * PriorityClass (scheduling.k8s.io/v1) and the Priority admission plugin's rules: defaults, upstream's validation
 * (user values ≤ 1e9, `system-` names reserved for the built-in classes, value and preemptionPolicy immutable), the
 * table, the default class (lowest value of several), one globalDefault only, and a pod's priority from its class,
 * the default class or 0, with upstream's refusals.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import {
  admitPodPriority,
  defaultPriorityClass,
  globalDefaultConflict,
  SYSTEM_PRIORITY_CLASSES,
  type PriorityClass,
} from "../../../src/api/priority-class.js";
import { printerFor } from "../../../src/api/tables/index.js";
import { admittedPod, assertErrors, createErrors, CTX, updateErrors } from "./helpers.js";

const pc = (name: string, value: number, o: Partial<PriorityClass> = {}): PriorityClass => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, ...o });

test("PriorityClass defaults: preemptionPolicy PreemptLowerPriority, cluster-scoped", () => {
  const out = admitCreate(pc("high", 1000), CTX);
  assert.equal(out.preemptionPolicy, "PreemptLowerPriority");
  assert.equal(out.metadata.namespace, undefined);
  assert.equal(admitCreate(pc("never", 5, { preemptionPolicy: "Never" }), CTX).preemptionPolicy, "Never");
});

test("PriorityClass validation: user values up to 1e9, system- names only for the built-in classes as defined", () => {
  assert.equal(admitCreate(pc("top", 1_000_000_000), CTX).value, 1_000_000_000);
  assertErrors(createErrors(pc("huge", 1_000_000_001)), ["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"]);
  assertErrors(createErrors(pc("system-mine", 5)), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  ]);
  assertErrors(createErrors(pc("system-node-critical", 5)), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000",
  ]);
  assertErrors(createErrors(pc("system-cluster-critical", 2000000000, { globalDefault: true })), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be false",
  ]);
  for (const builtIn of SYSTEM_PRIORITY_CLASSES) assert.equal(admitCreate(builtIn, CTX).value, builtIn.value);
  assertErrors(createErrors(pc("odd", 1, { preemptionPolicy: "Sometimes" as "Never" })), ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"']);
  assertErrors(createErrors(pc("Bad_Name", 1)), [
    "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test("PriorityClass updates: value and preemptionPolicy immutable; description and globalDefault may change", () => {
  const old = admitCreate(pc("high", 1000), CTX);
  assertErrors(updateErrors({ ...old, value: 2000 }, old), ["value: Forbidden: may not be changed in an update."]);
  assertErrors(updateErrors({ ...old, preemptionPolicy: "Never" }, old), ['preemptionPolicy: Invalid value: "Never": field is immutable']);
  const changed = admitUpdate({ ...old, description: "batch jobs", globalDefault: true }, old, CTX);
  assert.equal(changed.description, "batch jobs");
  assert.equal(changed.globalDefault, true);
});

test("kubectl get priorityclasses columns: Name, Value, Global-Default, Age, PreemptionPolicy", () => {
  const p = printerFor("PriorityClass");
  assert.deepEqual(p.columns.map((c) => c.name), ["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]);
  const row = p.cells(admitCreate(pc("high", 1000, { metadata: { name: "high", creationTimestamp: "2026-01-01T00:00:00Z" } }), CTX), Date.parse("2026-01-01T00:01:00Z"));
  assert.deepEqual(row, ["high", 1000, false, "60s", "PreemptLowerPriority"]);
});

test("the default class is the lowest-valued globalDefault; a second default is refused, re-marking the same one is not", () => {
  const a = pc("a", 100, { globalDefault: true });
  const b = pc("b", 50, { globalDefault: true });
  assert.equal(defaultPriorityClass([pc("x", 1), a, b])?.metadata.name, "b");
  assert.equal(defaultPriorityClass([pc("x", 1)]), undefined);
  assert.equal(globalDefaultConflict(pc("c", 1, { globalDefault: true }), [a]), "PriorityClass a is already marked as default. Only one default can exist");
  assert.equal(globalDefaultConflict({ ...a, description: "d" }, [a]), undefined);
  assert.equal(globalDefaultConflict(pc("c", 1), [a]), undefined);
});

test("a pod's priority: its class's value and policy, else the default class's (named in the pod), else 0", () => {
  const classes = [pc("high", 1000, { preemptionPolicy: "PreemptLowerPriority" }), pc("batch", 10, { preemptionPolicy: "Never" }), ...SYSTEM_PRIORITY_CLASSES];
  const lookup = (name: string) => classes.find((c) => c.metadata.name === name);
  const admit = (spec: Parameters<typeof admittedPod>[0], all = classes) => {
    const p = admittedPod(spec);
    const why = admitPodPriority(p, lookup, () => all);
    return { spec: p.spec, why };
  };
  const none = admit({});
  assert.deepEqual([none.spec.priority, none.spec.preemptionPolicy, none.spec.priorityClassName, none.why], [0, "PreemptLowerPriority", undefined, undefined]);
  const high = admit({ priorityClassName: "high" });
  assert.deepEqual([high.spec.priority, high.spec.preemptionPolicy], [1000, "PreemptLowerPriority"]);
  const batch = admit({ priorityClassName: "batch" });
  assert.deepEqual([batch.spec.priority, batch.spec.preemptionPolicy], [10, "Never"]);
  assert.equal(admit({ priorityClassName: "system-node-critical" }).spec.priority, 2000001000);
  const dflt = admit({}, [...classes, pc("everyone", 7, { globalDefault: true, preemptionPolicy: "Never" })]);
  assert.deepEqual([dflt.spec.priority, dflt.spec.preemptionPolicy, dflt.spec.priorityClassName], [7, "Never", "everyone"]);
  // The same value written in the pod is accepted; another is refused, as is a policy other than the class's.
  assert.equal(admit({ priorityClassName: "high", priority: 1000 }).why, undefined);
  assert.equal(admit({ priorityClassName: "missing" }).why, "no PriorityClass with name missing was found");
  assert.equal(admit({ priorityClassName: "high", priority: 5 }).why, "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name");
  assert.equal(
    admit({ priorityClassName: "batch", preemptionPolicy: "PreemptLowerPriority" }).why,
    "the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name",
  );
});

test("a pod replaced without its priority keeps the one admission gave it", () => {
  const old = admittedPod({ priorityClassName: "high", priority: 1000, preemptionPolicy: "Never" });
  const next = structuredClone(old);
  delete next.spec.priority;
  delete next.spec.preemptionPolicy;
  const out = admitUpdate(next, old, CTX);
  assert.deepEqual([out.spec.priority, out.spec.preemptionPolicy], [1000, "Never"]);
});
