import { namespacePrinter, nodePrinter } from "./cluster.js";
import { configMapPrinter, persistentVolumeClaimPrinter, persistentVolumePrinter, secretPrinter } from "./config.js";
import { eventPrinter } from "./event.js";
import { podPrinter } from "./pod.js";
import { storageClassPrinter } from "./storage-class.js";
import { roleBindingPrinter, serviceAccountPrinter } from "./rbac.js";
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from "./service.js";
import { AGE_COLUMN, NAME_COLUMN } from "./table.js";
const defaultPrinter = {
    columns: [NAME_COLUMN, { ...AGE_COLUMN, name: "Created At", type: "date" }],
    cells: (o) => [o.metadata.name ?? "", o.metadata.creationTimestamp ?? ""],
};
const PRINTERS = {
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
};
export function printerFor(kind) {
    return PRINTERS[kind] ?? defaultPrinter;
}
export * from "./table.js";
export * from "./format.js";
//# sourceMappingURL=index.js.map