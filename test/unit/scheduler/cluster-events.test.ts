import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "../../../src/api/types.js";
import { nodeSchedulingPropertiesChange } from "../../../src/scheduler/cluster-events.js";
import { node } from "./fixtures.js";

const ready = (n: Node, status: "True" | "False", heartbeat: string): Node => ({
  ...n,
  status: { ...n.status, conditions: [{ type: "Ready", status, lastHeartbeatTime: heartbeat, reason: "KubeletReady" }] },
});

test("a heartbeat changes nothing a pod could fit by; each scheduling property is its own event", () => {
  const base = ready(node("n1"), "True", "2026-12-07T10:00:00Z");
  assert.deepEqual(nodeSchedulingPropertiesChange(ready(node("n1"), "True", "2026-12-07T10:00:10Z"), base), []);
  assert.deepEqual(nodeSchedulingPropertiesChange(ready(node("n1"), "False", "2026-12-07T10:00:10Z"), base), ["NodeConditionChange"]);
  assert.deepEqual(nodeSchedulingPropertiesChange(ready(node("n1", { cpu: "8" }), "True", "x"), base), ["NodeAllocatableChange"]);
  assert.deepEqual(nodeSchedulingPropertiesChange(ready(node("n1", { labels: { zone: "a" } }), "True", "x"), base), ["NodeLabelChange"]);
  const tainted = ready(node("n1", { taints: [{ key: "k", effect: "NoSchedule" }] }), "True", "x");
  assert.deepEqual(nodeSchedulingPropertiesChange(tainted, base), ["NodeTaintChange"]);
  const annotated: Node = { ...base, metadata: { ...base.metadata, annotations: { a: "1" } } };
  assert.deepEqual(nodeSchedulingPropertiesChange(annotated, base), ["NodeAnnotationChange"]);
});

test("only becoming schedulable is an event; cordoning cannot help a pending pod", () => {
  const cordoned = node("n1", { unschedulable: true });
  const open = node("n1");
  assert.deepEqual(nodeSchedulingPropertiesChange(open, cordoned), ["NodeSpecUnschedulableChange"]);
  assert.deepEqual(nodeSchedulingPropertiesChange(cordoned, open), []);
});

test("labels and allocatable compare as maps, whatever the key order", () => {
  const a = node("n1", { labels: { x: "1", y: "2" } });
  const b: Node = { ...a, metadata: { ...a.metadata, labels: { y: "2", "kubernetes.io/hostname": "n1", x: "1" } } };
  assert.deepEqual(nodeSchedulingPropertiesChange(b, a), []);
});
