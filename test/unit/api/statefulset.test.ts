/** apps/v1 StatefulSet and ControllerRevision admission: the v1 defaults, Kubernetes' field errors, the Table, Scale. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { scaleOf } from "../../../src/api/apps.js";
import type { StatefulSet } from "../../../src/api/apps-types.js";
import { ApiError } from "../../../src/api/errors.js";
import { printerFor } from "../../../src/api/tables/index.js";

const ctx = { nodeName: "node1" };

function sts(spec: Record<string, unknown> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      serviceName: "nginx",
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx", volumeMounts: [{ name: "www", mountPath: "/data" }] }] } },
      volumeClaimTemplates: [{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      ...spec,
    },
  };
}

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 422, String(err));
    return err.message;
  }
  assert.fail("admitted");
}

describe("StatefulSet admission", () => {
  it("defaults as SetDefaults_StatefulSet, and the claim templates as claims", () => {
    const s = admitCreate(sts(), ctx);
    assert.equal(s.spec.replicas, 1);
    assert.equal(s.spec.podManagementPolicy, "OrderedReady");
    assert.deepEqual(s.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    assert.equal(s.spec.revisionHistoryLimit, 10);
    assert.equal(s.spec.volumeClaimTemplates?.[0].spec.volumeMode, "Filesystem");
    assert.deepEqual(s.spec.volumeClaimTemplates?.[0].status, { phase: "Pending" });
    assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 });
  });

  it("mounting a claim template is a valid volume mount; an unknown volume is not", () => {
    assert.match(invalidMessage(() => admitCreate(sts({ volumeClaimTemplates: [] }), ctx)), /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "www"/);
  });

  it("Kubernetes' field errors", () => {
    assert.match(invalidMessage(() => admitCreate(sts({ replicas: -1 }), ctx)), /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(invalidMessage(() => admitCreate(sts({ podManagementPolicy: "Random" }), ctx)), /spec\.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'/);
    assert.match(invalidMessage(() => admitCreate(sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -2 } } }), ctx)), /spec\.updateStrategy\.rollingUpdate\.partition: Invalid value: -2: must be greater than or equal to 0/);
    assert.match(invalidMessage(() => admitCreate(sts({ updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } } }), ctx)), /spec\.updateStrategy\.rollingUpdate: Invalid value: .*only allowed for updateStrategy 'RollingUpdate'/);
    assert.match(
      invalidMessage(() => admitCreate(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Keep" } }), ctx)),
      /spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"/,
    );
    assert.match(invalidMessage(() => admitCreate(sts({ selector: { matchLabels: { app: "other" } } }), ctx)), /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    assert.match(invalidMessage(() => admitCreate(sts({ selector: {} }), ctx)), /empty selector is invalid for statefulset/);
    const noStorage = sts({ volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"] } }] });
    assert.match(invalidMessage(() => admitCreate(noStorage, ctx)), /spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: Required value/);
  });

  it("only replicas, template, updateStrategy, retention, history and minReadySeconds may change", () => {
    const old = { ...admitCreate(sts(), ctx), metadata: { name: "web", namespace: "default", uid: "u", resourceVersion: "1" } };
    const scaled = admitUpdate({ ...old, spec: { ...old.spec, replicas: 3 } }, old, ctx);
    assert.equal(scaled.spec.replicas, 3);
    assert.match(
      invalidMessage(() => admitUpdate({ ...old, spec: { ...old.spec, serviceName: "other" } }, old, ctx)),
      /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden/,
    );
  });

  it("Table READY and AGE; Scale with the selector", () => {
    const s = { ...admitCreate(sts({ replicas: 2 }), ctx), status: { replicas: 2, readyReplicas: 1 } };
    s.metadata.creationTimestamp = "2026-12-01T00:00:00Z";
    const p = printerFor("StatefulSet");
    assert.deepEqual(p.columns.filter((c) => !c.priority).map((c) => c.name), ["Name", "Ready", "Age"]);
    assert.deepEqual(p.cells(s, Date.parse("2026-12-01T00:05:00Z")).slice(0, 3), ["web", "1/2", "5m"]);
    assert.deepEqual(scaleOf(s).status, { replicas: 2, selector: "app=web" });
  });

  it("ControllerRevision: data is mandatory and immutable", () => {
    const cr = { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "web-1", namespace: "default" }, revision: 1 };
    assert.match(invalidMessage(() => admitCreate(cr, ctx)), /data: Required value: data is mandatory/);
    const stored = admitCreate({ ...cr, data: { spec: {} } }, ctx);
    assert.match(invalidMessage(() => admitUpdate({ ...stored, data: { spec: { x: 1 } } }, stored, ctx)), /data: Invalid value: .*field is immutable/);
    assert.equal(admitUpdate({ ...stored, revision: 4 }, stored, ctx).revision, 4);
  });
});
