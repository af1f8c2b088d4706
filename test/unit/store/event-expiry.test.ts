/**
 * Event expiry as the API server's lease on each write (--event-ttl): over a fake clock, an event goes once it has
 * not been written for the TTL, whatever its own timestamps say; a write (the correlator counting into it) renews it;
 * watchers hear DELETED; other kinds are never touched; and a store file made before written_at existed gets the
 * column, counting its rows as written when it is first opened.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { Event, WatchEvent } from "../../../src/api/types.js";
import { collectEvents } from "../../../src/store/event-expiry.js";
import { openStore } from "../../../src/store/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "nodelet-event-expiry-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse("2026-12-01T10:00:00Z");
const TTL = 3_600_000;
const MIN = 60_000;

function event(name: string, lastTimestamp: string): Event {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: "p", uid: "uid-p" },
    reason: "Started",
    message: "Started container c",
    type: "Normal",
    count: 1,
    firstTimestamp: lastTimestamp,
    lastTimestamp,
  };
}

const names = (s: ReturnType<typeof openStore>) => s.list<Event>("Event").items.map((e) => e.metadata.name).sort();

describe("event expiry by write time", () => {
  it("expires what was last written before now - ttl; a write renews; DELETED is told; other kinds stay", async () => {
    let clock = T0;
    const s = openStore(":memory:", { now: () => new Date(clock) });
    s.create(event("old", "2026-12-01T10:00:00Z"));
    s.create(event("renewed", "2026-12-01T10:00:00Z"));
    s.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" } });
    clock = T0 + 30 * MIN;
    // A timestamp from long ago does not shorten the lease: it runs from the write.
    s.create(event("backdated", "2020-01-01T00:00:00Z"));
    const renewed = s.get<Event>("Event", "default", "renewed")!;
    s.update({ ...renewed, count: 2, lastTimestamp: "2026-12-01T10:30:00Z" });
    const deleted: string[] = [];
    const stop = s.watch("Event", {}, (ev: WatchEvent) => {
      if (ev.type === "DELETED") deleted.push(ev.object.metadata.name!);
    });

    assert.equal(await collectEvents(s, T0 + TTL, TTL), 0, "exactly the TTL old: not yet (last seen longer ago than the TTL)");
    assert.equal(await collectEvents(s, T0 + TTL + MIN, TTL), 1);
    assert.deepEqual(names(s), ["backdated", "renewed"]);
    assert.deepEqual(deleted, ["old"]);
    assert.equal(await collectEvents(s, T0 + 30 * MIN + TTL + MIN, TTL), 2);
    assert.deepEqual(names(s), []);
    assert.deepEqual(deleted.sort(), ["backdated", "old", "renewed"]);
    assert.ok(s.get("ConfigMap", "default", "cm"), "only events expire");
    stop();
    s.close();
  });

  it("a sweep takes every expired event across pages, oldest first, and leaves the rest", async () => {
    let clock = T0;
    const s = openStore(":memory:", { now: () => new Date(clock) });
    for (let i = 0; i < 250; i++) {
      clock = T0 + i * 1000;
      s.create(event(`e-${String(i).padStart(3, "0")}`, "2026-12-01T10:00:00Z"));
    }
    const keys = s.writtenBefore("Event", T0 + 5000, 3);
    assert.deepEqual(keys.map((k) => [k.name, k.writtenAt]), [["e-000", T0], ["e-001", T0 + 1000], ["e-002", T0 + 2000]]);
    assert.deepEqual(s.writtenBefore("Event", T0 + 5000, 3, keys[2]).map((k) => k.name), ["e-003", "e-004"]);
    // now - ttl = T0 + 239.5 s: e-000 .. e-239 go, 240 .. 249 stay.
    assert.equal(await collectEvents(s, T0 + 239_500 + TTL, TTL), 240);
    assert.deepEqual(names(s), [...Array(10).keys()].map((i) => `e-${240 + i}`));
    s.close();
  });

  it("a store made before written_at gets it when opened: its rows count as written then", async () => {
    const path = join(dir, "before.db");
    const old = new Database(path);
    old.exec(`CREATE TABLE objects (kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL,
      resource_version INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID`);
    old.prepare("INSERT INTO objects VALUES ('Event', 'default', 'legacy', 'uid-1', 1, ?)").run(JSON.stringify({ ...event("legacy", "2020-01-01T00:00:00Z"), metadata: { name: "legacy", namespace: "default", uid: "uid-1", resourceVersion: "1" } }));
    old.close();
    const opened = T0 + 10 * MIN;
    const s = openStore(path, { now: () => new Date(opened) });
    assert.equal(await collectEvents(s, opened + TTL - MIN, TTL), 0, "not expired from its old timestamps");
    assert.equal(await collectEvents(s, opened + TTL + MIN, TTL), 1, "one TTL after the first open");
    s.close();
    const again = openStore(path, { now: () => new Date(opened) });
    assert.deepEqual(again.list("Event").items, []);
    again.close();
  });
});
