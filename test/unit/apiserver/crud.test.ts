import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { resourceForKind } from "../../../src/api/resources.js";
import type { ConfigMap, KubeList, KubeObject, Namespace, Pod, Service, Status } from "../../../src/api/types.js";
import { resourcePath } from "../../../src/client/index.js";
import { startTestServer, testPod, type TestServer } from "./harness.js";

const PODS = resourceForKind("Pod")!;
const CMS = resourceForKind("ConfigMap")!;
const NODES = resourceForKind("Node")!;
const NSS = resourceForKind("Namespace")!;
const SVCS = resourceForKind("Service")!;

async function rejects(p: Promise<unknown>, code: number, message?: RegExp | string): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected HTTP ${code}`);
}

describe("API server: basics", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  it("reports version 1.32 (kubectl's dispatcher picks its client by minor)", async () => {
    const v = await t.client.request<Record<string, string>>("GET", "/version");
    assert.equal(v.major, "1");
    assert.equal(v.minor, "32");
    assert.match(v.gitVersion, /^v1\.32\./);
  });

  it("health endpoints answer ok", async () => {
    for (const p of ["/healthz", "/livez", "/readyz"]) assert.equal(await t.client.request("GET", p), "ok");
  });

  it("unknown paths are 404 Status, wrong methods 405", async () => {
    await rejects(t.client.request("GET", "/api/v1/widgets"), 404, "the server could not find the requested resource");
    await rejects(t.client.request("POST", "/version"), 405);
    await rejects(t.client.request("POST", resourcePath(PODS, "default", "x")), 405);
  });

  it("starts with the four initial namespaces, Active", async () => {
    const list = await t.client.list<Namespace>(NSS);
    assert.deepEqual(list.items.map((n) => n.metadata.name), ["default", "kube-node-lease", "kube-public", "kube-system"]);
    assert.ok(list.items.every((n) => n.status?.phase === "Active"));
  });

  it("answers protobuf when it is asked for first, JSON when JSON comes first", async () => {
    const res = await t.client.raw("GET", "/api/v1/namespaces/default", { accept: "application/vnd.kubernetes.protobuf,application/json" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/vnd.kubernetes.protobuf");
    const json = await t.client.raw("GET", "/api/v1/namespaces/default", { accept: "application/json,application/vnd.kubernetes.protobuf" });
    assert.equal(json.headers["content-type"], "application/json");
  });

  it("serves aggregated discovery with the exact content type", async () => {
    const res = await t.client.raw("GET", "/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    assert.equal(res.headers["content-type"], "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const legacy = await t.client.request<{ kind: string }>("GET", "/apis");
    assert.equal(legacy.kind, "APIGroupList");
  });
});

describe("API server: create, get, list, update", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  it("creates (201) and reads back a pod with server-set metadata", async () => {
    const res = await t.client.raw("POST", resourcePath(PODS, "default"), { body: testPod("web", { labels: { app: "web" } }) });
    assert.equal(res.status, 201);
    const got = await t.client.get<Pod>(PODS, "default", "web");
    assert.equal(got.metadata.namespace, "default");
    assert.match(got.metadata.uid ?? "", /-/);
    assert.match(got.metadata.creationTimestamp ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("fills the namespace from the URL and refuses a different one", async () => {
    const p = testPod("nons");
    delete p.metadata.namespace;
    const created = await t.client.request<Pod>("POST", resourcePath(PODS, "default"), { body: p });
    assert.equal(created.metadata.namespace, "default");
    await rejects(t.client.request("POST", resourcePath(PODS, "default"), { body: testPod("x", { ns: "kube-system" }) }), 400, /namespace of the provided object/);
  });

  it("refuses a missing namespace with 404 namespaces \"x\" not found", async () => {
    await rejects(t.client.create(PODS, testPod("a", { ns: "nope" })), 404, 'namespaces "nope" not found');
  });

  it("refuses duplicates with 409 AlreadyExists", async () => {
    const err = await rejects(t.client.create(PODS, testPod("web")), 409, 'pods "web" already exists');
    assert.equal(err.reason, "AlreadyExists");
  });

  it("refuses a resourceVersion on create, a wrong kind and bad JSON with 400", async () => {
    const p = testPod("rv");
    p.metadata.resourceVersion = "5";
    await rejects(t.client.create(PODS, p), 400, /resourceVersion should not be set/);
    await rejects(t.client.request("POST", resourcePath(PODS, "default"), { body: { kind: "Service", apiVersion: "v1", metadata: { name: "s" } } }), 400, /kind/);
    await rejects(t.client.request("POST", resourcePath(PODS, "default"), { body: "{not json" }), 400, /not valid JSON/);
  });

  it("lists with label and field selectors and a resourceVersion", async () => {
    await t.client.create(PODS, testPod("db", { labels: { app: "db" } }));
    const web = await t.client.list<Pod>(PODS, { namespace: "default", labelSelector: "app=web" });
    assert.deepEqual(web.items.map((p) => p.metadata.name), ["web"]);
    assert.equal(web.kind, "PodList");
    assert.match(web.metadata.resourceVersion ?? "", /^\d+$/);
    const byName = await t.client.list<Pod>(PODS, { fieldSelector: "metadata.name=db" });
    assert.deepEqual(byName.items.map((p) => p.metadata.name), ["db"]);
    await rejects(t.client.list(PODS, { labelSelector: "app in (" }), 400, /label selector/);
  });

  it("serves Tables for get and list, with PartialObjectMetadata rows", async () => {
    const table = await t.client.table(resourcePath(PODS, "default"), { limit: 500 });
    assert.equal(table.kind, "Table");
    assert.deepEqual(table.rows.map((r) => r.cells[0]), ["db", "nons", "web"]);
    const obj = table.rows[0].object as KubeObject;
    assert.equal(obj.kind, "PartialObjectMetadata");
    assert.equal(obj.metadata.namespace, "default");
    const one = await t.client.table(resourcePath(PODS, "default", "web"), { includeObject: "Object" });
    assert.equal(one.rows.length, 1);
    assert.equal((one.rows[0].object as Pod).spec.containers[0].name, "c");
    const empty = await t.client.table(resourcePath(PODS, "kube-system"));
    assert.deepEqual(empty.rows, []);
    assert.ok((empty.columnDefinitions ?? []).length > 0);
  });

  it("serves PartialObjectMetadataList", async () => {
    const list = await t.client.request<KubeList>("GET", resourcePath(PODS, "default"), { accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io" });
    assert.equal(list.kind, "PartialObjectMetadataList");
    assert.equal(list.items[0].kind, "PartialObjectMetadata");
  });

  it("PUT: optimistic concurrency, status separation, name check", async () => {
    const p = await t.client.get<Pod>(PODS, "default", "web");
    const labelled = await t.client.update(PODS, { ...p, metadata: { ...p.metadata, labels: { app: "web", v: "2" } } });
    assert.equal(labelled.metadata.labels?.v, "2");
    await rejects(t.client.update(PODS, p), 409, /the object has been modified/);
    const withStatus = await t.client.update(PODS, { ...labelled, status: { phase: "Running" } }, { subresource: "status" });
    assert.equal(withStatus.status?.phase, "Running");
    const spec = await t.client.update(PODS, { ...withStatus, status: { phase: "Failed" }, metadata: { ...withStatus.metadata, resourceVersion: undefined } });
    assert.equal(spec.status?.phase, "Running", "a main update keeps the stored status");
    await rejects(t.client.request("PUT", resourcePath(PODS, "default", "other"), { body: spec }), 400, /does not match the name on the URL/);
    await rejects(t.client.update(PODS, testPod("missing")), 404, 'pods "missing" not found');
  });

  it("PUT cannot set deletionTimestamp", async () => {
    const p = await t.client.get<Pod>(PODS, "default", "db");
    const u = await t.client.update(PODS, { ...p, metadata: { ...p.metadata, deletionTimestamp: "2030-01-01T00:00:00Z" } });
    assert.equal(u.metadata.deletionTimestamp, undefined);
  });

  it("dryRun=All validates without storing", async () => {
    const res = await t.client.request<Pod>("POST", resourcePath(PODS, "default"), { body: testPod("dry"), query: { dryRun: "All" } });
    assert.equal(res.metadata.name, "dry");
    await rejects(t.client.get(PODS, "default", "dry"), 404);
    await rejects(t.client.request("POST", resourcePath(PODS, "default"), { body: testPod("dry2"), query: { dryRun: "Some" } }), 400);
  });

  it("serves cluster-scoped kinds and defaults new namespaces to Active", async () => {
    await t.client.create(NODES, { apiVersion: "v1", kind: "Node", metadata: { name: "node1" } });
    assert.equal((await t.client.get(NODES, undefined, "node1")).metadata.namespace, undefined);
    const ns = await t.client.create<Namespace>(NSS, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    assert.equal(ns.status?.phase, "Active");
    assert.equal(ns.metadata.labels?.["kubernetes.io/metadata.name"], "team");
  });

  it("deletes collections by selector", async () => {
    for (const n of ["a", "b", "c"]) await t.client.create(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: n, namespace: "team", labels: { g: n === "c" ? "2" : "1" } } });
    const gone = await t.client.request<KubeList>("DELETE", resourcePath(CMS, "team"), { query: { labelSelector: "g=1" } });
    assert.deepEqual(gone.items.map((i) => i.metadata.name), ["a", "b"]);
    assert.deepEqual((await t.client.list(CMS, { namespace: "team" })).items.map((i) => i.metadata.name), ["c"]);
  });

  it("objects with finalizers wait for them; removing the last one deletes", async () => {
    const cm = await t.client.create<ConfigMap>(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fin", namespace: "team", finalizers: ["example.com/x"] } });
    const marked = await t.client.delete<ConfigMap>(CMS, "team", "fin");
    assert.ok(marked.metadata.deletionTimestamp);
    const still = await t.client.get<ConfigMap>(CMS, "team", "fin");
    assert.equal(still.metadata.uid, cm.metadata.uid);
    await t.client.update(CMS, { ...still, metadata: { ...still.metadata, finalizers: [] } });
    await rejects(t.client.get(CMS, "team", "fin"), 404);
  });

  it("a plain delete answers a success Status", async () => {
    const st = await t.client.delete<Status>(CMS, "team", "c");
    assert.equal(st.kind, "Status");
    assert.equal(st.status, "Success");
    assert.equal(st.details?.name, "c");
  });
});

describe("API server: hooks", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  it("create hooks can change an object or refuse it", async () => {
    const off = t.server.registerCreateHook("Service", (obj, ctx) => {
      const svc = obj as Service;
      if (svc.metadata.name === "bad") throw new ApiError("Invalid", "no such service allowed", { name: "bad", kind: "services" });
      return { ...svc, spec: { ...svc.spec, clusterIP: ctx.dryRun ? "" : "10.96.0.42" } } as Service;
    });
    const svc = await t.client.create<Service>(SVCS, { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { ports: [{ port: 80 }] } });
    assert.equal(svc.spec.clusterIP, "10.96.0.42");
    await rejects(t.client.create<Service>(SVCS, { apiVersion: "v1", kind: "Service", metadata: { name: "bad", namespace: "default" }, spec: { ports: [{ port: 80 }] } }), 422, "no such service allowed");
    off();
    const plain = await t.client.create<Service>(SVCS, { apiVersion: "v1", kind: "Service", metadata: { name: "plain", namespace: "default" }, spec: { ports: [{ port: 80 }] } });
    assert.equal(plain.spec.clusterIP, undefined);
  });

  it("update hooks see the old object", async () => {
    const seen: string[] = [];
    t.server.registerUpdateHook("Service", (obj, old) => {
      seen.push(`${old.metadata.resourceVersion}->${obj.metadata.resourceVersion}`);
    });
    const svc = await t.client.get<Service>(SVCS, "default", "web");
    await t.client.update(SVCS, { ...svc, metadata: { ...svc.metadata, labels: { a: "b" } } });
    assert.deepEqual(seen, [`${svc.metadata.resourceVersion}->${svc.metadata.resourceVersion}`]);
  });
});

describe("API server: patch", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  it("refuses unknown patch types with 415 and missing objects with 404", async () => {
    await t.client.create(PODS, testPod("web"));
    await rejects(t.client.request("PATCH", resourcePath(PODS, "default", "web"), { body: {}, contentType: "text/plain" }), 415);
    await rejects(t.client.patch(PODS, "default", "nope", { metadata: {} }, "merge"), 404);
  });

  it("server-side apply creates a missing object (201)", async () => {
    const res = await t.client.raw("PATCH", resourcePath(PODS, "default", "applied"), {
      body: testPod("applied"),
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: "kubectl" },
    });
    assert.equal(res.status, 201, res.body.toString());
    assert.equal((await t.client.get(PODS, "default", "applied")).metadata.name, "applied");
  });

  it("server-side apply accepts YAML bodies", async () => {
    const yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: yamlpod\nspec:\n  nodeName: node1\n  containers:\n  - name: c\n    image: busybox\n";
    const res = await t.client.raw("PATCH", resourcePath(PODS, "default", "yamlpod"), { body: yaml, contentType: "application/apply-patch+yaml", query: { fieldManager: "kubectl" } });
    assert.equal(res.status, 201, res.body.toString());
  });

  it("merge patch adds a label", async () => {
    const p = await t.client.patch<Pod>(PODS, "default", "web", { metadata: { labels: { patched: "yes" } } }, "merge");
    assert.equal(p.metadata.labels?.patched, "yes");
  });

  it("a patch carrying a stale resourceVersion is a conflict", async () => {
    await rejects(t.client.patch(PODS, "default", "web", { metadata: { resourceVersion: "1" } }, "merge"), 409);
  });

  it("a strategic merge patch replaces one container's image by name", async () => {
    const p = await t.client.patch<Pod>(PODS, "default", "web", { spec: { containers: [{ name: "c", image: "busybox:1.35" }] } }, "strategic");
    assert.equal(p.spec.containers[0].image, "busybox:1.35");
    assert.equal(p.spec.containers.length, 1);
  });
});
