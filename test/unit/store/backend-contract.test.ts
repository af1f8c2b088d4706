/**
 * One contract, two backends: every test below runs over the SQLite store and over the etcd store (one etcd for the
 * whole file, each test in namespaces of its own), and asserts the kube-apiserver semantics both must keep:
 * resourceVersions (object = its last write, list = the store's), create conflicts, compare-and-swap updates and
 * preconditioned deletes with the apiserver's 409 wording, concurrent writers losing nothing, pages of one list
 * consistent at its revision, watches resumed from a revision in order and 410 Expired once the history is gone
 * (etcd: compacted), selector transitions, encryption at rest, and what a TTL reads. etcd-only checks (the key
 * layout, values without resourceVersion, the compaction claim) close the file.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ApiError } from "../../../src/api/errors.js";
import type { ConfigMap, KubeObject, Secret, WatchEvent } from "../../../src/api/types.js";
import { encryptionTransformer, parseEncryptionConfig, type ValueTransformer } from "../../../src/store/encryption.js";
import { openEtcdStore, type EtcdStore } from "../../../src/store/etcd-store.js";
import { EtcdSync } from "../../../src/store/etcd-sync.js";
import { openStore, type SqliteStore } from "../../../src/store/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { startEtcd, type TestEtcd } from "../../helpers/etcd.js";
import { waitFor } from "../../helpers/wait.js";

interface Opened {
  store: Store;
  /** Another handle on the same data (a second API server on etcd; the same store for SQLite). */
  second: () => Store;
  /** Makes every change so far unreachable to a resuming watch or list (etcd: compaction). */
  forgetHistory: () => void;
  /** The bytes the backend holds for an object. */
  raw: (kind: string, ns: string, name: string) => Buffer | undefined;
  close: () => void;
}

interface Backend {
  name: string;
  open(opts?: { now?: () => Date; transformer?: ValueTransformer }): Opened;
}

let etcd: TestEtcd | undefined;
const dirs: string[] = [];

const sqlite: Backend = {
  name: "sqlite",
  open(opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), "nodelet-contract-"));
    dirs.push(dir);
    const file = join(dir, "store.db");
    // A short history stands for a compacted one: forgetHistory writes past it.
    const store: SqliteStore = openStore(file, { historySize: 16, ...opts });
    return {
      store,
      second: () => store,
      forgetHistory() {
        for (let i = 0; i < 20; i++) store.create(cm("scratch", `forget-${store.currentResourceVersion()}-${i}`));
      },
      raw(kind, ns, name) {
        const db = new Database(file, { readonly: true });
        try {
          const row = db.prepare("SELECT json FROM objects WHERE kind = ? AND namespace = ? AND name = ?").get(kind, ns, name) as { json: string | Buffer } | undefined;
          return row ? Buffer.from(row.json) : undefined;
        } finally {
          db.close();
        }
      },
      close: () => store.close(),
    };
  },
};

/** Stores of the etcd backend kept for the file (opening one starts a worker and a gRPC channel: about a second). */
const shared: { store?: EtcdStore; second?: EtcdStore; raw?: EtcdSync } = {};

