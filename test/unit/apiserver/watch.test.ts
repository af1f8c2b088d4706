import assert from "node:assert/strict";
import { request } from "node:http";
import { after, afterEach, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { ConfigMap, KubeObject, WatchEvent } from "../../../src/api/types.js";
import { resourcePath, TABLE_ACCEPT, type Table, type WatchHandle } from "../../../src/client/index.js";
import { waitFor } from "../../helpers/wait.js";
import { startTestServer, type TestServer } from "./harness.js";

const CMS = resourceForKind("ConfigMap")!;
const path = resourcePath(CMS, "default");

function cm(name: string, labels: Record<string, string> = {}): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels } };
}


/** Every watch a test opens, so afterEach can end them and wait until the server has let go of them all. */
const open: WatchHandle[] = [];

/** Collects events until `count` have arrived (or the timeout), then stops the watch. */
function collect(t: TestServer, query: Record<string, string>, opts: { accept?: string } = {}) {
  const events: WatchEvent[] = [];
  const waitForEvents = async (count: number, ms = 2000) => {
    const end = Date.now() + ms;
    while (events.length < count && Date.now() < end) await sleep(10);
    return events;
  };
  const handle: WatchHandle = t.client.watch(path, query, (ev) => events.push(ev), opts);
  open.push(handle);
  return { events, waitFor: waitForEvents, handle };
}

/**
 * Opens a watch and returns once the server holds it. Every earlier watch has been released by then (afterEach), so a
 * release cannot cancel out the registration in the count.
 */
async function collectRegistered(t: TestServer, query: Record<string, string>) {
  const watchers = t.store.watcherCount;
  const w = collect(t, query);
  await waitFor("the server to register the watch", () => t.store.watcherCount > watchers);
  return w;
}

const names = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata?.name ?? ""}`);

describe("API server: watch", () => {
  let t: TestServer;
  /** The store's watchers of the server itself, before any test opens one. */
  let ownWatchers = 0;
  before(async () => {
    t = await startTestServer({ bookmarkIntervalMs: 50, storeOptions: { historySize: 5 } });
    ownWatchers = t.store.watcherCount;
  });
  after(() => t.close());
  afterEach(async () => {
    for (const h of open.splice(0)) {
      h.stop();
      await h.done.catch(() => undefined);
    }
    await waitFor("the server to release every watch", () => t.store.watcherCount === ownWatchers);
  });

  it("resourceVersion \"\" sends only changes from now", async () => {
    t.store.create(cm("before"));
    // The watch counts from when the server registers it, not from when the client sent it.
    const w = await collectRegistered(t, {});
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
    const w = await collectRegistered(t, { labelSelector: "team=a" });
    const c = t.store.create(cm("sel", { team: "b" }));
    const moved = t.store.update({ ...c, metadata: { ...c.metadata, labels: { team: "a" } } });
    t.store.update({ ...moved, metadata: { ...moved.metadata, labels: { team: "c" } } });
    assert.deepEqual(names(await w.waitFor(2)), ["ADDED sel", "DELETED sel"]);
    w.handle.stop();
  });

  it("a watch on one object's name (what `get X -w` and `delete` do)", async () => {
    const w = await collectRegistered(t, { fieldSelector: "metadata.name=only", resourceVersion: "0" });
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
    const baseline = t.store.watcherCount;
    const req = request({ socketPath: t.socketPath, path: `${path}?watch=true`, headers: { Accept: "application/json" } });
    req.end();
    await new Promise((r) => req.on("response", r));
    await waitFor("the server to hold the watch", () => t.store.watcherCount === baseline + 1);
    req.destroy();
    await waitFor("the server to release the watch", () => t.store.watcherCount === baseline);
  });
});
