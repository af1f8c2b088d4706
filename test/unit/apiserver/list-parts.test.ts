/**
 * Lists are read and written a part at a time (PART objects): a page of kubectl's 500 spans several parts and is
 * still one page (its continue token and remainingItemCount those of its last part, in every shape), a page with a
 * selector fills across parts, and a list without limit is one response across parts with no continue.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../../src/api/types.js";
import { TABLE_ACCEPT } from "../../../src/client/client.js";
import { PART } from "../../../src/apiserver/handlers/read.js";
import { startTestServer, type TestServer } from "./harness.js";

interface Page {
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items?: KubeObject[];
  rows?: { cells: unknown[]; object?: KubeObject }[];
}

const N = PART * 5 + 3;
const name = (i: number) => `cm-${String(i).padStart(5, "0")}`;

describe("LIST parts", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    for (let i = 0; i < N; i++) {
      t.store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: name(i), namespace: "default", labels: { even: String(i % 2 === 0) } }, data: { i: String(i) } } as KubeObject);
    }
  });
  after(() => t.close());

  const limit = PART * 2 + PART / 2;
  const path = "/api/v1/namespaces/default/configmaps";

  it("a page longer than a part is one page, in every shape, with the continue token and count of its end", async () => {
    const shapes = [
      { accept: undefined, kind: "ConfigMapList", names: (p: Page) => p.items!.map((o) => o.metadata.name!) },
      { accept: TABLE_ACCEPT, kind: "Table", names: (p: Page) => p.rows!.map((r) => r.object!.metadata.name!) },
      { accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", kind: "PartialObjectMetadataList", names: (p: Page) => p.items!.map((o) => o.metadata.name!) },
    ];
    for (const shape of shapes) {
      const seen: string[] = [];
      const rvs = new Set<string>();
      let token: string | undefined;
      const counts: (number | undefined)[] = [];
      do {
        const page = await t.client.request<Page>("GET", path, { query: { limit, continue: token }, accept: shape.accept });
        assert.equal(page.kind, shape.kind);
        seen.push(...shape.names(page));
        rvs.add(page.metadata.resourceVersion!);
        counts.push(page.metadata.remainingItemCount);
        token = page.metadata.continue;
      } while (token);
      assert.deepEqual(seen, [...Array(N).keys()].map(name), shape.kind);
      assert.deepEqual(counts, [N - limit, N - 2 * limit, undefined], shape.kind);
      assert.equal(rvs.size, 1);
    }
  });

  it("a page with a selector fills with matches across parts, without remainingItemCount", async () => {
    const page = await t.client.request<Page>("GET", path, { query: { limit, labelSelector: "even=true" } });
    assert.equal(page.items!.length, limit);
    assert.ok(page.items!.every((o) => o.metadata.labels?.even === "true"));
    assert.ok(page.metadata.continue);
    assert.equal(page.metadata.remainingItemCount, undefined);
    const rest = await t.client.request<Page>("GET", path, { query: { limit, labelSelector: "even=true", continue: page.metadata.continue } });
    assert.equal(page.items!.length + rest.items!.length, Math.ceil(N / 2));
    assert.equal(rest.metadata.continue, undefined);
  });

  it("a list without limit is one response across parts, with no continue", async () => {
    const list = await t.client.request<Page>("GET", path, { accept: TABLE_ACCEPT });
    assert.equal(list.rows!.length, N);
    assert.equal(list.metadata.continue, undefined);
    assert.equal(list.metadata.remainingItemCount, undefined);
    assert.ok(list.metadata.resourceVersion);
  });
});
