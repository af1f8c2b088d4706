import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { admitCreate, admitUpdate, servedKinds } from "../../../src/api/admission.js";
import { assertNoUnknownFields, unknownFields } from "../../../src/api/type-check.js";
import type { KubeObject } from "../../../src/api/types.js";
import { apiError, CTX, pod } from "./helpers.js";

const create = (obj: unknown): KubeObject => admitCreate(obj as KubeObject, CTX);

describe("admission dispatch", () => {
  it("rejects bodies that are not objects of a served kind with 400", () => {
    const cases: [unknown, string][] = [
      [[], "the request body must be a JSON object"],
      [{ apiVersion: "v1", metadata: {} }, "Object 'Kind' is missing in the request body"],
      [{ kind: "Pod", metadata: {} }, "Object 'apiVersion' is missing in the request body"],
      [{ apiVersion: "example.com/v1", kind: "Widget", metadata: {} }, 'no kind "Widget" is registered for version "example.com/v1"'],
      [{ apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics", metadata: {} }, 'no kind "PodMetrics" is registered for version "metrics.k8s.io/v1beta1"'],
      [{ apiVersion: "apps/v1", kind: "Pod", metadata: {} }, "the API version in the data (apps/v1) does not match the expected API version (v1)"],
    ];
    for (const [obj, message] of cases) {
      const err = apiError(() => create(obj));
      assert.equal(err.reason, "BadRequest");
      assert.equal(err.code, 400);
      assert.equal(err.message, message);
    }
  });

  it("rejects wrongly typed fields as the Go decoder does", () => {
    const p = pod();
    (p.spec.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: "80" }];
    const err = apiError(() => create(p));
    assert.equal(err.code, 400);
    assert.equal(
      err.message,
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    const q = pod();
    (q.spec as unknown as { containers: unknown }).containers = { name: "c" };
    assert.match(apiError(() => create(q)).message, /cannot unmarshal object into Go struct field PodSpec\.spec\.containers of type \[\]v1\.Container$/);
    const r = pod();
    (r.metadata as unknown as { labels: unknown }).labels = { a: 1 };
    assert.match(apiError(() => create(r)).message, /cannot unmarshal number into Go struct field ObjectMeta\.metadata\.labels of type string$/);
    const s = pod({ terminationGracePeriodSeconds: 1.5 });
    assert.match(apiError(() => create(s)).message, /cannot unmarshal number 1\.5 into Go struct field PodSpec\.spec\.terminationGracePeriodSeconds of type int64$/);
    const slice = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "x" }, addressType: 4, endpoints: [] };
    assert.match(apiError(() => create(slice)).message, /^EndpointSlice in version "v1" cannot be handled as a EndpointSlice: /);
  });

  it("accepts unknown fields and keeps them", () => {
    const p = pod() as unknown as { spec: Record<string, unknown> };
    p.spec["futureField"] = { x: 1 };
    assert.deepEqual((create(p) as unknown as { spec: Record<string, unknown> }).spec["futureField"], { x: 1 });
  });

  it("lists unknown fields for strict field validation", () => {
    const p = pod() as unknown as { spec: { containers: Record<string, unknown>[]; affinity?: unknown }; metadata: Record<string, unknown> };
    p.spec.containers[0]["imagee"] = "x";
    p.metadata["lables"] = { a: "b" };
    p.spec.affinity = { nodeAffinity: { anything: true } };
    assert.deepEqual(unknownFields(p, "Pod"), ["metadata.lables", "spec.containers[0].imagee"]);
    assert.deepEqual(unknownFields(pod(), "Pod"), []);
    assert.deepEqual(unknownFields({ spec: { x: 1 } }, "Widget"), []);
    const err = apiError(() => assertNoUnknownFields(p, "Pod", "v1"));
    assert.equal(err.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.lables", unknown field "spec.containers[0].imagee"');
  });

  it("sets the namespace of namespaced kinds and clears it on cluster-scoped ones", () => {
    assert.equal(create(pod()).metadata.namespace, "default");
    const p = pod();
    p.metadata.namespace = "team-a";
    assert.equal(create(p).metadata.namespace, "team-a");
    assert.equal(create({ apiVersion: "v1", kind: "Node", metadata: { name: "n", namespace: "x" } }).metadata.namespace, undefined);
  });

  it("creates metadata when it is missing", () => {
    const out = create({ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cfg-" } });
    assert.equal(out.metadata.name, "cfg-bbbbb");
  });

  it("never mutates its inputs", () => {
    const old = create(pod());
    const oldCopy = structuredClone(old);
    const next = structuredClone(old);
    next.metadata.labels = { a: "b" };
    const nextCopy = structuredClone(next);
    admitUpdate(next, old, CTX);
    assert.deepEqual(old, oldCopy);
    assert.deepEqual(next, nextCopy);
  });

  it("is idempotent: admitting an admitted object changes nothing, for every kind", () => {
    const samples: unknown[] = [
      pod({ containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "0.5" } }, livenessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: "v" }] }),
      { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { type: "NodePort", sessionAffinity: "ClientIP", ports: [{ port: 80, targetPort: "http" }] } },
      { apiVersion: "v1", kind: "Endpoints", metadata: { name: "s" }, subsets: [{ addresses: [{ ip: "10.1.0.2" }], ports: [{ port: 80 }] }] },
      { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "s-1" }, addressType: "IPv4", endpoints: [{ addresses: ["10.1.0.2"] }], ports: [{ port: 80 }] },
      { apiVersion: "v1", kind: "Event", metadata: { name: "e" }, involvedObject: { kind: "Pod", name: "p", namespace: "default" }, reason: "R" },
      { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: "2", memory: "2048Mi" } } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
      { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/pv" } } },
      { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "b" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } },
      { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q" }, spec: { hard: { pods: "2", "requests.cpu": "500m" } } },
      { apiVersion: "v1", kind: "LimitRange", metadata: { name: "l" }, spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
      { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "r" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
      { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } }, volumeClaimTemplates: [{ metadata: { name: "v" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] } },
      { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } } },
      { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "cj" }, spec: { schedule: "@hourly", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } } } } },
    ];
    for (const sample of samples) {
      const once = create(sample);
      // Every create gets a new uid (the API server's); everything else stays. A Job's generated labels name its
      // uid, so an admitted Job created again is refused, as by Kubernetes.
      if ((sample as KubeObject).kind !== "Job") {
        const again = create(once);
        assert.notEqual(again.metadata.uid, once.metadata.uid);
        assert.deepEqual({ ...again, metadata: { ...again.metadata, uid: once.metadata.uid } }, once, (sample as KubeObject).kind);
      }
      assert.deepEqual(admitUpdate(once, once, CTX), once, `${(sample as KubeObject).kind} update`);
    }
  });

  it("lists the kinds it admits", () => {
    assert.deepEqual(servedKinds(), [
      "Pod (v1)", "Service (v1)", "Endpoints (v1)", "Event (v1)", "Node (v1)", "Namespace (v1)", "PersistentVolume (v1)",
      "PersistentVolumeClaim (v1)", "ConfigMap (v1)", "Secret (v1)", "ResourceQuota (v1)", "LimitRange (v1)", "EndpointSlice (discovery.k8s.io/v1)", "Deployment (apps/v1)",
      "ReplicaSet (apps/v1)", "StatefulSet (apps/v1)", "DaemonSet (apps/v1)", "ControllerRevision (apps/v1)", "Job (batch/v1)", "CronJob (batch/v1)", "PodDisruptionBudget (policy/v1)", "HorizontalPodAutoscaler (autoscaling/v2)", "StorageClass (storage.k8s.io/v1)", "PriorityClass (scheduling.k8s.io/v1)",
      "ServiceAccount (v1)", "Role (rbac.authorization.k8s.io/v1)", "ClusterRole (rbac.authorization.k8s.io/v1)", "RoleBinding (rbac.authorization.k8s.io/v1)",
      "ClusterRoleBinding (rbac.authorization.k8s.io/v1)", "CertificateSigningRequest (certificates.k8s.io/v1)", "Lease (coordination.k8s.io/v1)",
    ]);
  });

  it("refuses status updates for kinds without status", () => {
    const cm = create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    assert.equal(apiError(() => admitUpdate(cm, cm, { ...CTX, subresource: "status" })).reason, "BadRequest");
  });
});
