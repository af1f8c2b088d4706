/** The daemon's V8 settings: its own by default, replaced (or emptied, for V8's defaults) by NODELET_DAEMON_V8_FLAGS. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CONTROL_PLANE_V8_FLAGS, DAEMON_V8_FLAGS, daemonV8Flags } from "../../../src/cmd/daemon-heap.js";

test("NODELET_DAEMON_V8_FLAGS replaces the daemon's V8 settings; unset keeps them; empty is V8's defaults", () => {
  assert.deepEqual(daemonV8Flags({}), DAEMON_V8_FLAGS);
  assert.ok(DAEMON_V8_FLAGS.includes("--optimize-for-size"));
  assert.deepEqual(daemonV8Flags({ NODELET_DAEMON_V8_FLAGS: " --semi-space-growth-factor=1  " }), ["--semi-space-growth-factor=1"]);
  assert.deepEqual(daemonV8Flags({ NODELET_DAEMON_V8_FLAGS: "" }), []);
});

test("the control plane's own V8 settings let its young generation grow; NODELET_DAEMON_V8_FLAGS replaces them too", () => {
  assert.deepEqual(daemonV8Flags({}, CONTROL_PLANE_V8_FLAGS), CONTROL_PLANE_V8_FLAGS);
  assert.ok(!CONTROL_PLANE_V8_FLAGS.some((f) => f.startsWith("--semi-space-growth-factor")));
  assert.deepEqual(daemonV8Flags({ NODELET_DAEMON_V8_FLAGS: "--max-semi-space-size=8" }, CONTROL_PLANE_V8_FLAGS), ["--max-semi-space-size=8"]);
});
