/**
 * Field sets and field ownership (server-side apply): the fieldsV1 shape upstream writes (list items by their
 * keys with ".", atomic selectors, maps without "." when applied), Update entries for what changed, Apply entries
 * for exactly what was applied, conflicts worded as kube-apiserver words them, force moving ownership, fields
 * dropped from the configuration removed unless someone else owns them, and the managedFields reset.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare, fieldSetOf, FieldSet, mergeApplied, pathString } from "../../../src/api/field-set.js";
import type { JsonObject } from "../../../src/api/json.js";
import { applyConfiguration, managedFieldsAfterUpdate, type FieldManagerRequest, type ManagedFieldsEntry } from "../../../src/api/managed-fields.js";
import { schemaForKind } from "../../../src/api/schema.js";
import type { KubeObject } from "../../../src/api/types.js";
import { prefixFromUserAgent } from "../../../src/apiserver/handlers/field-manager.js";
import { apiError } from "./helpers.js";

const T1 = "2026-12-07T06:00:00Z";
const T2 = "2026-12-07T06:01:00Z";
const T3 = "2026-12-07T06:02:00Z";
const req = (manager: string, now: string, subresource?: string): FieldManagerRequest => ({ manager, apiVersion: "apps/v1", hasStatus: true, now, ...(subresource ? { subresource } : {}) });

function deployment(replicas: number | undefined, containers: JsonObject[], labels: Record<string, string> = { app: "web" }): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
    },
  } as unknown as KubeObject;
}
const nginx: JsonObject = { name: "nginx", image: "nginx:1", ports: [{ containerPort: 80 }] };

/** The stored object after an apply: what the handler hands to admission, with its managedFields. */
function stored(a: { object: KubeObject; managedFields: ManagedFieldsEntry[] }): KubeObject {
  return { ...a.object, metadata: { ...a.object.metadata, managedFields: a.managedFields } };
}
const entry = (obj: KubeObject, manager: string) => (obj.metadata.managedFields as ManagedFieldsEntry[]).find((e) => e.manager === manager);

