/** The atomic writer's decisions (what a write does to a volume directory), without touching a disk. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planWrite, timestampDirName, validatePayload, type CurrentState, type Payload } from "../../../src/storage/atomic-writer.js";

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });
const payload = (o: Record<string, string>): Payload => new Map(Object.entries(o).map(([k, v]) => [k, file(v)]));
const empty: CurrentState = { files: new Map(), visible: [], stale: [] };

test("the timestamped directory is named as the kubelet names it", () => {
  assert.equal(timestampDirName(new Date("2026-12-06T22:00:00.5Z"), 123456789), "..2026_12_06_22_00_00.123456789");
  assert.equal(timestampDirName(new Date("2026-01-02T03:04:05Z"), 7), "..2026_01_02_03_04_05.7");
});

test("first write: every file in the new directory, one link per top-level name", () => {
  const plan = planWrite(empty, payload({ a: "1", "dir/b": "2", "dir/c": "3" }), "..new");
  assert.equal(plan.write, true);
  assert.deepEqual(plan.link, ["a", "dir"]);
  assert.deepEqual(plan.unlink, []);
  assert.deepEqual(plan.removeDirs, []);
});

test("the same payload again writes nothing", () => {
  const cur: CurrentState = { dataDir: "..old", files: payload({ a: "1", "dir/b": "2" }), visible: ["a", "dir"], stale: [] };
  const plan = planWrite(cur, payload({ a: "1", "dir/b": "2" }), "..new");
  assert.equal(plan.write, false);
  assert.deepEqual(plan.link, []);
  assert.deepEqual(plan.removeDirs, []);
});

test("changed content or mode: a new directory, the old one removed after the swap", () => {
  const cur: CurrentState = { dataDir: "..old", files: payload({ a: "1" }), visible: ["a"], stale: ["..2026_01_01_00_00_00.1"] };
  assert.deepEqual(planWrite(cur, payload({ a: "2" }), "..new").removeDirs, ["..2026_01_01_00_00_00.1", "..old"]);
  const modeOnly = planWrite(cur, new Map([["a", file("1", 0o600)]]), "..new");
  assert.equal(modeOnly.write, true);
});

test("a key that went away loses its user-visible link; a new one gets one", () => {
  const cur: CurrentState = { dataDir: "..old", files: payload({ a: "1", b: "2" }), visible: ["a", "b"], stale: [] };
  const plan = planWrite(cur, payload({ a: "1", c: "3" }), "..new");
  assert.deepEqual(plan.unlink, ["b"]);
  assert.deepEqual(plan.link, ["c"]);
});

test("paths that could leave the directory are refused; others are cleaned", () => {
  for (const bad of ["/etc/passwd", "../x", "a/../../x", "..data", "..x", ""]) {
    assert.throws(() => validatePayload(payload({ [bad]: "x" })), /invalid path/, bad);
  }
  assert.throws(() => validatePayload(new Map([["a", file("x", 0o1777)]])), /invalid mode/);
  assert.deepEqual([...validatePayload(payload({ "a//b": "x", "./c": "y" })).keys()], ["a/b", "c"]);
});
