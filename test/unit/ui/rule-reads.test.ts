/** When the web view re-reads the service rules' counters (an exec each): fake clock, counted reads. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { linksFingerprint, RuleCounterReads } from "../../../src/ui/rule-reads.js";

test("rule counters are re-read only after minMs and when a veth moved, or after maxMs whatever the veths", async () => {
  let t = 0;
  let reads = 0;
  const r = new RuleCounterReads(() => Promise.resolve(++reads), () => t, 5000, 60_000);
  assert.equal(await r.get("a"), 1, "the first read");
  t = 2000;
  assert.equal(await r.get("b"), 1, "a veth moved, but within minMs");
  t = 7000;
  assert.equal(await r.get("b"), 2, "a veth moved since the last read");
  t = 30_000;
  assert.equal(await r.get("b"), 2, "nothing moved: no exec");
  t = 67_000;
  assert.equal(await r.get("b"), 3, "maxMs passed");
});

test("the veths' fingerprint changes with any packet a pod sent, or an interface, not with what reached the pods", () => {
  const l = (rx: number, tx: number) => ({ rxPackets: rx, txPackets: tx });
  const a = linksFingerprint(new Map([["v1", l(1, 2)], ["v2", l(3, 4)]]));
  assert.equal(linksFingerprint(new Map([["v1", l(1, 2)], ["v2", l(3, 4)]])), a);
  assert.equal(linksFingerprint(new Map([["v1", l(1, 3)], ["v2", l(3, 5)]])), a, "a broadcast to every pod");
  assert.notEqual(linksFingerprint(new Map([["v1", l(1, 2)], ["v2", l(4, 4)]])), a);
  assert.notEqual(linksFingerprint(new Map([["v1", l(1, 2)]])), a);
});
