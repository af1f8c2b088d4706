/**
 * Deleted objects give their space back: the store file (and its WAL) shrink after event expiry compacts it, a file
 * made before auto_vacuum is converted when opened, and the expiry sweep removes every expired event across its pages.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { Event } from "../../../src/api/types.js";
import { collectEvents } from "../../../src/store/event-expiry.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "nodelet-compaction-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse("2026-12-01T10:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function event(i: number, last: number): Event {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `pod-${i}.${i.toString(16)}`, namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: `pod-${i}`, uid: `uid-${i}` },
    reason: "Started",
    message: `Started container c ${"x".repeat(400)}`,
    type: "Normal",
    count: 1,
    firstTimestamp: at(last),
    lastTimestamp: at(last),
  };
}

function fileSize(path: string): number {
  return [path, `${path}-wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);
}

describe("store compaction", () => {
  it("expiring events shrinks the file: free pages handed back, WAL truncated", async () => {
    const path = join(dir, "shrink.db");
    let clock = T0;
    const s = openStore(path, { historySize: 500, historyBytes: 256 * 1024, now: () => new Date(clock) });
    for (let i = 0; i < 4000; i++) {
      if (i === 3800) clock = T0 + 3_600_000;
      s.create(event(i, clock));
    }
    s.compact();
    const full = fileSize(path);
    const removed = await collectEvents(s, T0 + 3_600_000 + 60_000, 3_600_000);
    assert.equal(removed, 3800, "every expired event, across pages");
    assert.equal(s.list("Event").items.length, 200);
    const after = fileSize(path);
    assert.ok(full > 1_500_000, `the file held the events (${full} bytes)`);
    assert.ok(after < full * 0.2, `the file shrank: ${full} -> ${after} bytes`);
    for (let i = 0; i < 1000; i++) s.create(event(10_000 + i, T0 + 3_600_000));
    assert.equal(s.list("Event").items.length, 1200);
    s.close();
  });

  it("a file made without auto_vacuum is converted when the store opens it, and keeps its objects", () => {
    const path = join(dir, "old.db");
    const old = new Database(path);
    old.exec("CREATE TABLE t (x)");
    old.close();
    const s = openStore(path);
    s.create(event(1, T0));
    s.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma("auto_vacuum", { simple: true }), 2);
    db.close();
    const again = openStore(path);
    assert.equal(again.list("Event").items.length, 1);
    again.close();
  });
});
