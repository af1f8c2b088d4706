/**
 * Protobuf request bodies of every workload kind with every field group: encoded as Go's Marshal writes them
 * (test/helpers/protobuf-encode.ts, through the table) and decoded back to the same JSON; spot checks of field numbers
 * typed by hand from upstream's generated.proto (independent of the table); unknown fields and wire types refused;
 * every served kind decodable.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "../../../src/api/errors.js";
import { RESOURCES, apiVersionOf } from "../../../src/api/resources.js";
import { decodeKubernetesProtobuf } from "../../../src/apiserver/protobuf/decode.js";
import { MESSAGES, rootMessage } from "../../../src/apiserver/protobuf/schema.js";
import { everyFieldContainer, everyFieldPodSpec, type Json } from "../../helpers/pod-every-field.js";
import { bytes, encodeObject, envelope, int, msg, str } from "../../helpers/protobuf-encode.js";

const fullMeta = (name: string): Json => ({
  name,
  generateName: `${name}-`,
  namespace: "team",
  uid: "7c4d1a2e-0000-4000-8000-000000000001",
  resourceVersion: "42",
  generation: 3,
  creationTimestamp: "2026-12-01T10:00:00Z",
  deletionTimestamp: "2026-12-01T11:00:00Z",
  deletionGracePeriodSeconds: 0,
  labels: { app: "web", empty: "" },
  annotations: { "example.com/note": "x" },
  ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "7c4d1a2e-0000-4000-8000-000000000002", controller: true, blockOwnerDeletion: false }],
  finalizers: ["example.com/hold", "foregroundDeletion"],
  managedFields: [
    {
      manager: "kubectl",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: "2026-12-01T10:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } } },
      subresource: "",
    },
  ].map(({ subresource: _s, ...rest }) => rest),
});

const template = (restartPolicy = "Always"): Json => ({
  metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } },
  spec: { ...everyFieldPodSpec(), restartPolicy },
});
const selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["x"] }] };

/** Decoding what the Go encoder would send gives back the object. */
function roundTrip(obj: Json): void {
  assert.deepEqual(decodeKubernetesProtobuf(encodeObject(obj)), obj);
}

