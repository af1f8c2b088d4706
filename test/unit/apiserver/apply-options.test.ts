/**
 * Field managers over HTTP: an apply must name its manager (422 as upstream), `force` is refused on other patch
 * types, a too-long manager is refused, and PUT/PATCH without `fieldManager` are recorded under the User-Agent's
 * product name, with the subresource they went through.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ManagedFieldsEntry } from "../../../src/api/managed-fields.js";
import type { KubeObject } from "../../../src/api/types.js";
import { startTestServer, type TestServer } from "./harness.js";

const CM = "/api/v1/namespaces/default/configmaps";

describe("field managers over HTTP", () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.close());

  const send = async (method: string, path: string, body: unknown, contentType: string, query: Record<string, string> = {}, ua = "curl/8.0") => {
    const res = await t.client.raw(method, path, { body: JSON.stringify(body), contentType, query, headers: { "User-Agent": ua } });
    return { status: res.status, json: JSON.parse(res.body.toString()) as KubeObject & { message?: string } };
  };
  const cm = (data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data });

  it("apply without fieldManager: 422; force on a merge patch: 422; a 129-byte manager: 422", async () => {
    const a = await send("PATCH", `${CM}/c`, cm({ a: "1" }), "application/apply-patch+yaml");
    assert.equal(a.status, 422);
    assert.equal(a.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const f = await send("PATCH", `${CM}/c`, { data: { a: "2" } }, "application/merge-patch+json", { force: "true" });
    assert.equal(f.status, 422);
    assert.match(f.json.message!, /force: Forbidden: may not be specified for non-apply patch/);
    const long = await send("POST", CM, cm({ a: "1" }), "application/json", { fieldManager: "m".repeat(129) });
    assert.equal(long.status, 422);
    assert.match(long.json.message!, /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long/);
    assert.equal(t.store.get("ConfigMap", "default", "c"), undefined, "nothing was created");
  });

  it("create, apply and a merge patch: one entry each, the patch's manager from the User-Agent", async () => {
    assert.equal((await send("POST", CM, cm({ a: "1" }), "application/json", { fieldManager: "maker" })).status, 201);
    assert.equal((await send("PATCH", `${CM}/c`, cm({ b: "2" }), "application/apply-patch+yaml", { fieldManager: "applier" })).status, 200);
    const p = await send("PATCH", `${CM}/c`, { data: { a: "3" } }, "application/merge-patch+json", {}, "my-tool/1.0 (linux)");
    assert.equal(p.status, 200);
    const entries = p.json.metadata.managedFields as ManagedFieldsEntry[];
    assert.deepEqual(entries.map((e) => [e.manager, e.operation, e.fieldsV1]), [
      ["applier", "Apply", { "f:data": { "f:b": {} } }],
      ["maker", "Update", { "f:data": {} }], // it keeps the map it made; "a" went to my-tool
      ["my-tool", "Update", { "f:data": { "f:a": {} } }],
    ].sort((x, y) => (x[1] === y[1] ? 0 : x[1] === "Apply" ? -1 : 1)));
  });
});
