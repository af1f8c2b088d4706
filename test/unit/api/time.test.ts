import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTime, rfc3339 } from "../../../src/api/time.js";

test("rfc3339: metav1.Time at second precision, fractions dropped; from ms or a Date", () => {
  const ms = Date.parse("2026-11-27T04:19:27.999Z");
  assert.equal(rfc3339(ms), "2026-11-27T04:19:27Z");
  assert.equal(rfc3339(new Date(ms)), "2026-11-27T04:19:27Z");
  assert.equal(rfc3339(0), "1970-01-01T00:00:00Z");
});

test("parseTime: ms since the epoch, undefined for absent or unparseable values", () => {
  assert.equal(parseTime("2026-11-27T04:19:27Z"), Date.parse("2026-11-27T04:19:27Z"));
  assert.equal(parseTime(rfc3339(1_700_000_000_000)), 1_700_000_000_000);
  assert.equal(parseTime(undefined), undefined);
  assert.equal(parseTime(""), undefined);
  assert.equal(parseTime("yesterday"), undefined);
});