describe("protobuf bodies: every field of every workload kind", () => {
  it("a Pod: full ObjectMeta, every PodSpec field group, ephemeral containers, status times", () => {
    const { stdin: _i, stdinOnce: _o, tty: _t, ports: _p, lifecycle: _l, livenessProbe: _lp, readinessProbe: _rp, startupProbe: _sp, resources: _r, resizePolicy: _rz, ...common } =
      everyFieldContainer("debugger");
    roundTrip({
      apiVersion: "v1",
      kind: "Pod",
      metadata: fullMeta("web"),
      spec: {
        ...everyFieldPodSpec(),
        nodeName: "node1",
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        priorityClassName: "high",
        priority: 0,
        preemptionPolicy: "Never",
        runtimeClassName: "",
        overhead: { cpu: "10m", memory: "1Mi" },
        schedulingGates: [{ name: "example.com/wait" }],
        resourceClaims: [{ name: "gpu", resourceClaimName: "gpu-claim" }],
        resources: { limits: { cpu: "1" } },
        ephemeralContainers: [{ ...common, targetContainerName: "main" }],
      },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "True", lastProbeTime: "2026-12-01T10:00:05Z", lastTransitionTime: "2026-12-01T10:00:06Z" }],
        startTime: "2026-12-01T10:00:01Z",
        podIP: "10.0.0.5",
        podIPs: [{ ip: "10.0.0.5" }],
        containerStatuses: [
          { name: "main", ready: true, restartCount: 2, image: "busybox", imageID: "sha256:abc", started: false, state: { running: { startedAt: "2026-12-01T10:00:02Z" } }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: "2026-12-01T09:00:00Z", finishedAt: "2026-12-01T09:59:00Z" } } },
        ],
        qosClass: "Burstable",
      },
    });
  });

  it("a Deployment: replicas 0, maxUnavailable 0 and revisionHistoryLimit 0 kept (pointers), strategy, template", () => {
    roundTrip({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: fullMeta("web"),
      spec: {
        replicas: 0,
        selector,
        template: template(),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        minReadySeconds: 5,
        revisionHistoryLimit: 0,
        paused: true,
        progressDeadlineSeconds: 120,
      },
    });
  });

  it("a ReplicaSet, a StatefulSet (claim templates, retention, ordinals, partition) and a DaemonSet", () => {
    roundTrip({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: { replicas: 3, minReadySeconds: 1, selector, template: template() } });
    roundTrip({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: {
        replicas: 2,
        selector,
        template: template(),
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: { app: "db" } },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "", volumeMode: "Filesystem", resources: { requests: { storage: "1Gi" } }, selector },
          },
        ],
        serviceName: "db",
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: "50%" } },
        revisionHistoryLimit: 4,
        minReadySeconds: 2,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
        ordinals: { start: 1 },
      },
    });
    roundTrip({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: { selector, template: template(), updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, minReadySeconds: 3, revisionHistoryLimit: 10 },
    });
  });

  it("a Job (pod failure and success policies, per-index back-off) and a CronJob", () => {
    const jobSpec = {
      parallelism: 0,
      completions: 5,
      activeDeadlineSeconds: 600,
      podFailurePolicy: {
        rules: [
          { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42, 0] } },
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
        ],
      },
      successPolicy: { rules: [{ succeededIndexes: "0-2", succeededCount: 2 }] },
      backoffLimit: 0,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 2,
      selector,
      manualSelector: false,
      template: template("Never"),
      ttlSecondsAfterFinished: 0,
      completionMode: "Indexed",
      suspend: false,
      podReplacementPolicy: "Failed",
      managedBy: "kubernetes.io/job-controller",
    };
    roundTrip({ apiVersion: "batch/v1", kind: "Job", metadata: fullMeta("batch"), spec: jobSpec });
    roundTrip({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly" },
      spec: {
        schedule: "0 3 * * *",
        timeZone: "Europe/Paris",
        startingDeadlineSeconds: 0,
        concurrencyPolicy: "Forbid",
        suspend: true,
        jobTemplate: { metadata: { labels: { job: "nightly" } }, spec: jobSpec },
        successfulJobsHistoryLimit: 0,
        failedJobsHistoryLimit: 1,
      },
    });
  });

  it("special forms: MicroTime (Lease), RawExtension (ControllerRevision), string lists (UserInfo.extra), DeleteOptions under any group", () => {
    roundTrip({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "node1", namespace: "kube-node-lease" },
      spec: { holderIdentity: "node1", leaseDurationSeconds: 40, renewTime: "2026-12-01T10:00:00.123456Z", leaseTransitions: 0 },
    });
    roundTrip({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "web-1" }, data: { spec: { template: { spec: { containers: [] } } } }, revision: 1 });
    roundTrip({
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
      metadata: { name: "me" },
      status: { userInfo: { username: "u", groups: ["g"], extra: { scopes: ["a", "b"], none: [] } } },
    });
    const del = decodeKubernetesProtobuf(envelope("apps/v1", "DeleteOptions", Buffer.concat([int(1, 0), str(4, "Foreground"), str(5, "All")])));
    assert.deepEqual(del, { apiVersion: "apps/v1", kind: "DeleteOptions", gracePeriodSeconds: 0, propagationPolicy: "Foreground", dryRun: ["All"] });
  });

  it("field numbers match upstream's generated.proto (typed by hand, independent of the table)", () => {
    // core/v1: PodSpec volumes 1, containers 2, tolerations 22; Volume name 1, volumeSource 2 (inline) → emptyDir 2;
    // Container resources 8 {limits 1}, livenessProbe 10 → handler 1 (inline) → grpc 4 {port 1, service 2},
    // securityContext 15 → runAsNonRoot 5; Toleration key 1, operator 2, effect 4, tolerationSeconds 5.
    const quantity = (s: string) => str(1, s);
    const container = Buffer.concat([
      str(1, "main"),
      msg(8, msg(1, str(1, "memory"), msg(2, quantity("64Mi")))),
      msg(10, msg(1, msg(4, int(1, 9000), str(2, "health")))),
      msg(15, int(5, 0)),
    ]);
    const spec = Buffer.concat([
      msg(1, str(1, "scratch"), msg(2, msg(2))),
      msg(2, container),
      msg(22, str(1, "k"), str(2, "Exists"), str(4, "NoExecute"), int(5, 0)),
      int(11, 0), // hostNetwork: a non-pointer false, omitted
    ]);
    const pod = decodeKubernetesProtobuf(envelope("v1", "Pod", Buffer.concat([msg(1, str(1, "p")), msg(2, spec)])));
    assert.deepEqual((pod as unknown as Json).spec, {
      volumes: [{ name: "scratch", emptyDir: {} }],
      containers: [{ name: "main", resources: { limits: { memory: "64Mi" } }, livenessProbe: { grpc: { port: 9000, service: "health" } }, securityContext: { runAsNonRoot: false } }],
      tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }],
    });
    // apps/v1 DeploymentSpec: template 3 → PodTemplateSpec spec 2; strategy 4 → rollingUpdate 2 → maxUnavailable 1.
    const d = decodeKubernetesProtobuf(envelope("apps/v1", "Deployment", msg(2, msg(4, msg(2, msg(1, int(1, 0), int(2, 0)))), msg(3, msg(2, msg(2, str(1, "c")))))));
    assert.deepEqual((d as unknown as Json).spec, { strategy: { rollingUpdate: { maxUnavailable: 0 } }, template: { spec: { containers: [{ name: "c" }] } } });
  });

  it("refuses an unknown field anywhere with 400 naming the message, the field number and where it is", () => {
    const spec = Buffer.concat([msg(2, str(1, "c")), int(99, 1)]);
    const body = envelope("apps/v1", "Deployment", msg(2, msg(3, msg(2, spec))));
    assert.throws(
      () => decodeKubernetesProtobuf(body),
      (e: unknown) => e instanceof ApiError && e.code === 400 && /field 99 of core\/v1\.PodSpec \(at Deployment\.spec\.template\.spec\)/.test(e.message) && /refused rather than dropped/.test(e.message),
    );
    const quantity = envelope("v1", "ResourceQuota", msg(2, msg(1, str(1, "cpu"), msg(2, str(1, "1"), int(2, 5)))));
    assert.throws(() => decodeKubernetesProtobuf(quantity), (e: unknown) => e instanceof ApiError && e.code === 400 && /field 2 of Quantity/.test(e.message));
    const unknownEnvelope = Buffer.concat([envelope("v1", "ConfigMap", Buffer.alloc(0)), str(9, "x")]);
    assert.throws(() => decodeKubernetesProtobuf(unknownEnvelope), (e: unknown) => e instanceof ApiError && e.code === 400 && /field 9 of runtime\.Unknown/.test(e.message));
  });

  it("refuses a wrong wire type, a compressed envelope and bytes that are not JSON where JSON belongs", () => {
    const wrongWire = envelope("v1", "ConfigMap", msg(1, int(1, 5)));
    assert.throws(() => decodeKubernetesProtobuf(wrongWire), (e: unknown) => e instanceof ApiError && e.code === 400 && /wire type 0/.test(e.message));
    const gzip = Buffer.concat([Buffer.from("k8s\0", "binary"), msg(1, str(1, "v1"), str(2, "ConfigMap")), bytes(2, Buffer.alloc(0)), str(3, "gzip")]);
    assert.throws(() => decodeKubernetesProtobuf(gzip), (e: unknown) => e instanceof ApiError && e.code === 415);
    const rev = envelope("apps/v1", "ControllerRevision", msg(2, str(1, "{not json")));
    assert.throws(() => decodeKubernetesProtobuf(rev), (e: unknown) => e instanceof ApiError && e.code === 400 && /not JSON/.test(e.message));
  });

  it("the table holds a message for every served kind, and every message it names", () => {
    for (const r of RESOURCES) {
      if (r.group === "metrics.k8s.io") continue; // read-only views, never sent
      const m = rootMessage(apiVersionOf(r), r.kind);
      assert.ok(m && MESSAGES.has(m), `${apiVersionOf(r)} ${r.kind} has no protobuf message`);
    }
    for (const [name, fields] of MESSAGES) {
      for (const [n, f] of fields) if (typeof f.type === "object") assert.ok(MESSAGES.has(f.type.message), `${name} field ${n}`);
    }
  });
});
