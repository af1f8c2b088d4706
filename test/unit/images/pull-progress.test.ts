/** The pull progress view: bars redrawn in place on a terminal, one plain line per state change otherwise. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { humanBytes, layerLine, PullProgressView } from "../../../src/cli/pull-progress.js";

const L = `sha256:${"ab".repeat(32)}`;

test("a layer's line: waiting, downloading with bar, bytes, total and speed, done, already present", () => {
  assert.equal(layerLine({ layer: L, state: "waiting", bytes: 0, total: 10 }, 0), "abababababab: Waiting");
  assert.equal(layerLine({ layer: L, state: "downloading", bytes: 2_000_000, total: 4_000_000 }, 1000), `abababababab: Downloading [${"=".repeat(14)}>${" ".repeat(15)}] 2.0MB/4.0MB 2.0MB/s`);
  assert.equal(layerLine({ layer: L, state: "done", bytes: 4_000_000, total: 4_000_000 }, 0), "abababababab: Pull complete (4.0MB)");
  assert.equal(layerLine({ layer: L, state: "exists", bytes: 0, total: 1 }, 0), "abababababab: Already exists");
  assert.equal(humanBytes(999), "999B");
});

test("not a terminal: a line per state change, none per chunk; a terminal: redrawn in place", () => {
  let out = "";
  const plain = new PullProgressView({ write: (s: string) => (out += s) }, false);
  for (const bytes of [0, 10, 20]) plain.update({ layer: L, state: "downloading", bytes, total: 20 });
  plain.update({ layer: L, state: "done", bytes: 20, total: 20 });
  assert.equal(out, "abababababab: Downloading\nabababababab: Pull complete (20B)\n");
  out = "";
  const tty = new PullProgressView({ write: (s: string) => (out += s) }, true, () => 0);
  tty.update({ layer: L, state: "waiting", bytes: 0, total: 20 });
  tty.update({ layer: L, state: "done", bytes: 20, total: 20 });
  assert.ok(out.includes("\x1b[1A\x1b[2Kabababababab: Pull complete"), JSON.stringify(out));
});
