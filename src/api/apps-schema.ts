/**
 * The shape of apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision and autoscaling/v1 Scale (k8s.io/api apps/v1/types.go): JSON
 * types for the decoder checks and the strategic-merge metadata that `kubectl set image|env|resources` and
 * `kubectl apply` rely on (the template's containers merge by name, as in a pod).
 */
import { podSpec, pvcSpec } from "./pod-schema.js";
import { ANY, bool, byKey, i32, i64, ios, kind, labelSelector, list, objectMeta, str, strings, struct, type Schema } from "./schema-dsl.js";

const podTemplateSpec = struct("PodTemplateSpec", { metadata: objectMeta, spec: podSpec });
const appsCondition = (go: string): Schema => struct(go, strings("type status lastUpdateTime lastTransitionTime reason message"));

export const APPS_SCHEMAS: Readonly<Record<string, Schema>> = {
  Deployment: kind("Deployment", {
    spec: struct("DeploymentSpec", {
      replicas: i32,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: struct("DeploymentStrategy", {
        type: str,
        rollingUpdate: struct("RollingUpdateDeployment", { maxUnavailable: ios, maxSurge: ios }),
      }),
      minReadySeconds: i32,
      revisionHistoryLimit: i32,
      paused: bool,
      progressDeadlineSeconds: i32,
    }),
    status: struct("DeploymentStatus", {
      observedGeneration: { kind: "scalar", type: "int64" },
      replicas: i32,
      updatedReplicas: i32,
      readyReplicas: i32,
      availableReplicas: i32,
      unavailableReplicas: i32,
      terminatingReplicas: i32,
      conditions: byKey(appsCondition("DeploymentCondition"), "type"),
      collisionCount: i32,
    }),
  }),
  ReplicaSet: kind("ReplicaSet", {
    spec: struct("ReplicaSetSpec", { replicas: i32, minReadySeconds: i32, selector: labelSelector, template: podTemplateSpec }),
    status: struct("ReplicaSetStatus", {
      replicas: i32,
      fullyLabeledReplicas: i32,
      readyReplicas: i32,
      availableReplicas: i32,
      terminatingReplicas: i32,
      observedGeneration: { kind: "scalar", type: "int64" },
      conditions: byKey(appsCondition("ReplicaSetCondition"), "type"),
    }),
  }),
  StatefulSet: kind("StatefulSet", {
    spec: struct("StatefulSetSpec", {
      replicas: i32,
      selector: labelSelector,
      template: podTemplateSpec,
      volumeClaimTemplates: list(struct("PersistentVolumeClaim", { apiVersion: str, kind: str, metadata: objectMeta, spec: pvcSpec, status: ANY })),
      ...strings("serviceName podManagementPolicy"),
      updateStrategy: struct("StatefulSetUpdateStrategy", {
        type: str,
        rollingUpdate: struct("RollingUpdateStatefulSetStrategy", { partition: i32, maxUnavailable: ios }),
      }),
      revisionHistoryLimit: i32,
      minReadySeconds: i32,
      persistentVolumeClaimRetentionPolicy: struct("StatefulSetPersistentVolumeClaimRetentionPolicy", strings("whenDeleted whenScaled")),
      ordinals: struct("StatefulSetOrdinals", { start: i32 }),
    }),
    status: struct("StatefulSetStatus", {
      observedGeneration: i64,
      ...Object.fromEntries("replicas readyReplicas currentReplicas updatedReplicas availableReplicas collisionCount".split(" ").map((n) => [n, i32])),
      ...strings("currentRevision updateRevision"),
      conditions: byKey(appsCondition("StatefulSetCondition"), "type"),
    }),
  }),
  DaemonSet: kind("DaemonSet", {
    spec: struct("DaemonSetSpec", {
      selector: labelSelector,
      template: podTemplateSpec,
      updateStrategy: struct("DaemonSetUpdateStrategy", {
        type: str,
        rollingUpdate: struct("RollingUpdateDaemonSet", { maxUnavailable: ios, maxSurge: ios }),
      }),
      minReadySeconds: i32,
      revisionHistoryLimit: i32,
    }),
    status: struct("DaemonSetStatus", {
      observedGeneration: i64,
      ...Object.fromEntries(
        "currentNumberScheduled numberMisscheduled desiredNumberScheduled numberReady updatedNumberScheduled numberAvailable numberUnavailable collisionCount".split(" ").map((n) => [n, i32]),
      ),
      conditions: byKey(appsCondition("DaemonSetCondition"), "type"),
    }),
  }),
  ControllerRevision: kind("ControllerRevision", { data: ANY, revision: i64 }),
  Scale: kind("Scale", {
    spec: struct("ScaleSpec", { replicas: i32 }),
    status: struct("ScaleStatus", { replicas: i32, selector: str }),
  }),
};
