/**
 * OpenAPI v2 and v3 generated from the one schema source: every kind of the resource table has a definition with
 * its x-kubernetes-group-version-kind in its group/version's v3 document and in v2, every $ref resolves, the pod's
 * containers are Containers with descriptions and their merge key, Deployment's strategy is described, and
 * /openapi/v2 is JSON or 406 by Accept.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RESOURCES } from "../../../src/api/resources.js";
import { SCHEMAS } from "../../../src/api/schema.js";
import { acceptsJson, openapiDocument, openapiRoot, openapiV2 } from "../../../src/apiserver/openapi.js";
import { startTestServer, type TestServer } from "./harness.js";

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- these tests walk the OpenAPI JSON by hand; a wrong shape fails their assertions */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only JSON walking

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const gvPath = (g: string, v: string) => (g ? `apis/${g}/${v}` : `api/${v}`);
const v3 = (path: string) => JSON.parse(openapiDocument(path) ?? "null") as Json;
const resolve = (doc: Json, field: Json): Json => {
  const ref: string = field.$ref ?? field.allOf?.[0]?.$ref;
  return doc.components.schemas[ref.replace("#/components/schemas/", "")] as Json;
};

describe("openapi generated from the schemas", () => {
  it("every served kind is in its group/version's v3 document and in v2, found by its GVK", () => {
    const v2 = JSON.parse(openapiV2()) as Json;
    const root = openapiRoot() as Json;
    for (const r of RESOURCES) {
      const gvk = { group: r.group, kind: r.kind, version: r.version };
      assert.ok(root.paths[gvPath(r.group, r.version)], `${r.kind}: its group/version is listed`);
      const doc = v3(gvPath(r.group, r.version));
      const inV3 = Object.values(doc.components.schemas as Record<string, Json>).filter((s) => JSON.stringify(s["x-kubernetes-group-version-kind"]) === JSON.stringify([gvk]));
      assert.equal(inV3.length, 1, `${r.kind} in v3`);
      const inV2 = Object.values(v2.definitions as Record<string, Json>).filter((s) => JSON.stringify(s["x-kubernetes-group-version-kind"]) === JSON.stringify([gvk]));
      assert.equal(inV2.length, 1, `${r.kind} in v2`);
      // A kind schema.ts describes has every described top-level field; the others keep unknown fields.
      const described = SCHEMAS[r.kind];
      if (described?.kind === "struct") assert.deepEqual(Object.keys(inV3[0].properties as Json).sort(), Object.keys(described.fields).sort(), r.kind);
      else assert.equal(inV3[0]["x-kubernetes-preserve-unknown-fields"], true, r.kind);
    }
  });

  it("every $ref resolves, in each v3 document and in v2", () => {
    for (const { serverRelativeURL } of Object.values((openapiRoot() as Json).paths as Record<string, Json>)) {
      const doc = v3((serverRelativeURL as string).replace(/^\/openapi\/v3\//, "").replace(/\?.*$/, ""));
      for (const ref of refs(doc)) assert.ok(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref);
    }
    const v2 = JSON.parse(openapiV2()) as Json;
    for (const ref of refs(v2)) assert.ok(v2.definitions[ref.replace("#/definitions/", "")], ref);
  });

  it("pod.spec.containers: Containers merged by name, with the field descriptions kubectl explain prints", () => {
    const doc = v3("api/v1");
    const pod = doc.components.schemas["io.k8s.api.core.v1.Pod"] as Json;
    assert.match(pod.description as string, /^Pod is a collection of containers/);
    const spec = resolve(doc, pod.properties.spec as Json);
    assert.equal(spec, doc.components.schemas["io.k8s.api.core.v1.PodSpec"]);
    const containers = spec.properties.containers as Json;
    assert.equal(containers.type, "array");
    assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
    assert.equal(containers["x-kubernetes-patch-strategy"], "merge");
    assert.match(containers.description as string, /^List of containers belonging to the pod/);
    const container = resolve(doc, containers.items as Json);
    assert.match(container.properties.image.description as string, /^Container image name/);
    assert.equal(container.properties.ports.items.allOf[0].$ref, "#/components/schemas/io.k8s.api.core.v1.ContainerPort");
    assert.deepEqual(resolve(doc, pod.properties.metadata as Json), doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
  });

  it("deployment.spec.strategy is apps/v1 DeploymentStrategy; the template is core's PodTemplateSpec", () => {
    const doc = v3("apis/apps/v1");
    const spec = doc.components.schemas["io.k8s.api.apps.v1.DeploymentSpec"] as Json;
    assert.match(spec.properties.strategy.description as string, /deployment strategy to use/);
    const strategy = resolve(doc, spec.properties.strategy as Json);
    assert.match(strategy.properties.type.description as string, /"Recreate" or "RollingUpdate"/);
    assert.equal(spec.properties.template.allOf[0].$ref, "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec");
    const v2 = JSON.parse(openapiV2()) as Json;
    assert.equal(v2.definitions["io.k8s.api.apps.v1.DeploymentSpec"].properties.strategy.$ref, "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy");
  });

  it("/openapi/v2 answers JSON, or 406 to a client that takes only protobuf", async () => {
    assert.equal(acceptsJson(undefined), true);
    assert.equal(acceptsJson("application/json;q=0.9,*/*;q=0.1"), true);
    assert.equal(acceptsJson("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), false);
    assert.equal(acceptsJson("application/json;q=0"), false);
  });
});

describe("/openapi/v2 over HTTP", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("JSON by default, 406 Status for protobuf only", async () => {
    const json = await t.client.raw("GET", "/openapi/v2", { accept: "application/json" });
    assert.equal(json.status, 200);
    assert.equal((JSON.parse(json.body.toString()) as Json).swagger, "2.0");
    const pb = await t.client.raw("GET", "/openapi/v2", { accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    assert.equal(pb.status, 406);
    assert.equal((JSON.parse(pb.body.toString()) as Json).reason, "NotAcceptable");
  });
});
