/**
 * `kubectl explain KIND` for every served kind prints a description and each top-level field with its own
 * description: checked on the generated OpenAPI v3 document kubectl reads (the e2e runs the real kubectl over
 * every kind too). ResourceQuota and LimitRange describe their spec down to the fields.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openapiDefinitions, definitionName } from "../../../src/api/openapi-schema.js";
import { RESOURCES } from "../../../src/api/resources.js";
import { SCHEMAS } from "../../../src/api/schema.js";

type Def = { description?: string; properties?: Record<string, { description?: string; allOf?: { $ref: string }[] }> };
const defs = openapiDefinitions(RESOURCES, "v3") as Record<string, Def>;
const refOf = (f: { allOf?: { $ref: string }[] }): string => (f.allOf?.[0]?.$ref ?? "").replace("#/components/schemas/", "");

describe("every served kind is described for kubectl explain", () => {
  for (const r of RESOURCES) {
    it(`${r.kind}: a schema, a description and a described top-level field each`, () => {
      assert.equal(SCHEMAS[r.kind]?.kind, "struct", `${r.kind} has a schema`);
      const def = defs[definitionName(r)];
      assert.ok(def.description && def.description.length > 20, `${r.kind} description`);
      const fields = Object.entries(def.properties ?? {});
      assert.ok(fields.length > 3, `${r.kind} has fields beyond apiVersion, kind and metadata`);
      for (const [name, f] of fields) assert.ok(f.description, `${r.kind}.${name} has a description`);
    });
  }

  it("resourcequota.spec and limitrange.spec.limits have described fields", () => {
    const rq = defs["io.k8s.api.core.v1.ResourceQuota"];
    const spec = defs[refOf(rq.properties!.spec)];
    assert.match(spec.description!, /^ResourceQuotaSpec defines the desired hard limits/);
    assert.deepEqual(Object.keys(spec.properties!).sort(), ["hard", "scopeSelector", "scopes"]);
    for (const f of Object.values(spec.properties!)) assert.ok(f.description);
    const lr = defs[refOf(defs["io.k8s.api.core.v1.LimitRange"].properties!.spec)];
    assert.match(lr.properties!.limits.description!, /^Limits is the list of LimitRangeItem/);
    const item = defs["io.k8s.api.core.v1.LimitRangeItem"];
    assert.deepEqual(Object.keys(item.properties!).sort(), ["default", "defaultRequest", "max", "maxLimitRequestRatio", "min", "type"]);
  });
});