const etcdBackend: Backend = {
  name: "etcd",
  open(opts = {}) {
    const endpoints = [etcd!.endpoint];
    const plain = opts.now === undefined && opts.transformer === undefined;
    if (plain) {
      shared.store ??= openEtcdStore({ endpoints, compactionIntervalMs: 0 });
      shared.raw ??= new EtcdSync(endpoints, 10_000, () => undefined);
    }
    const stores: EtcdStore[] = [plain ? shared.store! : openEtcdStore({ endpoints, compactionIntervalMs: 0, ...opts })];
    const raw = plain ? shared.raw! : new EtcdSync(endpoints, 10_000, () => undefined);
    return {
      store: stores[0],
      second() {
        if (plain) return (shared.second ??= openEtcdStore({ endpoints, compactionIntervalMs: 0 }));
        const s = openEtcdStore({ endpoints, compactionIntervalMs: 0, ...opts });
        stores.push(s);
        return s;
      },
      forgetHistory() {
        // Compacting to the store's revision keeps that revision's successors watchable: one more write first.
        stores[0].create(cm("scratch", `forget-${stores[0].currentResourceVersion()}`));
        stores[0].compactHistory();
      },
      raw(kind, ns, name) {
        const prefix = kind === "ConfigMap" ? "configmaps" : kind === "Secret" ? "secrets" : `${kind.toLowerCase()}s`;
        const kv = raw.range(`/registry/${prefix}/${ns}/${name}`).kvs[0];
        return kv ? Buffer.from(kv.value) : undefined;
      },
      close() {
        if (plain) return;
        for (const s of stores) s.close();
        raw.close();
      },
    };
  },
};

let nsSeq = 0;
/** A namespace no other test of the file uses (the etcd is shared). */
const freshNs = () => `t${process.pid}-${++nsSeq}`;

function cm(ns: string, name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data };
}

function apiError(reason: string, message?: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError ${reason}, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
}

const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);

before(async () => {
  etcd = await startEtcd();
});

