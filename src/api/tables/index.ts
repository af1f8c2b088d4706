/** The printer for each kind; kinds without one print Name and Created At, as upstream's default table convertor does. */
import type { KubeObject } from "../types.js";
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from "./apps.js";
import { cronJobPrinter, jobPrinter } from "./batch.js";
import { namespacePrinter, nodePrinter } from "./cluster.js";
import { configMapPrinter, persistentVolumeClaimPrinter, persistentVolumePrinter, secretPrinter } from "./config.js";
import { eventPrinter } from "./event.js";
import { leasePrinter } from "./lease.js";
import { certificateSigningRequestPrinter } from "./certificates.js";
import { podPrinter } from "./pod.js";
import { podDisruptionBudgetPrinter } from "./policy.js";
import { horizontalPodAutoscalerPrinter } from "./autoscaling.js";
import { storageClassPrinter } from "./storage-class.js";
import { priorityClassPrinter } from "./priority-class.js";
import { resourceQuotaPrinter } from "./quota.js";
import { roleBindingPrinter, serviceAccountPrinter } from "./rbac.js";
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from "./service.js";
import { AGE_COLUMN, NAME_COLUMN, type Printer } from "./table.js";

const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, { ...AGE_COLUMN, name: "Created At", type: "date" }],
  cells: (o) => [o.metadata.name ?? "", o.metadata.creationTimestamp ?? ""],
};

const PRINTERS: Record<string, Printer> = {
  Pod: podPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  Event: eventPrinter,
  ServiceAccount: serviceAccountPrinter,
  RoleBinding: roleBindingPrinter,
  ClusterRoleBinding: roleBindingPrinter,
  Node: nodePrinter,
  Namespace: namespacePrinter,
  PersistentVolume: persistentVolumePrinter,
  PersistentVolumeClaim: persistentVolumeClaimPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  StorageClass: storageClassPrinter,
  PriorityClass: priorityClassPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  Lease: leasePrinter,
  StatefulSet: statefulSetPrinter,
  DaemonSet: daemonSetPrinter,
  ControllerRevision: controllerRevisionPrinter,
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  ResourceQuota: resourceQuotaPrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
  HorizontalPodAutoscaler: horizontalPodAutoscalerPrinter,
  CertificateSigningRequest: certificateSigningRequestPrinter,
};

export function printerFor(kind: string): Printer<KubeObject> {
  return PRINTERS[kind] ?? defaultPrinter;
}

export * from "./table.js";
export * from "./format.js";
