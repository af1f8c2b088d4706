/**
 * Exit records fail closed: only a missing record means "not exited". One that cannot be read (here a directory
 * in its place: EISDIR, as root reads anything) or does not parse holds its container — neither exited nor lost —
 * and says why once; a corrupt one is moved aside and the marker keeps holding it, after a restart too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerExits } from "../../../src/runtime/container-exits.js";
import { ExitWatcher } from "../../../src/runtime/exit-watcher.js";
import { Layout } from "../../../src/runtime/layout.js";
import type { ContainerRecord, ExitRecord, RuntimeEvent } from "../../../src/runtime/pod-runtime.js";
import { RuntimeRecords } from "../../../src/runtime/records.js";
import type { LinuxRuntimeOptions } from "../../../src/runtime/runtime-context.js";
import { FakeClock } from "../../../src/sys/clock.js";
import { HostRunner } from "../../../src/sys/runner.js";

const NOW = new Date("2026-01-02T03:04:05.678Z");
const EXIT: ExitRecord = { exitCode: 3, signal: 0, oomKilled: false, reason: "Error", finishedAt: NOW.toISOString() };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nodelet-exitrec-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function watcher(dir: string) {
  const exits: string[] = [];
  const held: [string, string][] = [];
  const w = new ExitWatcher(dir, (id) => exits.push(id), (id, reason) => held.push([id, reason]), () => NOW);
  return { w, exits, held };
}

test("ExitWatcher: a missing record is none; an unreadable one holds (reported once) until it can be read", () =>
  withDir(async (dir) => {
    const { w, exits, held } = watcher(dir);
    assert.equal(await w.check("a"), "none");
    assert.equal(await w.read("a"), undefined);
    mkdirSync(join(dir, "a.json"));
    await assert.rejects(w.read("a"), /cannot read .*a\.json for container a's exit record: .*EISDIR/);
    assert.equal(await w.check("a"), "held");
    assert.equal(await w.check("a"), "held");
    assert.equal(held.length, 1, "reported once");
    assert.match(held[0][1], /EISDIR/);
    assert.deepEqual(exits, []);
    rmSync(join(dir, "a.json"), { recursive: true });
    writeFileSync(join(dir, "a.json"), JSON.stringify(EXIT));
    assert.equal(await w.check("a"), "exited");
    assert.deepEqual(exits, ["a"]);
    assert.equal(w.heldReason("a"), undefined);
  }));

test("ExitWatcher: a corrupt record is moved aside and its marker holds the container, also for a new watcher", () =>
  withDir(async (dir) => {
    const { w, exits, held } = watcher(dir);
    writeFileSync(join(dir, "b.json"), '{"exitCode": ');
    assert.equal(await w.check("b"), "held");
    const aside = readdirSync(dir).filter((f) => f.startsWith("b.json.corrupt-"));
    assert.equal(aside.length, 1, "moved aside");
    assert.match(held[0][1], /corrupt state file .*b\.json.*moved aside to/);
    assert.equal(await w.check("b"), "held", "the marker still holds it though the record is gone");
    assert.deepEqual(exits, []);

    const again = watcher(dir);
    await again.w.scan();
    assert.equal(await again.w.check("b"), "held");
    assert.match(again.held[0][1], /moved aside to .*b\.json\.corrupt-/);
    await again.w.forget("b");
    assert.equal(await again.w.check("b"), "none");
  }));

test("ContainerExits: a container whose process is gone is not ended while its exit record is unreadable", () =>
  withDir(async (root) => {
    const layout = new Layout(root, join(root, "log"), "/nonexistent/shim");
    const records = new RuntimeRecords(layout);
    const events: RuntimeEvent[] = [];
    const reports: string[] = [];
    const o = { layout, runner: new HostRunner(), report: (m: string) => reports.push(m) } as unknown as LinuxRuntimeOptions;
    const exits = new ContainerExits({ o, records, clock: new FakeClock(NOW.getTime()), emit: (ev) => events.push(ev) });
    const c = (id: string): ContainerRecord => ({
      id, podUid: "u1", name: `ctr-${id}`, attempt: 0, init: false, image: "busybox", imageId: "sha256:x", specHash: "h",
      createdAt: NOW.toISOString(), state: "running", pid: 999_999_999, logPath: "/dev/null", cgroupPath: "x",
      process: { uid: 0, gid: 0, groups: [], caps: [], noNewPrivs: true, privileged: false, env: [], cwd: "/" },
    });
    mkdirSync(layout.exitsDir, { recursive: true });
    for (const id of ["held1", "corrupt1", "none1"]) records.containers.set(id, c(id));
    mkdirSync(join(layout.exitsDir, "held1.json"));
    writeFileSync(join(layout.exitsDir, "corrupt1.json"), "{");

    await exits.resync();

    assert.equal(records.containers.get("held1")!.state, "running", "unreadable record: held, not ended");
    assert.equal(records.containers.get("corrupt1")!.state, "running", "corrupt record: held, not ended");
    // Control: with no record at all the gone process is an exit (255), as before.
    assert.equal(records.containers.get("none1")!.state, "exited");
    assert.equal(records.containers.get("none1")!.exitCode, 255);
    const unreadable = events.filter((e) => e.type === "ExitRecordUnreadable").map((e) => "containerId" in e && e.containerId).sort();
    assert.deepEqual(unreadable, ["corrupt1", "held1"]);
    assert.ok(reports.some((m) => m.includes("held1") && m.includes("EISDIR")), reports.join("\n"));
    exits.stop();
  }));