after(async () => {
  shared.store?.close();
  shared.second?.close();
  shared.raw?.close();
  await etcd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const backend of [sqlite, etcdBackend]) {
  describe(`store contract: ${backend.name}`, () => {
    test("create assigns identity and a resourceVersion; a second create of the name is AlreadyExists", () => {
      const { store, close } = backend.open({ now: () => new Date("2026-01-02T03:04:05.678Z") });
      try {
        const ns = freshNs();
        const made = store.create(cm(ns, "a", { k: "v" }));
        assert.match(made.metadata.uid!, /^[0-9a-f-]{36}$/);
        assert.equal(made.metadata.creationTimestamp, "2026-01-02T03:04:05Z");
        assert.equal(made.metadata.generation, 1);
        assert.equal(made.metadata.resourceVersion, store.currentResourceVersion());
        const got = store.get<ConfigMap>("ConfigMap", ns, "a")!;
        assert.deepEqual(got, made);
        assert.equal(store.get("ConfigMap", ns, "missing"), undefined);
        assert.throws(() => store.create(cm(ns, "a")), apiError("AlreadyExists", 'configmaps "a" already exists'));
        const gen = store.create<ConfigMap>({ ...cm(ns, ""), metadata: { namespace: ns, generateName: "gen-" } });
        assert.match(gen.metadata.name!, /^gen-[a-z0-9]{5}$/);
      } finally {
        close();
      }
    });

    test("update is compare-and-swap on the resourceVersion: a stale one is 409 in the apiserver's words", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        const v1 = store.create(cm(ns, "a", { n: "1" }));
        const v2 = store.update({ ...v1, data: { n: "2" } }, { resourceVersion: v1.metadata.resourceVersion });
        assert.ok(rv(v2) > rv(v1));
        assert.equal(v2.metadata.generation, 2);
        assert.throws(
          () => store.update({ ...v1, data: { n: "3" } }, { resourceVersion: v1.metadata.resourceVersion }),
          apiError("Conflict", 'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again'),
        );
        assert.equal(store.get<ConfigMap>("ConfigMap", ns, "a")!.data!.n, "2");
        // An update that changes nothing writes nothing.
        const same = store.update({ ...v2 });
        assert.equal(same.metadata.resourceVersion, v2.metadata.resourceVersion);
        assert.throws(() => store.update(cm(ns, "nope")), apiError("NotFound", 'configmaps "nope" not found'));
      } finally {
        close();
      }
    });

    test("a status write replaces .status alone: the same status changes nothing, new managedFields alone do", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        const pod = (status: Record<string, unknown>, spec = { containers: [{ name: "c", image: "busybox" }] }) =>
          ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: ns }, spec, status }) as unknown as KubeObject;
        const seen: string[] = [];
        const stop = store.watch("Pod", { namespace: ns }, (ev) => seen.push(`${ev.type} ${JSON.stringify((ev.object as KubeObject & { status?: unknown }).status)}`));
        const v1 = store.create(pod({ phase: "Pending" }));
        // The spec sent along is ignored; the status goes in; the desired state (generation) is as stored.
        const v2 = store.update({ ...pod({ phase: "Running" }, { containers: [{ name: "c", image: "other" }] }), metadata: v1.metadata }, { subresource: "status" });
        assert.ok(rv(v2) > rv(v1));
        assert.equal(v2.metadata.generation, 1);
        assert.deepEqual((v2 as unknown as { spec: unknown }).spec, { containers: [{ name: "c", image: "busybox" }] });
        const same = store.update({ ...pod({ phase: "Running" }), metadata: v2.metadata }, { subresource: "status" });
        assert.equal(same.metadata.resourceVersion, v2.metadata.resourceVersion, "the same status is no write");
        const fields = [{ manager: "kubelet", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:phase": {} } }, subresource: "status" }];
        const v3 = store.update({ ...pod({ phase: "Running" }), metadata: { ...v2.metadata, managedFields: fields } }, { subresource: "status" });
        assert.ok(rv(v3) > rv(v2), "new managedFields are a change");
        assert.deepEqual(v3.metadata.managedFields, fields);
        stop();
        assert.deepEqual(seen, ['ADDED {"phase":"Pending"}', 'MODIFIED {"phase":"Running"}', 'MODIFIED {"phase":"Running"}']);
      } finally {
        close();
      }
    });

    test("delete keeps its preconditions (uid, resourceVersion) and tells watchers at the deletion's revision", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        const a = store.create(cm(ns, "a"));
        const events: WatchEvent[] = [];
        const stop = store.watch("ConfigMap", { namespace: ns }, (e) => events.push(e));
        assert.throws(
          () => store.delete("ConfigMap", ns, "a", { uid: "other" }),
          apiError("Conflict", `Operation cannot be fulfilled on configmaps "a": Precondition failed: UID in precondition: other, UID in object meta: ${a.metadata.uid}`),
        );
        assert.throws(() => store.delete("ConfigMap", ns, "a", { resourceVersion: String(rv(a) + 100_000) }), apiError("Conflict", /the object has been modified/));
        const gone = store.delete<ConfigMap>("ConfigMap", ns, "a", { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion });
        assert.equal(gone.metadata.uid, a.metadata.uid);
        assert.ok(rv(gone) > rv(a));
        assert.equal(store.get("ConfigMap", ns, "a"), undefined);
        // Own writes reach watchers synchronously, as on one node.
        assert.deepEqual(events.map((e) => [e.type, e.object.metadata.resourceVersion]), [["DELETED", gone.metadata.resourceVersion]]);
        assert.throws(() => store.delete("ConfigMap", ns, "a"), apiError("NotFound"));
        stop();
      } finally {
        close();
      }
    });

    test("concurrent writers: read-modify-write with retries on Conflict loses no update", async () => {
      const opened = backend.open();
      try {
        const ns = freshNs();
        const stores = [opened.store, opened.second()];
        opened.store.create(cm(ns, "counter", { n: "0" }));
        let conflicts = 0;
        const worker = async (s: Store, times: number) => {
          for (let i = 0; i < times; i++) {
            for (;;) {
              const cur = s.get<ConfigMap>("ConfigMap", ns, "counter")!;
              // Let the other writer run between the read and the write.
              await new Promise((r) => setImmediate(r));
              try {
                s.update({ ...cur, data: { n: String(Number(cur.data!.n) + 1) } }, { resourceVersion: cur.metadata.resourceVersion });
                break;
              } catch (err) {
                if (!(err instanceof ApiError && err.reason === "Conflict")) throw err;
                conflicts++;
              }
            }
          }
        };
        await Promise.all([worker(stores[0], 15), worker(stores[1], 15), worker(stores[0], 15)]);
        assert.equal(opened.store.get<ConfigMap>("ConfigMap", ns, "counter")!.data!.n, "45");
        assert.ok(conflicts > 0, "the writers raced");
      } finally {
        opened.close();
      }
    });

    test("a list's resourceVersion is the store's; objects carry their own", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        const a = store.create(cm(ns, "a"));
        const b = store.create(cm(ns, "b"));
        const list = store.list<ConfigMap>("ConfigMap", { namespace: ns });
        assert.deepEqual(list.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]), [["a", a.metadata.resourceVersion], ["b", b.metadata.resourceVersion]]);
        assert.ok(Number(list.resourceVersion) >= rv(b));
        assert.equal(list.resourceVersion, store.currentResourceVersion());
        const sel = store.list<ConfigMap>("ConfigMap", { namespace: ns, fieldSelector: "metadata.name=b" });
        assert.deepEqual(sel.items.map((o) => o.metadata.name), ["b"]);
      } finally {
        close();
      }
    });

    test("pages of one list show the store at the first page's revision, whatever changes between", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        for (const n of ["a", "b", "c", "d", "e", "f", "g"]) store.create(cm(ns, n, { v: "old" }));
        const p1 = store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 3 });
        assert.deepEqual(p1.items.map((o) => o.metadata.name), ["a", "b", "c"]);
        assert.equal(p1.remainingItemCount, 4);
        // Between pages: one deleted, one modified, one created.
        store.delete("ConfigMap", ns, "d");
        const e = store.get<ConfigMap>("ConfigMap", ns, "e")!;
        store.update({ ...e, data: { v: "new" } });
        store.create(cm(ns, "dd"));
        const p2 = store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 3, continue: p1.continue });
        assert.equal(p2.resourceVersion, p1.resourceVersion);
        assert.deepEqual(p2.items.map((o) => [o.metadata.name, o.data!.v]), [["d", "old"], ["e", "old"], ["f", "old"]]);
        assert.equal(p2.remainingItemCount, 1);
        const p3 = store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 3, continue: p2.continue });
        assert.deepEqual(p3.items.map((o) => o.metadata.name), ["g"]);
        assert.equal(p3.continue, undefined);
        // Selectors filter pages; a page never holds more than the limit.
        const sel = store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 2, labelSelector: "none=here" });
        assert.deepEqual(sel.items, []);
        assert.throws(() => store.list("ConfigMap", { namespace: ns, limit: 2, continue: "%%%" }), apiError("BadRequest", /invalid continue token/));
      } finally {
        close();
      }
    });

    test("a page whose revision is gone from the history is 410 Expired with a token for the remainder", () => {
      const opened = backend.open();
      try {
        const ns = freshNs();
        for (const n of ["a", "b", "c", "d"]) opened.store.create(cm(ns, n));
        const p1 = opened.store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 2 });
        opened.store.delete("ConfigMap", ns, "c");
        opened.forgetHistory();
        let expired: ApiError | undefined;
        assert.throws(
          () => opened.store.list("ConfigMap", { namespace: ns, limit: 2, continue: p1.continue }),
          (err) => {
            expired = err as ApiError;
            return apiError("Expired", /The provided continue parameter is too old to display a consistent list result/)(err);
          },
        );
        assert.equal(expired!.code, 410);
        const rest = opened.store.list<ConfigMap>("ConfigMap", { namespace: ns, limit: 2, continue: expired!.listContinue });
        assert.deepEqual(rest.items.map((o) => o.metadata.name), ["d"]);
      } finally {
        opened.close();
      }
    });

    test("a watch from a revision replays what followed it in order, then changes as they happen", async () => {
      const opened = backend.open();
      try {
        const ns = freshNs();
        const a = opened.store.create(cm(ns, "a"));
        const b = opened.store.create(cm(ns, "b"));
        opened.store.update({ ...a, data: { x: "1" } });
        const seen: string[] = [];
        const stop = opened.store.watch("ConfigMap", { namespace: ns, resourceVersion: a.metadata.resourceVersion }, (e) =>
          seen.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`),
        );
        assert.deepEqual(seen.map((s) => s.split(" ").slice(0, 2).join(" ")), ["ADDED b", "MODIFIED a"]);
        // Another writer's change reaches this store's watchers through etcd's watch.
        const other = opened.second();
        other.delete("ConfigMap", ns, "b", { uid: b.metadata.uid });
        await waitFor("the other writer's delete", () => seen.length === 3);
        assert.match(seen[2], /^DELETED b /);
        const c = opened.store.create(cm(ns, "c"));
        assert.equal(seen[3], `ADDED c ${c.metadata.resourceVersion}`);
        const revs = seen.map((s) => Number(s.split(" ")[2]));
        assert.deepEqual(revs, [...revs].sort((x, y) => x - y), "in revision order");
        // "0": the current objects as ADDED first.
        const initial: string[] = [];
        const stop0 = opened.store.watch("ConfigMap", { namespace: ns, resourceVersion: "0" }, (e) => initial.push(`${e.type} ${e.object.metadata.name}`));
        assert.deepEqual(initial, ["ADDED a", "ADDED c"]);
        stop();
        stop0();
        assert.throws(() => opened.store.watch("ConfigMap", { resourceVersion: "x1" }, () => undefined), apiError("BadRequest"));
      } finally {
        opened.close();
      }
    });

    test("a watch from a revision older than the history (compacted) is 410 Expired", () => {
      const opened = backend.open();
      try {
        const ns = freshNs();
        const a = opened.store.create(cm(ns, "a"));
        opened.store.update({ ...a, data: { x: "1" } });
        opened.forgetHistory();
        assert.throws(
          () => opened.store.watch("ConfigMap", { namespace: ns, resourceVersion: a.metadata.resourceVersion }, () => undefined),
          (err) => apiError("Expired", /^too old resource version: /)(err) && (err as ApiError).code === 410,
        );
        // From the current revision it works.
        const stop = opened.store.watch("ConfigMap", { namespace: ns, resourceVersion: opened.store.currentResourceVersion() }, () => undefined);
        stop();
      } finally {
        opened.close();
      }
    });

    test("a selector watch sees objects enter as ADDED and leave as DELETED", () => {
      const { store, close } = backend.open();
      try {
        const ns = freshNs();
        const a = store.create(cm(ns, "a", {}, { tier: "web" }));
        const seen: string[] = [];
        const stop = store.watch("ConfigMap", { namespace: ns, labelSelector: "tier=db" }, (e) => seen.push(`${e.type} ${e.object.metadata.name}`));
        const inDb = store.update({ ...a, metadata: { ...a.metadata, labels: { tier: "db" } } });
        store.update({ ...inDb, metadata: { ...inDb.metadata, labels: { tier: "web" } } });
        assert.deepEqual(seen, ["ADDED a", "DELETED a"]);
        stop();
      } finally {
        close();
      }
    });

    test("encryption at rest: the backend holds only ciphertext, reads and watches see plaintext", () => {
      const config = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${Buffer.alloc(32, 7).toString("base64")}
`;
      const opened = backend.open({ transformer: encryptionTransformer(parseEncryptionConfig(config)) });
      try {
        const ns = freshNs();
        const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: ns }, data: { password: Buffer.from("hunter2").toString("base64") } };
        const seen: Secret[] = [];
        const stop = opened.store.watch("Secret", { namespace: ns }, (e) => seen.push(e.object as Secret));
        opened.store.create(secret);
        const raw = opened.raw("Secret", ns, "db")!;
        assert.ok(raw.subarray(0, 30).toString("latin1").startsWith("k8s:enc:aesgcm:v1:key1:"), raw.subarray(0, 30).toString("latin1"));
        assert.ok(!raw.includes(Buffer.from("aHVudGVyMg")), "no plaintext");
        assert.equal(opened.store.get<Secret>("Secret", ns, "db")!.data!.password, "aHVudGVyMg==");
        assert.equal(seen[0].data!.password, "aHVudGVyMg==");
        // Kinds the configuration does not name stay plain JSON.
        opened.store.create(cm(ns, "plain", { k: "v" }));
        assert.match(opened.raw("ConfigMap", ns, "plain")!.toString("utf8"), /^\{/);
        stop();
      } finally {
        opened.close();
      }
    });

    test("writtenBefore finds the objects last written before a time, oldest first, a page at a time", () => {
      let now = Date.parse("2026-03-01T00:00:00Z");
      const { store, close } = backend.open({ now: () => new Date(now) });
      try {
        const ns = freshNs();
        // The first question about a kind: what is there counts as written now (etcd keeps no write times).
        assert.deepEqual(store.writtenBefore("ConfigMap", now, 10).filter((k) => k.namespace === ns), []);
        store.create(cm(ns, "old1"));
        now += 1000;
        const old2 = store.create(cm(ns, "old2"));
        now += 1000;
        store.create(cm(ns, "young"));
        now += 1000;
        store.update({ ...old2, data: { touched: "yes" } });
        const mine = (before: number) => store.writtenBefore("ConfigMap", before, 100).filter((k) => k.namespace === ns).map((k) => k.name);
        assert.deepEqual(mine(now), ["old1", "young"]);
        assert.deepEqual(mine(now + 1), ["old1", "young", "old2"]);
        const first = store.writtenBefore("ConfigMap", now + 1, 100).filter((k) => k.namespace === ns);
        const page = store.writtenBefore("ConfigMap", now + 1, 100, first[0]).filter((k) => k.namespace === ns);
        assert.deepEqual(page.map((k) => k.name), ["young", "old2"]);
        store.delete("ConfigMap", ns, "young");
        assert.deepEqual(mine(now + 1), ["old1", "old2"]);
      } finally {
        close();
      }
    });
  });
}

