/** When the web view re-reads the service rules' counters (an exec each), and what counts as a veth moving. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { linkMovement } from "../../../src/ui/link-movement.js";
import { RuleCounterReads } from "../../../src/ui/rule-reads.js";

test("rule counters are re-read only after minMs and when pods were sent packets since the last read, or after maxMs", async () => {
  let t = 0;
  let reads = 0;
  const r = new RuleCounterReads(() => Promise.resolve(++reads), () => t, 5000, 60_000);
  assert.equal(await r.get(false), 1, "the first read");
  t = 2000;
  assert.equal(await r.get(true), 1, "packets went to a pod, but within minMs");
  t = 4000;
  assert.equal(await r.get(false), 1);
  t = 7000;
  assert.equal(await r.get(false), 2, "packets went to a pod since the last read (remembered across calls)");
  t = 30_000;
  assert.equal(await r.get(false), 2, "nothing moved: no exec");
  t = 67_000;
  assert.equal(await r.get(false), 3, "maxMs passed");
});

const l = (rx: number, tx: number) => ({ rxPackets: rx, rxBytes: 60 * rx, txPackets: tx, txBytes: 60 * tx });
const links = (...c: [number, number][]) => new Map(c.map(([rx, tx], i) => [`v${i}`, l(rx, tx)]));

test("a veth moves when its pod sent a packet or was sent more than the bridge flooded to every quiet port", () => {
  const before = links([1, 10], [2, 20], [3, 30], [4, 40]);
  assert.deepEqual(linkMovement(before, links([1, 10], [2, 20], [3, 30], [4, 40])), { moved: new Set(), unicast: 0 }, "nothing");
  assert.deepEqual(linkMovement(before, links([1, 12], [2, 22], [3, 32], [4, 42])), { moved: new Set(), unicast: 0 }, "two broadcasts to every pod");
  assert.deepEqual(linkMovement(before, links([2, 10], [2, 21], [3, 31], [4, 41])), { moved: new Set(["v0"]), unicast: 0 }, "v0's pod broadcast an ARP request (it does not get its own)");
  assert.deepEqual(linkMovement(before, links([1, 11], [3, 25], [3, 31], [4, 41])), { moved: new Set(["v1"]), unicast: 4 }, "v1 served a connection");
  assert.deepEqual(linkMovement(before, links([1, 11], [2, 24], [3, 31], [4, 41])), { moved: new Set(["v1"]), unicast: 3 }, "UDP to v1, which does not answer");
  const gone = new Map([...before].filter(([n]) => n !== "v3"));
  assert.deepEqual(linkMovement(gone, links([1, 10], [2, 20], [3, 30], [0, 0])), { moved: new Set(["v3"]), unicast: 0 }, "a new veth");
  assert.deepEqual(linkMovement(before, links([1, 10], [2, 20], [3, 30], [0, 1])), { moved: new Set(["v3"]), unicast: 0 }, "counting from zero again: a new veth under the old name");
});

test("with fewer than three quiet veths nothing passes for flooding", () => {
  assert.deepEqual(linkMovement(links([1, 10], [2, 20]), links([1, 11], [2, 21])), { moved: new Set(["v0", "v1"]), unicast: 2 });
  assert.deepEqual(linkMovement(links([1, 10], [2, 20], [3, 30]), links([2, 11], [2, 21], [3, 31])), { moved: new Set(["v0", "v1", "v2"]), unicast: 3 }, "v0's pod sent: two quiet ones");
});
