/**
 * The store's keyset pages read from the key on: the rest of a list is counted only when asked
 * (countRemaining: false spares a reader of every page the count), pages continue across namespace boundaries and
 * across names that differ only past a shared prefix in the order a full list has, and a store file made before the
 * keys index existed gets it when opened (its lists and counts unchanged).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import type { ConfigMap, KubeObject, Namespace } from "../../../src/api/types.js";
import { openStore } from "../../../src/store/sqlite-store.js";
import type { ListOptions, Store } from "../../../src/store/store.js";

function cm(ns: string, name: string): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: {} };
}

function keys(items: KubeObject[]): string[] {
  return items.map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`);
}

function pages(s: Store, kind: string, opts: ListOptions): { items: KubeObject[]; remaining: (number | undefined)[] } {
  const items: KubeObject[] = [];
  const remaining: (number | undefined)[] = [];
  let token: string | undefined;
  do {
    const page = s.list<KubeObject>(kind, { ...opts, continue: token });
    items.push(...page.items);
    remaining.push(page.remainingItemCount);
    token = page.continue;
  } while (token);
  return { items, remaining };
}

describe("store: keyset pages", () => {
  it("pages continue across namespaces and shared name prefixes in the full list's order; the count only when asked", () => {
    const s = openStore(":memory:");
    for (const ns of ["kube-system", "a", "a-b", "default"]) for (const n of ["x", "x-1", "x.1", "x1", "xa", "y"]) s.create(cm(ns, n));
    const whole = keys(s.list("ConfigMap").items);
    for (const limit of [1, 2, 5, 7]) {
      const counted = pages(s, "ConfigMap", { limit });
      assert.deepEqual(keys(counted.items), whole, `pages of ${limit}`);
      assert.deepEqual(counted.remaining.slice(0, 2), [whole.length - limit, whole.length - 2 * limit]);
      const uncounted = pages(s, "ConfigMap", { limit, countRemaining: false });
      assert.deepEqual(keys(uncounted.items), whole);
      assert.ok(uncounted.remaining.every((r) => r === undefined), "no remainingItemCount when not asked");
    }
    const inNs = pages(s, "ConfigMap", { namespace: "a", limit: 4 });
    assert.deepEqual(keys(inNs.items), whole.filter((k) => k.startsWith("a/")));
    assert.deepEqual(inNs.remaining, [2, undefined]);
    s.close();
  });

  it("cluster-scoped kinds page by name", () => {
    const s = openStore(":memory:");
    for (const n of ["b", "a", "c", "a-1", "d"]) s.create<Namespace>({ apiVersion: "v1", kind: "Namespace", metadata: { name: n } });
    const got = pages(s, "Namespace", { limit: 2 });
    assert.deepEqual(keys(got.items), ["/a", "/a-1", "/b", "/c", "/d"]);
    assert.deepEqual(got.remaining, [3, 1, undefined]);
    s.close();
  });

  it("a store file made before the keys index gets it on open, its lists and counts unchanged", () => {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-store-keys-"));
    try {
      const file = join(dir, "store.db");
      const s = openStore(file);
      for (let i = 0; i < 30; i++) s.create(cm("default", `o${String(i).padStart(2, "0")}`));
      s.close();
      const raw = new Database(file);
      raw.exec("DROP INDEX objects_keys");
      raw.close();
      const again = openStore(file);
      const page = again.list("ConfigMap", { limit: 10 });
      assert.equal(page.remainingItemCount, 20);
      assert.deepEqual(keys(pages(again, "ConfigMap", { limit: 10 }).items), keys(again.list("ConfigMap").items));
      again.close();
      const check = new Database(file, { readonly: true });
      const index = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'objects_keys'").get();
      check.close();
      assert.ok(index, "the keys index exists again");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
