/**
 * LIST paging over HTTP as kubectl drives it: limit/continue with remainingItemCount in the list metadata, Tables
 * paged the same way, a 410 Status carrying the remainder token, a list without limit streamed whole in pages, and
 * `continue` with a resourceVersion refused as upstream refuses it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject, Status } from "../../../src/api/types.js";
import { TABLE_ACCEPT } from "../../../src/client/client.js";
import { PART } from "../../../src/apiserver/handlers/read.js";
import { startTestServer, type TestServer } from "./harness.js";

interface Page {
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items?: KubeObject[];
  rows?: { cells: unknown[]; object?: KubeObject }[];
  columnDefinitions?: unknown[];
}

function event(i: number): KubeObject {
  const name = `ev-${String(i).padStart(5, "0")}`;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: "p", uid: "u" },
    reason: "Started",
    message: `event ${i}`,
    type: "Normal",
  } as KubeObject;
}

describe("LIST paging (limit/continue)", () => {
  let t: TestServer;
  // Pages of 400 span several parts of the store read (PART), and the last page is short.
  const N = PART * 10 + 7;
  before(async () => {
    t = await startTestServer({ storeOptions: { historySize: 50_000, historyBytes: 64 * 1024 * 1024 } });
    for (let i = 0; i < N; i++) t.store.create(event(i));
  });
  after(() => t.close());

  it("pages of `limit` objects with continue and remainingItemCount, all at the first page's resourceVersion", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    const rvs = new Set<string>();
    let pages = 0;
    do {
      const page = await t.client.request<Page>("GET", "/api/v1/namespaces/default/events", { query: { limit: 400, continue: token } });
      pages++;
      seen.push(...page.items!.map((o) => o.metadata.name!));
      rvs.add(page.metadata.resourceVersion!);
      token = page.metadata.continue;
      assert.equal(page.metadata.remainingItemCount, token ? N - seen.length : undefined);
      if (pages === 1) t.store.delete("Event", "default", "ev-00999");
    } while (token);
    assert.equal(pages, 3);
    assert.equal(seen.length, N, "the object deleted after the first page is still in the list's version");
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(rvs.size, 1);
  });

  it("Tables page the same way (kubectl get --chunk-size)", async () => {
    const first = await t.client.request<Page>("GET", "/api/v1/events", { query: { limit: 3 }, accept: TABLE_ACCEPT });
    assert.equal(first.kind, "Table");
    assert.equal(first.rows!.length, 3);
    assert.ok(first.metadata.continue);
    assert.equal(first.metadata.remainingItemCount, N - 1 - 3);
    const second = await t.client.request<Page>("GET", "/api/v1/events", { query: { limit: 3, continue: first.metadata.continue }, accept: TABLE_ACCEPT });
    assert.deepEqual(second.rows!.map((r) => r.object!.metadata.name), ["ev-00003", "ev-00004", "ev-00005"]);
  });

  it("a list without limit is streamed whole, a page at a time, in every shape", async () => {
    const res = await t.client.raw("GET", "/api/v1/events");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-length"], undefined, "chunked, not built whole");
    const list = JSON.parse(res.body.toString()) as Page;
    assert.equal(list.kind, "EventList");
    assert.equal(list.items!.length, N - 1);
    assert.equal(list.metadata.continue, undefined);
    const table = await t.client.request<Page>("GET", "/api/v1/namespaces/default/events", { accept: TABLE_ACCEPT });
    assert.equal(table.rows!.length, N - 1);
    assert.equal(table.columnDefinitions!.length, 10);
    assert.equal(table.rows![N - 2].object!.metadata.name, `ev-${String(N - 1).padStart(5, "0")}`);
  });

  it("an expired token answers 410 Expired with a continue token for the remainder", async () => {
    const small = await startTestServer({ storeOptions: { historySize: 2 } });
    try {
      for (let i = 0; i < 5; i++) small.store.create(event(i));
      const first = await small.client.request<Page>("GET", "/api/v1/events", { query: { limit: 2 } });
      for (let i = 5; i < 8; i++) small.store.create(event(i));
      const res = await small.client.raw("GET", "/api/v1/events", { query: { limit: 2, continue: first.metadata.continue } });
      assert.equal(res.status, 410);
      const status = JSON.parse(res.body.toString()) as Status;
      assert.equal(status.reason, "Expired");
      assert.match(status.message!, /^The provided continue parameter is too old to display a consistent list result/);
      const rest = await small.client.request<Page>("GET", "/api/v1/events", { query: { limit: 10, continue: status.metadata.continue } });
      assert.deepEqual(rest.items!.map((o) => o.metadata.name), ["ev-00002", "ev-00003", "ev-00004", "ev-00005", "ev-00006", "ev-00007"]);
    } finally {
      await small.close();
    }
  });

  it("continue with a resourceVersion is a 400, as upstream", async () => {
    const first = await t.client.request<Page>("GET", "/api/v1/events", { query: { limit: 1 } });
    const res = await t.client.raw("GET", "/api/v1/events", { query: { limit: 1, continue: first.metadata.continue, resourceVersion: "5" } });
    assert.equal(res.status, 400);
    assert.match(res.body.toString(), /specifying resource version is not allowed when using continue/);
    const bad = await t.client.raw("GET", "/api/v1/events", { query: { limit: 1, continue: "garbage!" } });
    assert.equal(bad.status, 400);
  });
});
