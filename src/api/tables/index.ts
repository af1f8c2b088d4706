/** The printer for each kind; kinds without one print Name and Created At, as upstream's default table convertor does. */
import type { KubeObject } from "../types.js";
import { deploymentPrinter, replicaSetPrinter } from "./apps.js";
import { namespacePrinter, nodePrinter } from "./cluster.js";
import { configMapPrinter, persistentVolumeClaimPrinter, persistentVolumePrinter, secretPrinter } from "./config.js";
import { eventPrinter } from "./event.js";
import { podPrinter } from "./pod.js";
import { storageClassPrinter } from "./storage-class.js";
import { roleBindingPrinter, serviceAccountPrinter } from "./rbac.js";
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from "./service.js";
import { AGE_COLUMN, NAME_COLUMN, type Printer } from "./table.js";

const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, { ...AGE_COLUMN, name: "Created At", type: "date" }],
  cells: (o) => [o.metadata.name ?? "", o.metadata.creationTimestamp ?? ""],
};

const PRINTERS: Record<string, Printer> = {
  Pod: podPrinter as Printer,
  Service: servicePrinter as Printer,
  Endpoints: endpointsPrinter as Printer,
  EndpointSlice: endpointSlicePrinter as Printer,
  Event: eventPrinter as Printer,
  ServiceAccount: serviceAccountPrinter as Printer,
  RoleBinding: roleBindingPrinter as Printer,
  ClusterRoleBinding: roleBindingPrinter as Printer,
  Node: nodePrinter as Printer,
  Namespace: namespacePrinter as Printer,
  PersistentVolume: persistentVolumePrinter as Printer,
  PersistentVolumeClaim: persistentVolumeClaimPrinter as Printer,
  ConfigMap: configMapPrinter as Printer,
  Secret: secretPrinter as Printer,
  StorageClass: storageClassPrinter as Printer,
  Deployment: deploymentPrinter as Printer,
  ReplicaSet: replicaSetPrinter as Printer,
};

export function printerFor(kind: string): Printer<KubeObject> {
  return PRINTERS[kind] ?? defaultPrinter;
}

export * from "./table.js";
export * from "./format.js";
