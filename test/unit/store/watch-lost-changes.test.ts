/**
 * An etcd store whose watch stream falls behind a compaction: its connection to etcd is cut (a TCP relay in between
 * stops) while another API server deletes, changes and creates objects and compacts the history, so when the
 * stream comes back etcd answers that its revision is compacted and those changes are lost to it. Its in-process
 * watchers — an ObjectIndex (list, then watch from the list's revision), a watch from "now", an Informer and a
 * label-selected watch — list again and end with the state etcd holds, then follow later changes; a watch asked
 * with lostChanges "error" (the API's watches, whose clients relist) gets one ERROR 410 and nothing after.
 */
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { after, before, describe, it } from "node:test";
import type { ConfigMap, Status, WatchEvent } from "../../../src/api/types.js";
import { ObjectIndex } from "../../../src/controllers/object-index.js";
import { Informer } from "../../../src/controllers/foundation/informer.js";
import { openEtcdStore, type EtcdStore } from "../../../src/store/etcd-store.js";
import { WatchHub, type StoredEvent } from "../../../src/store/watch-hub.js";
import { realClock } from "../../../src/sys/clock.js";
import { needsCommand, skipUnless } from "../../helpers/root.js";
import { startEtcd, type TestEtcd } from "../../helpers/etcd.js";
import { waitFor } from "../../helpers/wait.js";

const skip = skipUnless(needsCommand("etcd"));
const NS = "lost";

/**
 * A TCP relay to `port` that can be cut (every connection closed, new ones refused) and restored. It runs on a
 * thread of its own: the store's blocking calls hold this one.
 */
async function relay(port: number): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const worker = new Worker(RELAY, { eval: true, workerData: { port } });
  const replies: string[] = [];
  worker.on("message", (m: string) => replies.push(m));
  const ask = async (what: string) => {
    const n = replies.length;
    worker.postMessage(what);
    await waitFor(`the relay's ${what}`, () => replies.length > n, 10_000, 10);
    return replies[n];
  };
  const local = Number(await ask("port"));
  return {
    url: `http://127.0.0.1:${local}`,
    cut: async () => void (await ask("cut")),
    restore: async () => void (await ask("restore")),
    close: async () => void (await worker.terminate()),
  };
}

const RELAY = `
const { parentPort, workerData } = require("node:worker_threads");
const net = require("node:net");
const sockets = new Set();
let cut = false;
const server = net.createServer((client) => {
  if (cut) return void client.destroy();
  const upstream = net.connect(workerData.port, "127.0.0.1");
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
  }
  client.pipe(upstream).pipe(client);
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
});
const listening = new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
parentPort.on("message", async (m) => {
  await listening;
  if (m === "cut") {
    cut = true;
    for (const s of sockets) s.destroy();
  }
  if (m === "restore") cut = false;
  parentPort.postMessage(m === "port" ? String(server.address().port) : m);
});
`;

const cm = (name: string, v: string, app: string): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS, labels: { app } }, data: { v } });

describe("watch hub: lost changes", () => {
  const added = (rv: number): StoredEvent => {
    const object = cm(`o${rv}`, "v", "x");
    object.metadata.resourceVersion = String(rv);
    return { rv, kind: "ConfigMap", type: "ADDED", object, json: JSON.stringify(object) };
  };

  it("a relisting watcher relists (again later while it cannot, hearing nothing meanwhile); any other gets ERROR 410 and is removed", () => {
    const hub = new WatchHub({ count: 100, bytes: 1 << 20 }, 0);
    const relisting: string[] = [];
    const other: WatchEvent[] = [];
    let reachable = false;
    let relists = 0;
    hub.subscribe("ConfigMap", () => true, undefined, (ev) => relisting.push(ev.object.metadata.name!), () => {
      relists++;
      if (!reachable) throw new Error("etcd is away");
    });
    hub.subscribe("ConfigMap", () => true, undefined, (ev) => other.push(ev));
    hub.lost();
    assert.equal(relists, 1);
    assert.deepEqual(other.map((ev) => [ev.type, (ev.object as unknown as Status).code]), [["ERROR", 410]]);
    assert.equal(hub.watcherCount, 1, "the other watch ended");
    hub.publish(added(1));
    assert.deepEqual(relisting, [], "nothing until it has listed again");
    assert.equal(hub.retryRelists(), false);
    reachable = true;
    assert.equal(hub.retryRelists(), true);
    assert.equal(relists, 3);
    hub.publish(added(2));
    assert.deepEqual(relisting, ["o2"]);
    assert.equal(other.length, 1);
  });
});