describe("field sets", () => {
  it("an applied Deployment's set: items by key with '.', the selector atomic, ports keyed with protocol defaulted", () => {
    const set = fieldSetOf(deployment(2, [nginx]) as unknown as JsonObject, schemaForKind("Deployment")!);
    const v1 = set.toFieldsV1();
    assert.deepEqual(v1["f:spec"], {
      "f:replicas": {},
      "f:selector": {},
      "f:template": {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:containers": {
            'k:{"name":"nginx"}': {
              ".": {},
              "f:image": {},
              "f:name": {},
              "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
            },
          },
        },
      },
    });
    assert.deepEqual(FieldSet.fromFieldsV1(v1).toFieldsV1(), v1, "fieldsV1 round-trips");
  });

  it("paths print as structured-merge-diff prints them", () => {
    assert.equal(pathString(["f:spec", "f:replicas"]), ".spec.replicas");
    assert.equal(pathString(["f:spec", "f:containers", 'k:{"name":"c"}', "f:image"]), '.spec.containers[name="c"].image');
    assert.equal(pathString(["f:ports", 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(["f:metadata", "f:finalizers", 'v:"x"']), '.metadata.finalizers[="x"]');
  });

  it("compare: a changed leaf, an added map with its keys, a removed list item with its fields", () => {
    const schema = schemaForKind("Deployment")!;
    const a = deployment(1, [nginx, { name: "side", image: "busybox" }], {}) as unknown as JsonObject;
    const b = deployment(2, [nginx], { app: "web" }) as unknown as JsonObject;
    const c = compare(a, b, schema);
    assert.deepEqual(c.changed.paths().map(pathString).sort(), [".metadata.labels.app", ".spec.replicas"]);
    assert.deepEqual(c.removed.paths().map(pathString), ['.spec.template.spec.containers[name="side"]', '.spec.template.spec.containers[name="side"].image', '.spec.template.spec.containers[name="side"].name']);
  });

  it("merge: associative lists by key keep live items and fields, atomic lists are replaced", () => {
    const schema = schemaForKind("Deployment")!;
    const live = deployment(1, [{ ...nginx, env: [{ name: "A", value: "1" }], command: ["a", "b"] }]) as unknown as JsonObject;
    const config = deployment(3, [{ name: "nginx", image: "nginx:2", command: ["c"] }, { name: "side", image: "busybox" }]) as unknown as JsonObject;
    const merged = mergeApplied(live, config, schema) as JsonObject;
    const containers = ((merged["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject;
    assert.deepEqual(containers["containers"], [
      { name: "nginx", image: "nginx:2", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }], command: ["c"] },
      { name: "side", image: "busybox" },
    ]);
  });
});

describe("managedFields", () => {
  it("create as an Update: every field set, maps with '.', no status, no server-set metadata", () => {
    const obj = { ...deployment(1, [nginx]), status: { replicas: 0 } } as KubeObject;
    obj.metadata.uid = "u1";
    const [e] = managedFieldsAfterUpdate(undefined, obj, req("kubectl-create", T1));
    assert.equal(e.manager, "kubectl-create");
    assert.equal(e.operation, "Update");
    assert.equal(e.apiVersion, "apps/v1");
    assert.equal(e.time, T1);
    assert.equal(e.fieldsType, "FieldsV1");
    assert.deepEqual(Object.keys(e.fieldsV1).sort(), ["f:metadata", "f:spec"]);
    assert.deepEqual(e.fieldsV1["f:metadata"], { "f:labels": { ".": {}, "f:app": {} } });
    assert.ok(!("f:status" in e.fieldsV1));
  });

  it("apply, then kubectl scale (an Update on the scale subresource), then apply again: the 409 upstream gives; force takes the field", () => {
    const first = stored(applyConfiguration(undefined, deployment(2, [nginx]), req("kubectl", T1), false));
    assert.deepEqual(first.metadata.managedFields!.map((e) => [(e as ManagedFieldsEntry).manager, (e as ManagedFieldsEntry).operation]), [["kubectl", "Apply"]]);
    const scaled = deployment(5, [nginx]);
    scaled.metadata.managedFields = first.metadata.managedFields;
    const afterScale = { ...scaled, metadata: { ...scaled.metadata, managedFields: managedFieldsAfterUpdate(first, scaled, req("kubectl", T2, "scale")) } };
    const scaleEntry = entry(afterScale, "kubectl")!;
    assert.ok(afterScale.metadata.managedFields.some((e) => e.operation === "Update" && e.subresource === "scale"));
    assert.equal(scaleEntry.operation, "Apply", "Apply entries sort first");
    assert.ok(!("f:replicas" in (entry(afterScale, "kubectl")!.fieldsV1["f:spec"] as JsonObject)), "the applier lost .spec.replicas");

    const err = apiError(() => applyConfiguration(afterScale, deployment(2, [nginx]), req("kubectl", T3), false));
    assert.equal(err.code, 409);
    assert.equal(err.reason, "Conflict");
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    assert.deepEqual(err.details.causes, [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: ".spec.replicas" }]);

    const same = applyConfiguration(afterScale, deployment(5, [nginx]), req("kubectl", T3), false);
    assert.equal(same.managedFields.length, 2, "applying the value the scale set is no conflict: both own it");

    const forced = applyConfiguration(afterScale, deployment(2, [nginx]), req("kubectl", T3), true);
    assert.equal(((forced.object as unknown as JsonObject)["spec"] as JsonObject)["replicas"], 2);
    assert.deepEqual(forced.managedFields.map((e) => [e.manager, e.operation, e.time]), [["kubectl", "Apply", T3]], "the scale entry owned nothing else and is gone");
  });

  it("conflicts with several managers and fields list them per manager", () => {
    const created = deployment(1, [nginx]);
    created.metadata.managedFields = managedFieldsAfterUpdate(undefined, created, { ...req("kubectl-client-side-apply", T1) });
    const err = apiError(() => applyConfiguration(created, deployment(3, [{ ...nginx, image: "nginx:2" }]), req("kubectl", T2), false));
    assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
  });

  it("a field dropped from the configuration is removed, unless another manager owns it", () => {
    const first = stored(applyConfiguration(undefined, deployment(2, [nginx, { name: "side", image: "busybox" }], { app: "web", tier: "front" }), req("kubectl", T1), false));
    // Another manager adds an env var to the side container and a label.
    const edited = deployment(2, [nginx, { name: "side", image: "busybox", env: [{ name: "X", value: "1" }] }], { app: "web", tier: "front", owner: "ops" });
    edited.metadata.managedFields = first.metadata.managedFields;
    const afterEdit = { ...edited, metadata: { ...edited.metadata, managedFields: managedFieldsAfterUpdate(first, edited, req("kubectl-edit", T2)) } };
    // The applier drops the tier label, the replicas and the side container.
    const next = applyConfiguration(afterEdit, deployment(undefined, [nginx]), req("kubectl", T3), false);
    const obj = next.object as unknown as { metadata: { labels: Record<string, string> }; spec: JsonObject & { template: { spec: { containers: JsonObject[] } } } };
    assert.deepEqual(obj.metadata.labels, { app: "web", owner: "ops" });
    assert.ok(!("replicas" in obj.spec));
    // kubectl-edit owns the side container's env entry, so the container stays with what that manager owns.
    assert.deepEqual(obj.spec.template.spec.containers, [nginx, { name: "side", env: [{ name: "X", value: "1" }] }]);
    const applied = next.managedFields.find((e) => e.manager === "kubectl")!;
    assert.ok(!("f:replicas" in (applied.fieldsV1["f:spec"] as JsonObject)));
  });

  it("a whole container dropped from the configuration goes when nobody else owns part of it", () => {
    const first = stored(applyConfiguration(undefined, deployment(1, [nginx, { name: "side", image: "busybox" }]), req("kubectl", T1), false));
    const next = applyConfiguration(first, deployment(1, [nginx]), req("kubectl", T2), false);
    const spec = (((next.object as unknown as JsonObject)["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject;
    assert.deepEqual(spec["containers"], [nginx]);
  });

  it("managedFields in an applied configuration are refused; [{}] in an update clears them; [] keeps them", () => {
    const cfg = deployment(1, [nginx]);
    cfg.metadata.managedFields = [];
    assert.equal(apiError(() => applyConfiguration(undefined, cfg, req("kubectl", T1), false)).message, "metadata.managedFields must be nil");
    const live = stored(applyConfiguration(undefined, deployment(1, [nginx]), req("kubectl", T1), false));
    const reset = { ...live, metadata: { ...live.metadata, managedFields: [{}] } };
    assert.deepEqual(managedFieldsAfterUpdate(live, reset, req("x", T2)), []);
    const kept = { ...live, metadata: { ...live.metadata, managedFields: [] } };
    assert.deepEqual(managedFieldsAfterUpdate(live, kept, req("x", T2)), live.metadata.managedFields);
  });

  it("the status subresource owns only .status; the main resource never does", () => {
    const live = stored(applyConfiguration(undefined, deployment(1, [nginx]), req("kubectl", T1), false));
    const withStatus = { ...live, status: { replicas: 1 } } as KubeObject;
    const entries = managedFieldsAfterUpdate(live, withStatus, req("controller", T2, "status"));
    const e = entries.find((x) => x.manager === "controller")!;
    assert.deepEqual(e.fieldsV1, { "f:status": { "f:replicas": {} } });
    assert.equal(e.subresource, "status");
  });

  it("the default manager is the User-Agent before its first slash", () => {
    assert.equal(prefixFromUserAgent("kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146"), "kubectl");
    assert.equal(prefixFromUserAgent("a\u0007b/1"), "ab");
    assert.equal(prefixFromUserAgent("x".repeat(200)).length, 128);
  });
});
