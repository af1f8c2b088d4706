import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseGoDuration } from "../../../src/api/duration.js";

describe("Go durations (time.ParseDuration)", () => {
  test("units, fractions and sums, in milliseconds", () => {
    assert.equal(parseGoDuration("1m30s"), 90_000);
    assert.equal(parseGoDuration("1.5h"), 5_400_000);
    assert.equal(parseGoDuration("250ms"), 250);
    assert.equal(parseGoDuration(".5s"), 500);
    assert.equal(parseGoDuration("1.s"), 1000);
    assert.equal(parseGoDuration("1500us"), 2);
    assert.equal(parseGoDuration("2000000ns"), 2);
    assert.equal(parseGoDuration("1h0m0s"), 3_600_000);
    assert.equal(parseGoDuration("0"), 0);
  });

  test("anything else is refused, saying what a duration looks like", () => {
    for (const bad of ["", "5", "soon", "1x", "1h ", " 1h", "-1s", "+1s", "1h-1m", ".s", "1..5s"]) {
      assert.throws(() => parseGoDuration(bad), { message: `"${bad}" is not a duration like 1m30s, 90s or 1.5h` }, bad);
    }
  });
});
