/**
 * The cap on Update entries (the apiserver's capManagersManager): past 10, the oldest are merged into one
 * `ancient-changes` entry per apiVersion, holding their fields and the time of the last one merged; Apply entries
 * are never merged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANCIENT_CHANGES, applyConfiguration, managedFieldsAfterUpdate, MAX_UPDATE_MANAGERS, type ManagedFieldsEntry } from "../../../src/api/managed-fields.js";
import type { KubeObject } from "../../../src/api/types.js";

const at = (minute: number) => `2026-12-07T06:${String(minute).padStart(2, "0")}:00Z`;

function configMap(data: Record<string, string>, managedFields?: ManagedFieldsEntry[]): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default", ...(managedFields ? { managedFields } : {}) }, data } as unknown as KubeObject;
}

/** Manager i adds key ki at minute i; returns the object after `n` such updates. */
function updatedBy(n: number, start: KubeObject = configMap({})): KubeObject {
  let obj = start;
  for (let i = 0; i < n; i++) {
    const next = configMap({ ...(obj as unknown as { data: Record<string, string> }).data, [`k${i}`]: "v" });
    const managedFields = managedFieldsAfterUpdate(obj, next, { manager: `m${i}`, apiVersion: "v1", hasStatus: false, now: at(i) });
    obj = configMap((next as unknown as { data: Record<string, string> }).data, managedFields);
  }
  return obj;
}

const entries = (obj: KubeObject) => obj.metadata.managedFields as ManagedFieldsEntry[];
const dataKeys = (e: ManagedFieldsEntry | undefined) => Object.keys((e?.fieldsV1["f:data"] ?? {}) as object).sort();

describe("the cap on Update managers", () => {
  it("ten Update managers are kept as they are", () => {
    const obj = updatedBy(MAX_UPDATE_MANAGERS);
    assert.deepEqual(entries(obj).map((e) => e.manager), ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]);
  });

  it("the eleventh merges the two oldest into ancient-changes, with the later one's time; the next joins it", () => {
    const eleven = updatedBy(11);
    const e = entries(eleven);
    assert.equal(e.length, MAX_UPDATE_MANAGERS);
    const ancient = e.find((x) => x.manager === ANCIENT_CHANGES);
    assert.deepEqual({ ...ancient, fieldsV1: undefined }, { manager: ANCIENT_CHANGES, operation: "Update", apiVersion: "v1", time: at(1), fieldsType: "FieldsV1", fieldsV1: undefined });
    assert.deepEqual(dataKeys(ancient), ["f:k0", "f:k1"]);
    assert.deepEqual(e.map((x) => x.manager), [ANCIENT_CHANGES, "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
    // One more Update by a new manager: the oldest left (m2) joins the bucket, which takes its time.
    const twelve = configMap({ ...(eleven as unknown as { data: Record<string, string> }).data, k11: "v" });
    const next = managedFieldsAfterUpdate(eleven, twelve, { manager: "m11", apiVersion: "v1", hasStatus: false, now: at(11) });
    assert.equal(next.length, MAX_UPDATE_MANAGERS);
    const bucket = next.find((x) => x.manager === ANCIENT_CHANGES);
    assert.deepEqual(dataKeys(bucket), ["f:k0", "f:k1", "f:k2"]);
    assert.equal(bucket?.time, at(2));
    assert.ok(!next.some((x) => x.manager === "m2"));
  });

  it("Apply entries are not counted or merged", () => {
    const config = configMap({ applied: "yes" });
    const applied = applyConfiguration(configMap({}), config, { manager: "applier", apiVersion: "v1", hasStatus: false, now: at(0) }, false);
    const start = configMap({ applied: "yes" }, applied.managedFields);
    const obj = updatedBy(11, start);
    const e = entries(obj);
    assert.equal(e.length, MAX_UPDATE_MANAGERS + 1);
    assert.deepEqual(e[0].manager, "applier");
    assert.deepEqual(dataKeys(e[0]), ["f:applied"]);
    assert.equal(e.filter((x) => x.operation === "Update").length, MAX_UPDATE_MANAGERS);
  });
});
