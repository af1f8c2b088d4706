import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OTHER_VERSIONS, RESOURCES } from "../../../src/api/resources.js";
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from "../../../src/apiserver/discovery.js";
import { negotiateDiscovery, negotiateObject } from "../../../src/apiserver/negotiate.js";
import { openapiDocument, openapiRoot } from "../../../src/apiserver/openapi.js";

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- these tests walk the discovery JSON by hand; a wrong shape fails their assertions */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only JSON walking

describe("aggregated discovery", () => {
  const core = aggregatedDiscovery(true, "v2") as Json;
  const apis = aggregatedDiscovery(false, "v2") as Json;

  it("has the shape kubectl decodes", () => {
    assert.equal(core.kind, "APIGroupDiscoveryList");
    assert.equal(core.apiVersion, "apidiscovery.k8s.io/v2");
    assert.equal(core.items.length, 1);
    assert.equal(core.items[0].metadata.name, "");
    assert.equal(core.items[0].versions[0].freshness, "Current");
  });

  it("lists every resource of the table with a responseKind", () => {
    const all = [...core.items, ...apis.items].flatMap((g: Json) => g.versions.flatMap((v: Json) => v.resources));
    assert.equal(all.length, RESOURCES.length + OTHER_VERSIONS.length);
    for (const r of all) assert.ok(r.responseKind?.kind, `${r.resource} has a responseKind`);
  });

  it("describes pods with short names, categories and subresources", () => {
    const pods = core.items[0].versions[0].resources.find((r: Json) => r.resource === "pods");
    assert.deepEqual(pods.responseKind, { group: "", version: "v1", kind: "Pod" });
    assert.equal(pods.scope, "Namespaced");
    assert.deepEqual(pods.shortNames, ["po"]);
    assert.deepEqual(pods.categories, ["all"]);
    const subs = Object.fromEntries(pods.subresources.map((s: Json) => [s.subresource, s]));
    assert.deepEqual(Object.keys(subs).sort(), ["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "status"]);
    assert.equal(subs.exec.responseKind.kind, "PodExecOptions");
    assert.deepEqual(subs.ephemeralcontainers, { subresource: "ephemeralcontainers", responseKind: { group: "", version: "v1", kind: "Pod" }, verbs: ["get", "patch", "update"] });
  });

  it("lists metrics.k8s.io/v1beta1 (kubectl top needs it) and discovery.k8s.io/v1", () => {
    const groups = apis.items.map((g: Json) => `${g.metadata.name}/${g.versions[0].version}`);
    for (const g of ["apps/v1", "discovery.k8s.io/v1", "metrics.k8s.io/v1beta1", "storage.k8s.io/v1"]) assert.ok(groups.includes(g), `${g} in ${groups.join(" ")}`);
  });

  it("is negotiated from kubectl's Accept header, with the exact Content-Type", () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    assert.equal(negotiateDiscovery(accept), "v2");
    assert.equal(negotiateDiscovery("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"), "v2beta1");
    assert.equal(negotiateDiscovery("application/json, */*"), undefined);
    assert.equal(negotiateDiscovery(undefined), undefined);
    assert.equal(aggregatedContentType("v2"), "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  });
});

describe("legacy discovery", () => {
  it("/api lists v1", () => assert.deepEqual((apiVersions("h:1") as Json).versions, ["v1"]));

  it("/apis lists the named groups with preferred versions", () => {
    const list = apiGroupList() as Json;
    const dis = list.groups.find((g: Json) => g.name === "discovery.k8s.io");
    assert.deepEqual(dis.preferredVersion, { groupVersion: "discovery.k8s.io/v1", version: "v1" });
  });

  it("/api/v1 lists resources and subresources as plural/sub", () => {
    const list = apiResourceList("", "v1") as Json;
    assert.equal(list.groupVersion, "v1");
    const names = list.resources.map((r: Json) => r.name);
    for (const n of ["pods", "pods/log", "pods/exec", "pods/status", "services", "events", "nodes", "namespaces"]) assert.ok(names.includes(n), n);
    const pods = list.resources.find((r: Json) => r.name === "pods");
    assert.equal(pods.namespaced, true);
    assert.equal(pods.kind, "Pod");
  });
});

describe("object negotiation", () => {
  const TA = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  it("Table v1, then v1beta1", () => {
    assert.deepEqual(negotiateObject(TA), { shape: "table", version: "v1" });
    assert.deepEqual(negotiateObject("application/json;as=Table;v=v1beta1;g=meta.k8s.io"), { shape: "table", version: "v1beta1" });
  });
  it("protobuf when it comes first and the kind has it; else the next range, as for custom resources", () => {
    const PB = "application/vnd.kubernetes.protobuf";
    assert.deepEqual(negotiateObject(`${PB},application/json`, true), { shape: "object", protobuf: true });
    assert.deepEqual(negotiateObject(`application/json,${PB}`, true), { shape: "object", protobuf: false });
    assert.deepEqual(negotiateObject(`${PB},application/json`, false), { shape: "object", protobuf: false });
    assert.deepEqual(negotiateObject(`${PB};as=Table;v=v1;g=meta.k8s.io,${TA}`, true), { shape: "table", version: "v1" });
    assert.deepEqual(negotiateObject(PB), { shape: "object", protobuf: false });
    assert.deepEqual(negotiateObject(undefined), { shape: "object", protobuf: false });
  });
  it("PartialObjectMetadata, in protobuf for v1 only", () => {
    assert.deepEqual(negotiateObject("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"), { shape: "partial", version: "v1", protobuf: false });
    const pb = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    assert.deepEqual(negotiateObject(pb), { shape: "partial", version: "v1", protobuf: true });
    const beta = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1";
    assert.deepEqual(negotiateObject(beta), { shape: "partial", version: "v1beta1", protobuf: false });
  });
});

describe("openapi v3 stub", () => {
  it("points to a hashed document per group/version", () => {
    const root = openapiRoot() as Json;
    assert.match(root.paths["api/v1"].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    assert.ok(root.paths["apis/discovery.k8s.io/v1"]);
  });

  it("has a PATCH with the pod GVK and the fieldValidation parameter (what kubectl looks for)", () => {
    const doc = JSON.parse(openapiDocument("api/v1") ?? "{}") as Json;
    const patch = doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"].patch;
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], { group: "", version: "v1", kind: "Pod" });
    assert.ok(patch.parameters.some((p: Json) => p.name === "fieldValidation" && p.in === "query"));
    assert.ok(doc.paths["/api/v1/nodes/{name}"].patch, "cluster-scoped kinds too");
    const ds = JSON.parse(openapiDocument("apis/discovery.k8s.io/v1") ?? "{}") as Json;
    assert.equal(ds.paths["/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices/{name}"].patch["x-kubernetes-group-version-kind"].kind, "EndpointSlice");
  });
});
