/**
 * The remote store's watches against a scripted HTTPS API (this process, so only the asynchronous paths run here:
 * watches and their relists): a stream that ends is opened again from the last resourceVersion it delivered (or a
 * bookmark's), never repeating an event; a 410 Expired lists again and hands the watcher the difference from what
 * it had — MODIFIED for a changed object, ADDED for a new one, DELETED for one gone, nothing for one unchanged —
 * then watches from the list's resourceVersion. A watch from a list's resourceVersion knows that list's objects.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureServingCert } from "../../../src/apiserver/index.js";
import type { WatchEvent } from "../../../src/api/types.js";
import { RemoteStore } from "../../../src/store/remote-store.js";
import { needsCommand } from "../../helpers/root.js";
import { waitFor } from "../../helpers/wait.js";

const cm = (name: string, rv: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", resourceVersion: rv } });

/** What the scripted API answers: one handler per watch request, in order; lists from `items`. */
interface Script {
  watches: ((url: URL, res: ServerResponse) => void)[];
  seen: string[];
  items: ReturnType<typeof cm>[];
  listRv: string;
}

let dir: string;
let server: Server;
let ca: string;
const script: Script = { watches: [], seen: [], items: [], listRv: "0" };

const skip = needsCommand("openssl");

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "nodelet-remote-watch-"));
  const cert = await ensureServingCert({ dir });
  ca = cert.cert;
  server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const url = new URL(req.url!, "https://x");
    script.seen.push(`${req.method} ${url.pathname}?${url.searchParams.toString()}`);
    if (url.searchParams.get("watch") === "1") {
      const next = script.watches.shift();
      if (next) return next(url, res);
      res.writeHead(200, { "Content-Type": "application/json" }); // held open until the test ends
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: script.listRv }, items: script.items }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});

after(async () => {
  if (skip) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const open = () => new RemoteStore({ endpoint: { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca, token: "t" }, rewatchDelayMs: 10 });
const send = (res: ServerResponse, ev: unknown) => res.write(`${JSON.stringify(ev)}\n`);

test("a stream that ends is opened again from the last resourceVersion delivered (a bookmark's counts), nothing repeated", { skip }, async () => {
  script.seen.length = 0;
  script.watches.push(
    (_u, res) => {
      res.writeHead(200);
      send(res, { type: "ADDED", object: cm("a", "11") });
      send(res, { type: "MODIFIED", object: cm("a", "12") });
      res.end();
    },
    (_u, res) => {
      res.writeHead(200);
      send(res, { type: "BOOKMARK", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "20" } } });
      res.end();
    },
    (_u, res) => {
      res.writeHead(200);
      send(res, { type: "DELETED", object: cm("a", "21") });
    },
  );
  const store = open();
  const got: WatchEvent[] = [];
  const stop = store.watch("ConfigMap", { namespace: "default", resourceVersion: "10" }, (e) => got.push(e));
  try {
    await waitFor("three events", () => got.length === 3, 5000);
    assert.deepEqual(got.map((e) => `${e.type} ${e.object.metadata.resourceVersion}`), ["ADDED 11", "MODIFIED 12", "DELETED 21"]);
    assert.equal(got[0].object.kind, "ConfigMap");
    const watches = script.seen.filter((s) => s.includes("watch=1")).map((s) => new URLSearchParams(s.split("?")[1]).get("resourceVersion"));
    assert.deepEqual(watches, ["10", "12", "20"]);
  } finally {
    stop();
    store.close();
  }
});

test("410 Expired: a relist handed over as the difference from what the watcher had, then a watch from the list's resourceVersion", { skip }, async () => {
  script.seen.length = 0;
  // What the watcher has (from a watch from "0"): a@5, b@6, c@7.
  script.watches.push(
    (_u, res) => {
      res.writeHead(200);
      for (const [n, rv] of [["a", "5"], ["b", "6"], ["c", "7"]]) send(res, { type: "ADDED", object: cm(n, rv) });
      send(res, { type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410, message: "too old resource version: 7 (90)" } });
    },
    (url, res) => {
      assert.equal(url.searchParams.get("resourceVersion"), "100");
      res.writeHead(200);
      send(res, { type: "ADDED", object: cm("e", "101") });
    },
  );
  // Meanwhile: a unchanged, b modified, c deleted, d created.
  script.items = [cm("a", "5"), cm("b", "80"), cm("d", "90")];
  script.listRv = "100";
  const store = open();
  const got: WatchEvent[] = [];
  const stop = store.watch("ConfigMap", { namespace: "default", resourceVersion: "0" }, (e) => got.push(e));
  try {
    await waitFor("the relist and the next event", () => got.length === 7, 5000);
    assert.deepEqual(
      got.map((e) => `${e.type} ${e.object.metadata.name}`),
      ["ADDED a", "ADDED b", "ADDED c", "MODIFIED b", "ADDED d", "DELETED c", "ADDED e"],
    );
    assert.equal(got[5].object.kind, "ConfigMap");
  } finally {
    stop();
    store.close();
  }
});

test("a watch from a list's resourceVersion knows that list's objects: its relist reports only what changed", { skip }, async () => {
  script.items = [cm("a", "5"), cm("b", "6")];
  script.listRv = "6";
  const store = open();
  const got: WatchEvent[] = [];
  try {
    // store.list() blocks this thread, which also serves the script: what a list at 6 remembers is put in directly.
    (store as unknown as { rememberList: (k: string, o: object, r: { items: unknown[]; resourceVersion: string }) => void }).rememberList("ConfigMap", { namespace: "default" }, { items: script.items, resourceVersion: "6" });
    script.watches.push((_u, res) => {
      res.writeHead(200);
      send(res, { type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410, message: "too old resource version" } });
    });
    script.items = [cm("a", "5"), cm("b", "9")];
    script.listRv = "9";
    const stop = store.watch("ConfigMap", { namespace: "default", resourceVersion: "6" }, (e) => got.push(e));
    await waitFor("the relist", () => got.length === 1, 5000);
    assert.deepEqual(got.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), ["MODIFIED b 9"]);
    stop();
  } finally {
    store.close();
  }
});
