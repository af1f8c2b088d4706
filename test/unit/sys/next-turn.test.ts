import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { nextTurnPass } from "../../../src/sys/next-turn.js";

describe("nextTurnPass", () => {
  it("runs one pass on the next turn for every trigger before it, none synchronously", async () => {
    let passes = 0;
    const trigger = nextTurnPass(() => passes++);
    for (let i = 0; i < 100; i++) trigger();
    assert.equal(passes, 0, "the pass never runs inside the trigger (a watch handler must not write)");
    await nextTurn();
    assert.equal(passes, 1);
    await nextTurn();
    assert.equal(passes, 1, "no trigger since: no pass");
  });

  it("a trigger from inside the pass schedules the next pass, so a change the pass causes is seen", async () => {
    const seen: number[] = [];
    let round = 0;
    const trigger = nextTurnPass(() => {
      seen.push(++round);
      if (round < 3) trigger();
    });
    trigger();
    await nextTurn();
    assert.deepEqual(seen, [1]);
    await nextTurn();
    await nextTurn();
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it("each trigger function coalesces on its own", async () => {
    const ran: string[] = [];
    const a = nextTurnPass(() => ran.push("a"));
    const b = nextTurnPass(() => ran.push("b"));
    a();
    b();
    a();
    await nextTurn();
    assert.deepEqual(ran.sort(), ["a", "b"]);
  });
});
