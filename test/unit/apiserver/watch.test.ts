import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { ConfigMap, KubeObject, WatchEvent } from "../../../src/api/types.js";
import { resourcePath, TABLE_ACCEPT, type Table, type WatchHandle } from "../../../src/client/index.js";
import { startTestServer, type TestServer } from "./harness.js";

const CMS = resourceForKind("ConfigMap")!;
const path = resourcePath(CMS, "default");

function cm(name: string, labels: Record<string, string> = {}): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels } };
}

/** Collects events until `count` have arrived (or the timeout), then stops the watch. */
function collect(t: TestServer, query: Record<string, string>, opts: { accept?: string } = {}) {
  const events: WatchEvent[] = [];
  const waitFor = async (count: number, ms = 2000) => {
    const end = Date.now() + ms;
    while (events.length < count && Date.now() < end) await sleep(10);
    return events;
  };
  const handle: WatchHandle | undefined = t.client.watch(path, query, (ev) => events.push(ev), opts);
  return { events, waitFor, handle };
}

const names = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`);

describe("API server: watch", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer({ bookmarkIntervalMs: 50, storeOptions: { historySize: 5 } })));
  after(() => t.close());

  it("resourceVersion \"\" sends only changes from now", async () => {
    t.store.create(cm("before"));
    const watchers = t.store.watcherCount;
    const w = collect(t, {});
    // The watch counts from when the server registers it, not from when the client sent it.
    while (t.store.watcherCount === watchers) await sleep(5);
    t.store.create(cm("after"));
    assert.deepEqual(names(await w.waitFor(1)), ["ADDED after"]);
    w.handle.stop();
    await w.handle.done;
  });

  it("resourceVersion 0 sends synthetic ADDED events first", async () => {
    const w = collect(t, { resourceVersion: "0" });
    assert.deepEqual(names(await w.waitFor(2)), ["ADDED after", "ADDED before"]);
    w.handle.stop();
  });

  it("resourceVersion N replays the changes after N", async () => {
    const rv = t.store.currentResourceVersion();
    const c = t.store.create(cm("x1"));
    t.store.update({ ...c, data: { k: "v" } });
    const w = collect(t, { resourceVersion: rv });
    assert.deepEqual(names(await w.waitFor(2)), ["ADDED x1", "MODIFIED x1"]);
    t.store.delete("ConfigMap", "default", "x1");
    assert.deepEqual(names(await w.waitFor(3)), ["ADDED x1", "MODIFIED x1", "DELETED x1"]);
    w.handle.stop();
  });

  it("an expired resourceVersion is a 200 with one ERROR event (410 Expired), then the end", async () => {
    for (let i = 0; i < 6; i++) t.store.create(cm(`fill${i}`));
    const raw = await t.client.raw("GET", path, { query: { watch: "true", resourceVersion: "1" } });
    assert.equal(raw.status, 200);
    const ev = JSON.parse(raw.body.toString()) as WatchEvent;
    assert.equal(ev.type, "ERROR");
    assert.equal((ev.object as unknown as { code: number }).code, 410);
    const h = t.client.watch(path, { resourceVersion: "1" }, () => undefined);
    await assert.rejects(h.done, (e: unknown) => e instanceof ApiError && e.reason === "Expired" && e.code === 410);
  });

  it("filters by label selector, with ADDED/DELETED as objects enter and leave it", async () => {
    const watchers = t.store.watcherCount;
    const w = collect(t, { labelSelector: "team=a" });
    while (t.store.watcherCount === watchers) await sleep(5);
    const c = t.store.create(cm("sel", { team: "b" }));
    const moved = t.store.update({ ...c, metadata: { ...c.metadata, labels: { team: "a" } } });
    t.store.update({ ...moved, metadata: { ...moved.metadata, labels: { team: "c" } } });
    assert.deepEqual(names(await w.waitFor(2)), ["ADDED sel", "DELETED sel"]);
    w.handle.stop();
  });

  it("a watch on one object's name (what `get X -w` and `delete` do)", async () => {
    const watchers = t.store.watcherCount;
    const w = collect(t, { fieldSelector: "metadata.name=only", resourceVersion: "0" });
    while (t.store.watcherCount === watchers) await sleep(5);
    t.store.create(cm("other"));
    t.store.create(cm("only"));
    assert.deepEqual(names(await w.waitFor(1)), ["ADDED only"]);
    w.handle.stop();
  });

  it("timeoutSeconds ends the stream", async () => {
    const started = Date.now();
    const h = t.client.watch(path, { timeoutSeconds: 1 }, () => undefined);
    await h.done;
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 3000, `took ${took}ms`);
  });

  it("sends BOOKMARKs only when allowed", async () => {
    const w = collect(t, { allowWatchBookmarks: "true" });
    const evs = await w.waitFor(2);
    assert.equal(evs[0].type, "BOOKMARK");
    assert.equal(evs[0].object.kind, "ConfigMap");
    assert.equal(evs[0].object.metadata.resourceVersion, t.store.currentResourceVersion());
    w.handle.stop();
    const quiet = collect(t, {});
    await sleep(150);
    assert.equal(quiet.events.length, 0);
    quiet.handle.stop();
  });

  it("sendInitialEvents ends the initial ADDED events with the initial-events-end bookmark", async () => {
    const w = collect(t, { sendInitialEvents: "true", resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: "true" });
    const count = t.store.list("ConfigMap", { namespace: "default" }).items.length;
    const evs = await w.waitFor(count + 1);
    assert.ok(evs.slice(0, count).every((e) => e.type === "ADDED"));
    assert.equal(evs[count].type, "BOOKMARK");
    assert.equal(evs[count].object.metadata.annotations?.["k8s.io/initial-events-end"], "true");
    w.handle.stop();
  });

  it("with a Table Accept, events carry one-row Tables and only the first has columns", async () => {
    const w = collect(t, { resourceVersion: "0", fieldSelector: "metadata.name=after" }, { accept: TABLE_ACCEPT });
    await w.waitFor(1);
    const c = t.store.get<ConfigMap>("ConfigMap", "default", "after")!;
    t.store.update({ ...c, data: { changed: "1" } });
    const evs = await w.waitFor(2);
    const first = evs[0].object as unknown as Table;
    const second = evs[1].object as unknown as Table;
    assert.equal(first.kind, "Table");
    assert.equal(first.rows.length, 1);
    assert.ok(first.columnDefinitions?.length);
    assert.equal(second.columnDefinitions, undefined);
    assert.equal(second.rows[0].cells[1], 1, "the Data column counts the new key");
    assert.equal((second.rows[0].object as KubeObject).kind, "PartialObjectMetadata");
    w.handle.stop();
  });

  it("a bad selector is a 400 before any stream starts", async () => {
    const h = t.client.watch(path, { labelSelector: "a in (" }, () => undefined);
    await assert.rejects(h.done, (e: unknown) => e instanceof ApiError && e.code === 400);
  });

  it("a client that goes away releases its store watcher", async () => {
    await sleep(50);
    const baseline = t.store.watcherCount;
    const req = request({ socketPath: t.socketPath, path: `${path}?watch=true`, headers: { Accept: "application/json" } });
    req.end();
    await new Promise((r) => req.on("response", r));
    await sleep(30);
    assert.equal(t.store.watcherCount, baseline + 1);
    req.destroy();
    const end = Date.now() + 5000;
    while (t.store.watcherCount !== baseline && Date.now() < end) await sleep(5);
    assert.equal(t.store.watcherCount, baseline);
  });
});