describe("etcd backend: kube-apiserver's layout", () => {
  test("keys /registry/RESOURCE/NS/NAME (nodes under minions, services under services/specs), values without resourceVersion", () => {
    const { store, close } = etcdBackend.open();
    const raw = new EtcdSync([etcd!.endpoint], 10_000, () => undefined);
    try {
      const ns = freshNs();
      const made = store.create(cm(ns, "layout", { k: "v" }));
      const kv = raw.range(`/registry/configmaps/${ns}/layout`).kvs[0];
      assert.equal(String(kv.modRevision), made.metadata.resourceVersion);
      const stored = JSON.parse(Buffer.from(kv.value).toString("utf8")) as ConfigMap;
      assert.equal(stored.metadata.resourceVersion, undefined);
      assert.equal(stored.metadata.uid, made.metadata.uid);
      const node = store.create<KubeObject>({ apiVersion: "v1", kind: "Node", metadata: { name: `node-${ns}` } });
      assert.equal(String(raw.range(`/registry/minions/node-${ns}`).kvs[0].modRevision), node.metadata.resourceVersion);
      store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "svc", namespace: ns }, spec: {} } as KubeObject);
      assert.equal(raw.range(`/registry/services/specs/${ns}/svc`).kvs.length, 1);
      store.delete("Node", "", `node-${ns}`);
      // Compaction is claimed through compact_rev_key, as kube-apiserver's compactors agree on it.
      (store as EtcdStore).compactHistory();
      assert.equal(Buffer.from(raw.range("compact_rev_key").kvs[0].value).toString(), store.currentResourceVersion());
    } finally {
      raw.close();
      close();
    }
  });

  test("an etcd that does not answer refuses the store, naming the endpoint", () => {
    assert.throws(() => openEtcdStore({ endpoints: ["http://127.0.0.1:1"], requestTimeoutMs: 1500 }), /etcd at http:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