describe("etcd store: watchers of a stream that fell behind a compaction list again", { skip }, () => {
  let etcd: TestEtcd | undefined;
  let link: Awaited<ReturnType<typeof relay>> | undefined;
  let writer: EtcdStore | undefined;
  let watched: EtcdStore | undefined;
  const logs: string[] = [];

  before(async () => {
    etcd = await startEtcd();
    link = await relay(Number(new URL(etcd.endpoint).port));
    writer = openEtcdStore({ endpoints: [etcd.endpoint], compactionIntervalMs: 0 });
    watched = openEtcdStore({ endpoints: [link.url], compactionIntervalMs: 0, log: (m) => logs.push(m) });
  });

  after(async () => {
    watched?.close();
    writer?.close();
    await link?.close();
    await etcd?.stop();
  });

  it("an index, a watch from now, an informer and a selected watch end with etcd's state; an API-style watch ends with 410", async () => {
    const w = writer!;
    const s = watched!;
    for (const name of ["a", "b", "c"]) w.create(cm(name, `${name}1`, "x"));
    // The watched store's stream has them before the watch from "now" starts (which then never hears of c).
    const written = Number(w.currentResourceVersion());
    await waitFor("the watched store's stream", () => Number(s.currentResourceVersion()) >= written, 20_000);
    // The consumers, as the control plane's run them over the store.
    const index = new ObjectIndex<ConfigMap>((o) => [o.data?.v ?? ""]);
    const stops = [index.follow(s, "ConfigMap")];
    const fromNow = new Map<string, string>();
    stops.push(s.watch("ConfigMap", { namespace: NS }, (ev) => (ev.type === "DELETED" ? fromNow.delete(ev.object.metadata.name!) : fromNow.set(ev.object.metadata.name!, (ev.object as ConfigMap).data?.v ?? ""))));
    const informer = new Informer<ConfigMap>(s, "ConfigMap", realClock);
    informer.start();
    const selected = new Set<string>();
    stops.push(s.watch("ConfigMap", { namespace: NS, labelSelector: "app=x", resourceVersion: "0" }, (ev) => (ev.type === "DELETED" ? selected.delete(ev.object.metadata.name!) : selected.add(ev.object.metadata.name!))));
    const apiWatch: WatchEvent[] = [];
    stops.push(s.watch("ConfigMap", { namespace: NS, lostChanges: "error" }, (ev) => apiWatch.push(ev)));
    try {
      w.create(cm("seen", "seen1", "x"));
      await waitFor("the watchers follow the stream", () => fromNow.has("seen") && index.holder("seen1") === `${NS}/seen` && selected.has("seen") && informer.get(NS, "seen") !== undefined, 20_000);

      await link!.cut();
      const a = w.get<ConfigMap>("ConfigMap", NS, "a")!;
      w.delete("ConfigMap", NS, "a", { uid: a.metadata.uid });
      const b = w.get<ConfigMap>("ConfigMap", NS, "b")!;
      w.update<ConfigMap>({ ...b, metadata: { ...b.metadata, labels: { app: "y" } }, data: { v: "b2" } });
      w.create(cm("d", "d1", "x"));
      w.create(cm("scratch", "scratch1", "z"));
      w.compactHistory();
      await link!.restore();

      const want = new Map(w.list<ConfigMap>("ConfigMap", { namespace: NS }).items.map((o) => [o.metadata.name!, o.data?.v ?? ""]));
      assert.deepEqual([...want.keys()].sort(), ["b", "c", "d", "scratch", "seen"]);
      const informerState = () => new Map(informer.list(NS).map((o) => [o.metadata.name!, o.data?.v ?? ""]));
      // The watch from "now" never heard of c (unchanged since it started): it has every change since, and no more.
      const changed = new Map([...want].filter(([name]) => name !== "c"));
      const state = () => JSON.stringify({ logs, informer: [...informerState()], fromNow: [...fromNow], selected: [...selected], a1: index.holder("a1"), b2: index.holder("b2"), api: apiWatch.map((e) => e.type) });
      await waitFor("the watchers list again after the compaction", () => isSame(informerState(), want) && isSame(fromNow, changed) && index.holder("a1") === undefined && index.holder("b2") === `${NS}/b` && !selected.has("a") && !selected.has("b") && selected.has("d"), 60_000, 100).catch((err: Error) => {
        throw new Error(`${err.message}: ${state()}`);
      });
      assert.ok(logs.some((l) => /etcd watch stream compacted at revision \d+: changes after \d+ were lost; watchers list again/.test(l)), logs.join("\n"));
      assert.equal(index.holder("d1"), `${NS}/d`);
      assert.deepEqual([...selected].sort(), ["c", "d", "seen"]);

      const ended = apiWatch.filter((ev) => ev.type === "ERROR");
      assert.equal(ended.length, 1, "the API-style watch ends once");
      const status = ended[0].object as unknown as Status;
      assert.deepEqual([status.code, status.reason, status.message], [410, "Expired", "The resourceVersion for the provided watch is too old."]);
      const afterEnd = apiWatch.length;

      // The stream goes on: a later change reaches every relisted watcher, and not the ended one.
      w.create(cm("e", "e1", "x"));
      await waitFor("a later change", () => fromNow.get("e") === "e1" && index.holder("e1") === `${NS}/e` && selected.has("e") && informer.get(NS, "e") !== undefined, 20_000);
      assert.equal(apiWatch.length, afterEnd);
    } finally {
      informer.stop();
      for (const stop of stops) stop();
    }
  });
});

function isSame(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
