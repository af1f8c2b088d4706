/** apps/v1 Deployment and ReplicaSet admission: the v1 defaults and Kubernetes' field errors, and the Scale view. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate } from "../../../src/api/admission.js";
import { scaleOf } from "../../../src/api/apps.js";
import type { Deployment, ReplicaSet } from "../../../src/api/apps-types.js";
import { ApiError } from "../../../src/api/errors.js";

const ctx = { nodeName: "node1" };

function deployment(spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: "web" }): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }] } }, ...spec },
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

describe("apps/v1 defaults", () => {
  it("Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, pod defaults in the template", () => {
    const d = admitCreate(deployment(), ctx);
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.restartPolicy, "Always");
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, "Always");
    assert.equal(d.spec.template.spec.containers[0].terminationMessagePath, "/dev/termination-log");
  });

  it("Recreate gets no rollingUpdate; ReplicaSet: replicas 1", () => {
    const d = admitCreate(deployment({ strategy: { type: "Recreate" } }), ctx);
    assert.deepEqual(d.spec.strategy, { type: "Recreate" });
    const rs = admitCreate({ ...deployment(), kind: "ReplicaSet" } as unknown as ReplicaSet, ctx);
    assert.equal(rs.spec.replicas, 1);
  });
});

describe("apps/v1 validation", () => {
  it("a selector that does not match the template's labels", () => {
    assert.equal(
      invalidMessage(() => admitCreate(deployment({}, { app: "other" }), ctx)),
      'Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
  });

  it("maxSurge and maxUnavailable both 0", () => {
    const d = deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } } });
    assert.equal(
      invalidMessage(() => admitCreate(d, ctx)),
      'Deployment "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
    );
  });

  it("negative replicas, a missing selector, an empty one, a bad restartPolicy, a deadline not above minReadySeconds", () => {
    assert.match(invalidMessage(() => admitCreate(deployment({ replicas: -1 }), ctx)), /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(invalidMessage(() => admitCreate(deployment({ selector: undefined }), ctx)), /spec\.selector: Required value/);
    assert.match(
      invalidMessage(() => admitCreate(deployment({ selector: {} }), ctx)),
      /spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\(nil\), MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: empty selector is invalid for deployment/,
    );
    const onFailure = deployment();
    onFailure.spec.template.spec.restartPolicy = "OnFailure";
    assert.match(invalidMessage(() => admitCreate(onFailure, ctx)), /spec\.template\.spec\.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"/);
    assert.match(invalidMessage(() => admitCreate(deployment({ minReadySeconds: 10, progressDeadlineSeconds: 10 }), ctx)), /spec\.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds/);
    assert.match(invalidMessage(() => admitCreate(deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%" } } }), ctx)), /must not be greater than 100%/);
  });

  it("the selector is immutable", () => {
    const d = admitCreate(deployment(), ctx);
    const next = deployment({ selector: { matchLabels: { app: "web", v: "2" } } }, { app: "web", v: "2" });
    assert.match(
      invalidMessage(() => admitUpdate(next, d, ctx)),
      /spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"web", "v":"2"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/,
    );
  });
});

describe("Scale", () => {
  it("shows spec.replicas, status.replicas and the selector as a string", () => {
    const d = admitCreate(deployment({ replicas: 3 }), ctx);
    const s = scaleOf({ ...d, status: { replicas: 2 } });
    assert.deepEqual({ apiVersion: s.apiVersion, kind: s.kind, spec: s.spec, status: s.status }, { apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 3 }, status: { replicas: 2, selector: "app=web" } });
  });
});
