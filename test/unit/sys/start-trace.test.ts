/**
 * Pod start traces (sys/start-trace.ts) over a fake monotonic clock: what a trace keeps and when it stops, the
 * Runner's host steps joining it, the bound on traces and spans; the shim's "ok" line and its timing marks
 * (runtime/shim-client.ts, runtime/start-spans.ts); the table `nodelet explain pod NAME --timing` prints.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StartTraces, startTiming, teeRecorder } from "../../../src/sys/start-trace.js";
import type { Recorder, Step } from "../../../src/sys/runner.js";
import { parseOkLine } from "../../../src/runtime/shim-client.js";
import { addShimSpans } from "../../../src/runtime/start-spans.js";
import { collapseHostRuns, renderStartTiming } from "../../../src/cli/start-timing.js";

function fakeClock(start = 1000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const step = (s: Partial<Step>): Step => ({ kind: "exec", argv: [], at: new Date(0).toISOString(), ms: 0, ...s });

describe("StartTraces", () => {
  test("a pod's spans, in start order, from the first span; closed once the pod runs", async () => {
    const clock = fakeClock();
    const traces = new StartTraces(10, clock.now);
    traces.open("u1");
    traces.add("u1", "seen", clock.now(), clock.now());
    traces.add("u1", "API", 990, 1001);
    clock.advance(2);
    await traces.time("u1", "sandbox", async () => clock.advance(5));
    await assert.rejects(traces.time("u1", "container c", async () => {
      clock.advance(3);
      throw new Error("start failed");
    }));
    traces.complete("u1");
    traces.add("u1", "after the start", clock.now(), clock.now() + 1);
    await traces.time("u1", "a restart", async () => clock.advance(1));
    const t = traces.timing("u1")!;
    assert.equal(t.complete, true);
    assert.deepEqual(t.steps.map((s) => [s.name, s.startMs, s.durationMs]), [
      ["API", 0, 11],
      ["seen", 10, 0],
      ["sandbox", 12, 5],
      ["container c", 17, 3],
    ]);
    assert.equal(t.totalMs, 20);
  });

  test("only opened pods are traced, each once; the oldest goes beyond the capacity", () => {
    const clock = fakeClock();
    const traces = new StartTraces(2, clock.now);
    traces.add("never-opened", "x", 0, 1);
    assert.equal(traces.timing("never-opened"), undefined);
    traces.open("a");
    traces.add("a", "first", 0, 1);
    traces.open("a"); // seen again: keeps what it has
    assert.equal(traces.get("a")!.spans.length, 1);
    traces.open("b");
    traces.open("c");
    assert.equal(traces.get("a"), undefined, "a was the oldest of three with room for two");
    assert.ok(traces.get("b") && traces.get("c"));
    traces.forget("b");
    assert.equal(traces.get("b"), undefined);
    const off = new StartTraces(0, clock.now);
    off.open("a");
    assert.equal(off.isOpen("a"), false, "--start-traces 0 traces nothing");
  });

  test("a trace holds at most 400 spans (a start that loops cannot grow it)", () => {
    const traces = new StartTraces(1, () => 0);
    traces.open("u");
    for (let i = 0; i < 1000; i++) traces.add("u", `s${i}`, i, i + 1);
    assert.equal(traces.get("u")!.spans.length, 400);
  });

  test("the Runner's host steps of a traced pod join its trace, ending when noted", () => {
    const clock = fakeClock(500);
    const traces = new StartTraces(5, clock.now);
    const seen: string[] = [];
    const files: Recorder = { record: (owner, s) => seen.push(`${owner}:${s.kind}`) };
    const recorder = teeRecorder(files, traces);
    traces.open("u");
    recorder.record("u", step({ argv: ["/usr/lib/nodelet/nodelet-shim", "sandbox", "--hostname", "p"], ms: 7 }));
    recorder.record("u", step({ kind: "write", path: "/sys/fs/cgroup/cpu/x/cpu.shares", ms: 1 }));
    recorder.record("u", step({ kind: "comment", input: "why" }));
    recorder.record("u", step({ argv: ["ip", "-n", "x", "link"], ms: 2 }));
    recorder.record("other", step({ argv: ["true"] }));
    assert.deepEqual(seen, ["u:exec", "u:write", "u:comment", "u:exec", "other:exec"], "the explain file hears every step");
    const spans = traces.get("u")!.spans.map((s) => [s.name, s.level, s.start, s.end]);
    assert.deepEqual(spans, [
      ["nodelet-shim sandbox", "host", 493, 500],
      ["write /sys/fs/cgroup/cpu/x/cpu.shares", "host", 499, 500],
      ["ip", "host", 498, 500],
    ]);
    assert.equal(traces.get("other"), undefined);
  });

  test("startTiming orders spans that start together longest first (a phase before its first step)", () => {
    const t = startTiming({ uid: "u", complete: false, spans: [
      { name: "step", level: "step", start: 10, end: 12 },
      { name: "phase", level: "phase", start: 10, end: 20 },
    ] });
    assert.deepEqual(t.steps.map((s) => s.name), ["phase", "step"]);
  });
});

describe("the shim's timing marks", () => {
  test("the ok line: pids, then NAME=NS marks in CLOCK_MONOTONIC ms", () => {
    const r = parseOkLine("ok 41 42 monitor=1000000000 init=1002500000 running=1004000123");
    assert.deepEqual(r.numbers, [41, 42]);
    assert.deepEqual([...r.marks], [["monitor", 1000], ["init", 1002.5], ["running", 1004]]);
    assert.deepEqual(parseOkLine("ok 7").numbers, [7]);
    assert.equal(parseOkLine("ok 7").marks.size, 0);
  });

  test("marks become the steps between them; missing or out-of-order marks are left out", () => {
    const traces = new StartTraces(1, () => 0);
    traces.open("u");
    const marks = new Map([["monitor", 102], ["monitor-ready", 103], ["joined", 101], ["init", 105], ["pivoted", 109], ["running", 110]]);
    addShimSpans(traces, "u", marks, 100, 111);
    assert.deepEqual(traces.get("u")!.spans.map((s) => [s.name, s.start, s.end]), [
      ["shim: fork and exec the monitor", 100, 102],
      ["shim: monitor set-up (signals, stdio, log pipes)", 102, 103],
      ["shim: fork the container's init", 103, 105],
      ["shim: pivot_root", 105, 109],
      ["shim: execve", 109, 110],
      ["shim: answer read by the daemon", 110, 111],
    ]);
  });
});

describe("explain --timing's table", () => {
  const timing = {
    uid: "u",
    complete: true,
    totalMs: 12.5,
    steps: [
      { name: "sandbox", level: "phase" as const, startMs: 0, durationMs: 10 },
      { name: "pod cgroup", level: "step" as const, startMs: 1, durationMs: 2 },
      { name: "mkdir /sys/fs/cgroup/cpu/p/podu", level: "host" as const, startMs: 1, durationMs: 0 },
      { name: "write /sys/fs/cgroup/cpu/p/podu/cpu.shares", level: "host" as const, startMs: 1.5, durationMs: 0.1 },
      { name: "write /sys/fs/cgroup/pids/p/podu/pids.max", level: "host" as const, startMs: 2, durationMs: 0.5 },
      { name: "nodelet-shim sandbox", level: "host" as const, startMs: 3, durationMs: 6 },
      { name: "kubelet: status write (Running)", level: "phase" as const, startMs: 11, durationMs: 1.5 },
    ],
  };

  test("host file operations by name, a run of one operation on one row", () => {
    assert.deepEqual(collapseHostRuns(timing.steps).map((s) => [s.name, s.startMs, s.durationMs]), [
      ["sandbox", 0, 10],
      ["pod cgroup", 1, 2],
      ["mkdir podu", 1, 0],
      ["write ×2 (cpu.shares, pids.max)", 1.5, 1],
      ["nodelet-shim sandbox", 3, 6],
      ["kubelet: status write (Running)", 11, 1.5],
    ]);
  });

  test("phases at the margin, steps and host operations indented, the total last", () => {
    const text = renderStartTiming(timing, "pod default/p");
    const lines = text.split("\n");
    assert.equal(lines[0], "# pod default/p");
    assert.match(lines[1], /^STEP\s+START \(ms\)\s+TOOK \(ms\)$/);
    assert.match(lines[2], /^sandbox\s+0\.00\s+10\.00$/);
    assert.match(lines[3], /^ {2}pod cgroup\s+1\.00\s+2\.00$/);
    assert.match(lines[5], /^ {4}write ×2 \(cpu\.shares, pids\.max\)\s+1\.50\s+1\.00$/);
    assert.equal(lines.at(-2), "# 12.50 ms from the API request to the status that says Running");
    assert.match(renderStartTiming({ ...timing, complete: false }, "t"), /# 12\.50 ms so far: the pod has not reported Running yet\n$/);
  });
});
