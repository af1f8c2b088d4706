/** StorageClass columns (printers.go printStorageClass): the default class's name carries " (default)". */
import { isDefaultClass } from "../storage-class.js";
import { formatAge } from "./format.js";
import { AGE_COLUMN, NAME_COLUMN, column } from "./table.js";
export const storageClassPrinter = {
    columns: [
        NAME_COLUMN,
        column("Provisioner", "provisioner indicates the type of the provisioner."),
        column("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
        column("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
        column("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
        AGE_COLUMN,
    ],
    cells(sc, now) {
        return [
            `${sc.metadata.name ?? ""}${isDefaultClass(sc) ? " (default)" : ""}`,
            sc.provisioner,
            sc.reclaimPolicy ?? "Delete",
            sc.volumeBindingMode ?? "Immediate",
            sc.allowVolumeExpansion ?? false,
            formatAge(sc.metadata.creationTimestamp, now),
        ];
    },
};
//# sourceMappingURL=storage-class.js.map